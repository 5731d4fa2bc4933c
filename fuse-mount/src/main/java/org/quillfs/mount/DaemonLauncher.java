package org.quillfs.mount;

import java.io.BufferedReader;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Daemonising, as mount(8) helpers do: the {@code mount.quillfs} the user ran starts a second
 * JVM running {@code mount.quillfs -f --daemon-child ...} and waits until it says the mount is
 * up or why it is not, then exits with 0 or that reason.
 *
 * <h2>The daemon</h2>
 * It starts in its own session ({@code setsid}, so the terminal's signals do not reach it) with
 * its working directory at {@code /}, stdin from {@code /dev/null} and stderr appended to its log
 * file ({@link LogFiles}). Its stdout is a pipe to the waiting parent: exactly one status line
 * goes through it, {@code READY} or {@code FAIL CODE MESSAGE}, after which the daemon points
 * stdout at the log file too ({@code dup2(2, 1)}), so nothing it prints later reaches the
 * terminal.
 */
final class DaemonLauncher {

    static final String READY = "READY";
    static final String FAIL = "FAIL";
    /** The JVM flag that makes names pass through jnr byte for byte (see NativeNames). */
    private static final String BYTE_TRANSPARENT = "-Dfile.encoding=ISO-8859-1";

    private DaemonLauncher() {
    }

    /**
     * Starts the daemon with {@code args} (the command line it must run, without
     * {@code -f --daemon-child}), waits for its status and returns the exit code.
     *
     * @throws MountException with the daemon's reason when it could not mount
     */
    static int launch(Path image, List<String> args, PrintWriter out, boolean verbose) {
        Path logFile = LogFiles.forImage(image);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String jvmArg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // The launcher tunes the JVM for short commands (C1 only); the daemon lives long.
            if (!jvmArg.startsWith("-Dfile.encoding=") && !jvmArg.startsWith("-XX:TieredStopAtLevel=")) {
                command.add(jvmArg);
            }
        }
        command.add(BYTE_TRANSPARENT);
        command.add("-cp");
        command.add(absoluteClassPath());
        command.add(MountCommand.class.getName());
        command.add("-f");
        command.add("--daemon-child");
        command.addAll(args);
        Process daemon;
        try {
            daemon = new ProcessBuilder(NativeNames.forProcessBuilder(command))
                    .directory(new File("/"))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.PIPE)
                    .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new MountException(MountCommand.EXIT_SYSTEM, "cannot start the mount daemon: " + e.getMessage());
        }
        AtomicBoolean answered = new AtomicBoolean();
        Thread stopDaemon = new Thread(() -> {
            if (!answered.get()) {
                daemon.destroy(); // interrupted while waiting: the daemon unmounts and exits
            }
        });
        Runtime.getRuntime().addShutdownHook(stopDaemon);
        String status = readStatus(daemon);
        answered.set(true);
        if (status != null && status.equals(READY)) {
            if (verbose) {
                out.println("mount.quillfs: mounted (daemon pid " + daemon.pid() + ", log " + logFile + ")");
            }
            return MountCommand.EXIT_OK;
        }
        if (status != null && status.startsWith(FAIL + " ")) {
            String[] parts = status.split(" ", 3);
            int code = parseCode(parts[1]);
            throw new MountException(code, parts.length > 2 ? parts[2] : "the mount failed; see " + logFile);
        }
        String ended = "";
        try {
            if (daemon.waitFor(5, TimeUnit.SECONDS)) {
                ended = " with exit code " + daemon.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new MountException(MountCommand.EXIT_FAILURE, "the mount daemon (pid " + daemon.pid() + ") ended"
                + ended + " before the mount was up; see " + logFile);
    }

    private static String readStatus(Process daemon) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(daemon.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals(READY) || line.startsWith(FAIL + " ")) {
                    return line;
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static int parseCode(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return MountCommand.EXIT_FAILURE;
        }
    }

    private static String absoluteClassPath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            entries.add(Path.of(entry).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    /** The daemon's side of the status pipe: one line on stdout, then stdout joins stderr. */
    static final class PipeStatus implements MountSession.Status {
        private final AtomicBoolean sent = new AtomicBoolean();

        @Override
        public void ready() {
            send(READY);
        }

        @Override
        public void failed(MountException e) {
            send(FAIL + " " + e.exitCode() + " " + e.getMessage().replace('\n', ' '));
        }

        /** Also used for failures before the session starts. */
        void send(String line) {
            if (!sent.compareAndSet(false, true)) {
                return;
            }
            try {
                FileOutputStream stdout = new FileOutputStream(FileDescriptor.out);
                stdout.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                stdout.flush();
            } catch (IOException e) {
                // the parent is gone: nobody to tell
            }
            LibC.INSTANCE.dup2(2, 1);
        }
    }
}
