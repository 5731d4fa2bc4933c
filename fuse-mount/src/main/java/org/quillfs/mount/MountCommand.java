package org.quillfs.mount;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/** {@code mount.quillfs}: a placeholder until mounting exists (issue 5). */
@Command(
        name = "mount.quillfs",
        mixinStandardHelpOptions = true,
        version = "mount.quillfs 0.1.0-SNAPSHOT",
        description = "Mounts a quillfs volume. Not available yet: it says so and exits 16.")
public final class MountCommand implements Callable<Integer> {

    /** Exit code while the command does not exist yet. */
    static final int NOT_AVAILABLE = 16;

    static final String MESSAGE = "mount.quillfs: not available yet: mounting arrives with issue 5";

    @Spec CommandSpec spec;

    /** Every argument is accepted, options included, so that mount(8) can call this. */
    @Unmatched List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() {
        spec.commandLine().getErr().println(MESSAGE);
        return NOT_AVAILABLE;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new MountCommand()).execute(args));
    }
}
