package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A quillfs image in a test's temporary directory, mounted on a real FUSE mount with the
 * launchers in {@code bin/} (so the jars this build just packaged). {@link #close} always leaves
 * nothing mounted and no daemon running: it unmounts lazily if need be and waits for the daemon
 * it started, which it kills (by its PID, and only it) if it does not end.
 */
final class MountedImage implements AutoCloseable {

    static final Path REPO = Path.of(System.getProperty("quillfs.repo", "..")).toAbsolutePath().normalize();
    static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(3);
    private static final Pattern DAEMON = Pattern.compile("daemon pid (\\d+), log (.*)\\)");

    /** The image, or the first member of a volume. */
    final Path image;
    /** What mount.quillfs is given: the image, or the members joined by commas. */
    final String source;
    final Path mountPoint;
    final Path logDir;
    private Long daemonPid;
    private Path logFile;

    record Result(int exitCode, String out, String err) {
        Result assertSucceeded(String what) {
            assertThat(exitCode).as("%s failed with exit code %d%nstdout: %s%nstderr: %s", what, exitCode, out, err)
                    .isZero();
            return this;
        }
    }

    private MountedImage(Path image, Path mountPoint, Path logDir) {
        this(List.of(image), mountPoint, logDir);
    }

    private MountedImage(List<Path> members, Path mountPoint, Path logDir) {
        this.image = members.get(0);
        this.source = String.join(",", members.stream().map(Path::toString).toList());
        this.mountPoint = mountPoint;
        this.logDir = logDir;
    }

    /**
     * Skips the test where FUSE cannot work here (no /dev/fuse, not root), except under CI=true,
     * where a test that cannot run fails.
     */
    static void requireFuse() {
        String why = null;
        if (!Files.exists(Path.of("/dev/fuse"))) {
            why = "/dev/fuse does not exist";
        } else if (!"root".equals(System.getProperty("user.name"))) {
            why = "the FUSE tests run as root (they chown, mount(8) and make device nodes)";
        } else if (Unmount.which("fusermount3").isEmpty() && Unmount.which("fusermount").isEmpty()) {
            why = "fusermount3 is not installed (make deps installs fuse3)";
        }
        if (why == null) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("FUSE tests cannot run under CI: " + why);
        }
        Assumptions.abort("FUSE tests skipped: " + why);
    }

    /**
     * Formats a volume over {@code dir/NAME...} (in that member order) with
     * {@code mkfs.quillfs --layout LAYOUT}, each member of {@code size}, and makes {@code dir/mnt}.
     */
    static MountedImage formatVolume(Path dir, String layout, String size, String... names) throws IOException {
        requireFuse();
        List<String> command = new ArrayList<>(List.of(REPO.resolve("bin/mkfs.quillfs").toString(), "-q", "--layout",
                layout));
        List<Path> members = new ArrayList<>();
        for (String name : names) {
            members.add(dir.resolve(name));
            command.add(dir.resolve(name).toString());
        }
        command.add(size);
        run(command, dir, Map.of()).assertSucceeded("mkfs.quillfs --layout " + layout);
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        return new MountedImage(members, mnt, Files.createDirectories(dir.resolve("logs")));
    }

    /** Formats {@code dir/NAME} with mkfs.quillfs (sparse) and makes {@code dir/mnt}. */
    static MountedImage format(Path dir, String name, String size, String... mkfsOptions) throws IOException {
        requireFuse();
        Path image = dir.resolve(name);
        List<String> command = new ArrayList<>();
        command.add(REPO.resolve("bin/mkfs.quillfs").toString());
        command.add("-q");
        command.addAll(List.of(mkfsOptions));
        command.add(image.toString());
        command.add(size);
        run(command, dir, Map.of()).assertSucceeded("mkfs.quillfs");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        return new MountedImage(image, mnt, Files.createDirectories(dir.resolve("logs")));
    }

    /** The same image and mount point, the daemon logging to {@code dir} (before it is mounted). */
    MountedImage withLogsIn(Path dir) throws IOException {
        return new MountedImage(image, mountPoint, Files.createDirectories(dir));
    }

    /** Runs bin/mount.quillfs -v [OPTIONS] IMAGE MOUNTPOINT; on success remembers the daemon. */
    Result mount(String... options) {
        return mountAs(List.of(source), options);
    }

    /** Runs bin/mount.quillfs -v [OPTIONS] DEVICE... MOUNTPOINT; on success remembers the daemon. */
    Result mountAs(List<String> devices, String... options) {
        List<String> command = new ArrayList<>();
        command.add(REPO.resolve("bin/mount.quillfs").toString());
        command.add("-v");
        command.addAll(List.of(options));
        command.addAll(devices);
        command.add(mountPoint.toString());
        Result r = run(command, image.getParent(), Map.of("QUILLFS_LOG_DIR", logDir.toString()));
        if (r.exitCode() == 0) {
            Matcher m = DAEMON.matcher(r.out());
            assertThat(m.find()).as("mount.quillfs -v names its daemon: %s", r.out()).isTrue();
            daemonPid = Long.parseLong(m.group(1));
            logFile = Path.of(m.group(2));
            assertThat(isMounted()).as("%s is mounted after exit code 0", mountPoint).isTrue();
        }
        return r;
    }

    MountedImage mountOrFail(String... options) {
        mount(options).assertSucceeded("mount.quillfs");
        return this;
    }

    boolean isMounted() {
        return MountTable.at(mountPoint).filter(m -> m.type().equals("fuse.quillfs")).isPresent();
    }

    long daemonPid() {
        return daemonPid;
    }

    /** The daemon's log so far. */
    String log() throws IOException {
        Path file = logFile != null ? logFile : logDir.resolve(image.getFileName() + ".log");
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    /** umount(8), then waits for the daemon to close the image and exit. */
    void unmount() {
        run(List.of("umount", mountPoint.toString()), image.getParent(), Map.of()).assertSucceeded("umount");
        awaitDaemonExit();
    }

    /** kill -9 of the daemon this fixture started, then fusermount -u of its dead mount. */
    void killDaemon() {
        ProcessHandle.of(daemonPid).ifPresent(p -> {
            run(List.of("kill", "-9", Long.toString(daemonPid)), image.getParent(), Map.of());
        });
        awaitDaemonExit();
        run(List.of(fusermount(), "-u", mountPoint.toString()), image.getParent(), Map.of())
                .assertSucceeded("fusermount -u after kill -9");
    }

    private void awaitDaemonExit() {
        if (daemonPid == null) {
            return;
        }
        Optional<ProcessHandle> daemon = ProcessHandle.of(daemonPid);
        if (daemon.isPresent()) {
            try {
                daemon.get().onExit().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("the mount daemon " + daemonPid + " did not exit within 60 s", e);
            }
        }
        daemonPid = null;
    }

    /**
     * For a class's last teardown: a clean umount if it is still mounted, then {@link #close}
     * whether or not that worked; nothing if {@code fs} was never made.
     */
    static void unmountAndClose(MountedImage fs) {
        if (fs == null) {
            return;
        }
        try {
            if (fs.isMounted()) {
                fs.unmount();
            }
        } finally {
            fs.close();
        }
    }

    /** Leaves nothing mounted and the daemon gone, whatever state the test left. */
    @Override
    public void close() {
        if (isMounted()) {
            run(List.of(fusermount(), "-u", "-z", mountPoint.toString()), image.getParent(), Map.of());
        }
        if (daemonPid != null) {
            Optional<ProcessHandle> daemon = ProcessHandle.of(daemonPid);
            if (daemon.isPresent()) {
                try {
                    daemon.get().onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    daemon.get().destroyForcibly();
                }
            }
            daemonPid = null;
        }
    }

    static String fusermount() {
        return Unmount.which("fusermount3").or(() -> Unmount.which("fusermount")).map(Path::toString)
                .orElse("fusermount");
    }

    // ------------------------------------------------------------------ running commands

    static Result run(List<String> command, Path dir, Map<String, String> env) {
        try {
            Path out = Files.createTempFile("quillfs-it", ".out");
            Path err = Files.createTempFile("quillfs-it", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(out.toFile()).redirectError(err.toFile());
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor();
                    throw new AssertionError(command + " did not finish in " + COMMAND_TIMEOUT.toSeconds() + " s");
                }
                // Lenient UTF-8: a name that is not UTF-8 must not make the test unable to read output.
                return new Result(p.exitValue(), new String(Files.readAllBytes(out), StandardCharsets.UTF_8),
                        new String(Files.readAllBytes(err), StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
    }

    /** Runs a bash script (with {@code set -euo pipefail}) in {@code dir}. */
    static Result bash(Path dir, String script) {
        return run(List.of("bash", "-c", "set -euo pipefail\n" + script), dir, Map.of());
    }
}
