package org.quillfs.inspect;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.quillfs.format.Limits;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code quillfs}: the multi-purpose tool; its subcommands look at (and later administer) a filesystem. */
@Command(
        name = "quillfs",
        mixinStandardHelpOptions = true,
        version = "quillfs 0.1.0 (on-disk format " + Limits.FORMAT_VERSION + ")",
        description = "Tools for quillfs filesystems.",
        subcommands = {InspectCommand.class})
public final class QuillfsCommand implements Callable<Integer> {

    static final int EXIT_OK = 0;
    static final int EXIT_DAMAGED = 4;
    static final int EXIT_OPERATIONAL = 8;
    static final int EXIT_USAGE = 16;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("quillfs: name a subcommand: inspect (see quillfs --help)");
        return EXIT_USAGE;
    }

    /** Runs the command as {@code main} does, returning the exit code instead of exiting. */
    static int run(CommandLine commandLine, String... args) {
        PrintWriter err = commandLine.getErr();
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            err.println("quillfs: " + e.getMessage() + " (see quillfs --help)");
            return EXIT_USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, line, parseResult) -> {
            if (e instanceof IllegalArgumentException) {
                err.println("quillfs: " + e.getMessage());
                return EXIT_USAGE;
            }
            if (e instanceof UnreadableImageException || e instanceof java.io.UncheckedIOException) {
                err.println("quillfs: " + e.getMessage());
                return EXIT_OPERATIONAL;
            }
            err.println("quillfs: internal error: " + e);
            return EXIT_OPERATIONAL;
        });
        return commandLine.execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(new CommandLine(new QuillfsCommand()), args));
    }
}
