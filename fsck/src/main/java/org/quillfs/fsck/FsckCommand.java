package org.quillfs.fsck;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.quillfs.volume.VolumeAssemblyException;
import org.quillfs.volume.VolumeMembers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fsck.quillfs}: replays the journal, checks every structure, repairs (docs/FSCK.md).
 * Exit codes are fsck(8)'s; problems and errors are one line each, never a stack trace.
 */
@Command(
        name = "fsck.quillfs",
        mixinStandardHelpOptions = true,
        version = "fsck.quillfs 0.1.0 (on-disk format 1)",
        description = {
            "Checks a quillfs filesystem and repairs what is wrong, as e2fsck does for ext4.",
            "The journal is replayed first. A clean filesystem is skipped unless -f is given.",
            "Without -n, -p or -y each repair is asked for on the terminal."
        },
        exitCodeListHeading = "%nExit codes (fsck(8); several may be added together):%n",
        exitCodeList = {
            "0:no errors",
            "1:errors corrected (or the journal replayed, or orphans freed)",
            "4:errors left uncorrected",
            "8:operational error: cannot read or write, not quillfs, mounted, no terminal to ask on",
            "16:usage error",
            "32:cancelled by the user"
        })
public final class FsckCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "-n", description = "Open read-only and answer no to every question; change nothing.")
    boolean no;

    @Option(names = {"-p", "-a"}, description = "Preen: repair what is safe without asking; stop (exit 4) at anything else.")
    boolean preen;

    @Option(names = "-y", description = "Answer yes to every question.")
    boolean yes;

    @Option(names = "-f", description = "Check even a filesystem that seems clean.")
    boolean force;

    @Option(names = "-C", description = "Show a progress bar (an optional file descriptor number is accepted and ignored: it goes to standard output).")
    boolean progress;

    @Option(names = "-v", description = "Verbose: say more about what was found.")
    boolean verbose;

    @Option(names = "-r", hidden = true, description = "Interactive (the default; accepted for fsck(8)).")
    boolean interactive;

    @Parameters(arity = "1..*", paramLabel = "DEVICE|IMAGE",
            description = "Block device or image file to check; for a volume, all its members, in any order "
                    + "(DEV1,DEV2,... or DEV1 DEV2 ...).")
    List<Path> arguments;

    private Supplier<String> answers;

    /** Where interactive answers come from; the terminal unless a test says otherwise. */
    FsckCommand answers(Supplier<String> source) {
        this.answers = source;
        return this;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int modes = (no ? 1 : 0) + (preen ? 1 : 0) + (yes ? 1 : 0);
        if (modes > 1) {
            err.println("fsck.quillfs: only one of -n, -p (-a) and -y may be given");
            return Fsck.USAGE;
        }
        Questions.Mode mode = no ? Questions.Mode.NO : preen ? Questions.Mode.PREEN
                : yes ? Questions.Mode.YES : Questions.Mode.ASK;
        Supplier<String> source = answers;
        if (mode == Questions.Mode.ASK && source == null) {
            java.io.Console console = System.console();
            if (console == null) {
                err.println("fsck.quillfs: need a terminal to ask about repairs: give -n, -p or -y");
                return Fsck.OPERATIONAL;
            }
            source = console::readLine;
        }
        List<Path> targets = new ArrayList<>();
        for (Path argument : arguments) {
            targets.addAll(VolumeMembers.devicesOf(argument));
        }
        String name = targets.stream().map(Path::toString).collect(Collectors.joining(","));
        for (Path target : targets) {
            if (!Files.exists(target)) {
                err.println("fsck.quillfs: " + target + " does not exist");
                return Fsck.OPERATIONAL;
            }
            if (Files.isDirectory(target)) {
                err.println("fsck.quillfs: " + target + " is a directory, not a device or image");
                return Fsck.OPERATIONAL;
            }
        }
        boolean readOnly = mode == Questions.Mode.NO;
        List<String> mounts = new ArrayList<>();
        for (Path target : targets) {
            mounts.addAll(MountTable.quillfsMountsOf(target));
        }
        if (!mounts.isEmpty() && !readOnly) {
            err.println("fsck.quillfs: " + name + " is mounted on " + mounts.get(0) + ": unmount it first (or check it with -n)");
            return Fsck.OPERATIONAL;
        }
        try {
            VolumeMembers members = VolumeMembers.probe(targets);
            name = members.name();
            try (LockedDevices devices = LockedDevices.open(members, readOnly)) {
                if (readOnly && !mounts.isEmpty()) {
                    out.println("Warning: " + name + " is mounted on " + mounts.get(0)
                            + "; what is found may be changing under the check.");
                }
                try {
                    return new Fsck(devices.target(members), new Fsck.Options(mode, force, verbose, progress), out, source)
                            .run();
                } finally {
                    out.flush();
                }
            }
        } catch (UnreadableException | VolumeAssemblyException e) {
            out.flush();
            err.println("fsck.quillfs: " + e.getMessage());
            return Fsck.OPERATIONAL;
        } catch (NoSuchFileException e) {
            err.println("fsck.quillfs: " + e.getFile() + " does not exist");
            return Fsck.OPERATIONAL;
        } catch (IOException | UncheckedIOException e) {
            out.flush();
            err.println("fsck.quillfs: " + name + ": " + describe(e));
            return Fsck.OPERATIONAL;
        } catch (Throwable e) { // a bug, or an image damaged in a way not foreseen: one line, never a stack trace
            out.flush();
            err.println("fsck.quillfs: internal error while checking " + name + ": " + e);
            return Fsck.OPERATIONAL;
        }
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message;
    }

    /**
     * Runs the command as {@code main} does, returning the exit code. fsck(8) may pass
     * {@code -C fd} or {@code -Cfd}: the descriptor number is dropped here, as picocli cannot
     * tell an optional number from the device that follows.
     */
    public static int run(CommandLine commandLine, String... args) {
        List<String> cleaned = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.matches("-C[0-9]+")) {
                cleaned.add("-C");
            } else if (a.equals("-C") && i + 1 < args.length && args[i + 1].matches("[0-9]+")) {
                cleaned.add("-C");
                i++;
            } else {
                cleaned.add(a);
            }
        }
        PrintWriter err = commandLine.getErr();
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            err.println("fsck.quillfs: " + e.getMessage() + " (see fsck.quillfs --help)");
            return Fsck.USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, line, parseResult) -> {
            err.println("fsck.quillfs: internal error: " + e);
            return Fsck.OPERATIONAL;
        });
        return commandLine.execute(cleaned.toArray(String[]::new));
    }

    public static void main(String[] args) {
        System.exit(run(new CommandLine(new FsckCommand()), args));
    }
}
