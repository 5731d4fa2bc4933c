package org.quillfs.fsck;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/** {@code fsck.quillfs}: a placeholder until checking and repairing exist (issue 6). */
@Command(
        name = "fsck.quillfs",
        mixinStandardHelpOptions = true,
        version = "fsck.quillfs 0.1.0-SNAPSHOT",
        description = "Checks and repairs a quillfs volume. Not available yet: it says so and exits 16.")
public final class FsckCommand implements Callable<Integer> {

    /** Exit code while the command does not exist yet (fsck(8): "usage or syntax error"). */
    static final int NOT_AVAILABLE = 16;

    static final String MESSAGE =
            "fsck.quillfs: not available yet: checking and repairing arrive with issue 6";

    @Spec CommandSpec spec;

    /** Every argument is accepted, options included, so that fsck(8) can call this. */
    @Unmatched List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() {
        spec.commandLine().getErr().println(MESSAGE);
        return NOT_AVAILABLE;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new FsckCommand()).execute(args));
    }
}
