package org.quillfs.fsck;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.quillfs.volume.BlockDevice;

/**
 * fsck.quillfs run in-process on a {@link BlockDevice}, with no file in between: for tests in
 * other packages (the crash campaign) that check thousands of images a second. The checker is
 * the real one ({@link Fsck}), given the device itself (whose block size must be the filesystem's).
 */
public final class FsckOnDevice {

    /** fsck's exit code (fsck(8): 0 clean, 1 repaired, 4 left unrepaired, 8 operational) and what it printed. */
    public record Result(int exitCode, String output) {
    }

    private FsckOnDevice() {
    }

    /**
     * {@code fsck.quillfs -f -n}: checks {@code device} even if it looks clean, answers no to
     * everything and writes nothing to it.
     */
    public static Result checkReadOnly(BlockDevice device) {
        return run(device, Questions.Mode.NO);
    }

    /** {@code fsck.quillfs -f -y}: checks {@code device} and repairs what it finds, in place. */
    public static Result repair(BlockDevice device) {
        return run(device, Questions.Mode.YES);
    }

    private static Result run(BlockDevice device, Questions.Mode mode) {
        StringWriter out = new StringWriter();
        try {
            int code = new Fsck(FsckTarget.of(device), new Fsck.Options(mode, true, false, false),
                    new PrintWriter(out, true), null).run();
            return new Result(code, out.toString());
        } catch (UnreadableException e) {
            return new Result(Fsck.OPERATIONAL, out + e.getMessage() + "\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
