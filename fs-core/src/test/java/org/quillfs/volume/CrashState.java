package org.quillfs.volume;

import java.util.function.Supplier;

/**
 * One way a device can be left by a crash: a name that says which crash it is, for assertion
 * messages, and the device contents, built only when asked for.
 */
public final class CrashState {

    private final String name;
    private final Supplier<MemoryBlockDevice> image;

    CrashState(String name, Supplier<MemoryBlockDevice> image) {
        this.name = name;
        this.image = image;
    }

    /** Which crash this is, e.g. "after write 17 of 40 (blocks 96..97 torn: sectors 0,3 of 4 new)". */
    public String name() {
        return name;
    }

    /**
     * A new device holding what the disk holds after this crash. Every call builds another, so a
     * test may recover (or damage) one and still start again from the same crash.
     */
    public MemoryBlockDevice device() {
        return image.get();
    }

    @Override
    public String toString() {
        return name;
    }
}
