package org.quillfs.volume;

import java.io.IOException;
import java.io.UncheckedIOException;

/** An I/O failure of a block device, naming the device and the first block of the request. */
public final class VolumeIOException extends UncheckedIOException {

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

    private static String describe(IOException cause) {
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }
}
