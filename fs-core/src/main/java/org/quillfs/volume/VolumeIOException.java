package org.quillfs.volume;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An I/O failure of a block device, naming the device and the first block of the request.
 *
 * <p>Java gives no errno with an {@link IOException}: a full host filesystem (ENOSPC under a
 * sparse image) is known by the message the JDK takes from {@code strerror}, {@link #NO_SPACE}.
 */
public final class VolumeIOException extends UncheckedIOException {

    /** strerror(ENOSPC): the message of the IOException a write to a full filesystem throws. */
    public static final String NO_SPACE = "No space left on device";

    private final String device;
    private final long block;

    public VolumeIOException(String device, long block, String what, IOException cause) {
        super(device + ": " + what + (block >= 0 ? " at block " + block : "") + ": " + describe(cause), cause);
        this.device = device;
        this.block = block;
    }

    /** The device's name, as {@link BlockDevice#name()} gives it. */
    public String device() {
        return device;
    }

    /** The first block of the failed request, or -1 when the failure concerns no block (flush, open). */
    public long block() {
        return block;
    }

    /** Whether the device had no room for a write (ENOSPC): a sparse image on a full host filesystem. */
    public boolean noSpace() {
        return NO_SPACE.equals(getCause().getMessage());
    }

    private static String describe(IOException cause) {
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }
}
