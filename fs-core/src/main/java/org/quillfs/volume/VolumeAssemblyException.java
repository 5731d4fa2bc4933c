package org.quillfs.volume;

/**
 * The devices given cannot be put together as one volume: a member is missing, given twice,
 * from another volume, resized, or not a member at all. The message is one line that names the
 * device; nothing has been written.
 */
public final class VolumeAssemblyException extends RuntimeException {

    private final String device;

    public VolumeAssemblyException(String device, String message) {
        super(message);
        this.device = device;
    }

    /** The device (path) the refusal is about, or the volume's UUID when it is a member nobody gave. */
    public String device() {
        return device;
    }
}
