package org.quillfs.fsck;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.quillfs.volume.VolumeMembers;
import picocli.CommandLine;

/** fsck.quillfs run in-process: its exit code, standard output and standard error. */
record FsckRun(int exitCode, String out, String err) {

    static FsckRun of(Path image, String... options) {
        return of(List.of(image), options);
    }

    /** On an image, or on the members of a volume (given as {@code DEV1,DEV2,...}). */
    static FsckRun of(List<Path> files, String... options) {
        String[] args = new String[options.length + 1];
        System.arraycopy(options, 0, args, 0, options.length);
        args[options.length] = TestDevices.argument(files);
        return run(null, args);
    }

    /**
     * Runs the checker itself on an image or on the members of a volume (any NIO filesystem,
     * jimfs included), without the command's catch-all: an unexpected exception reaches the test
     * with its stack trace. {@code answers} are typed in interactive mode ({@link Questions.Mode#ASK}).
     */
    static FsckRun direct(List<Path> files, Questions.Mode mode, java.util.function.Supplier<String> answers)
            throws java.io.IOException {
        StringWriter out = new StringWriter();
        VolumeMembers members = VolumeMembers.probe(files);
        try (LockedDevices devices = LockedDevices.open(members, mode == Questions.Mode.NO)) {
            int code = new Fsck(devices.target(members), new Fsck.Options(mode, true, false, false),
                    new PrintWriter(out, true), answers).run();
            return new FsckRun(code, out.toString(), "");
        } catch (UnreadableException e) {
            return new FsckRun(Fsck.OPERATIONAL, out.toString(), e.getMessage());
        }
    }

    /** With answers typed in interactive mode (null entries end the input). */
    static FsckRun answering(List<String> answers, String... args) {
        return run(new ArrayDeque<>(answers), args);
    }

    private static FsckRun run(Deque<String> answers, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        FsckCommand command = new FsckCommand();
        if (answers != null) {
            command.answers(answers::poll);
        }
        CommandLine line = new CommandLine(command);
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        int code = FsckCommand.run(line, args);
        return new FsckRun(code, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
}
