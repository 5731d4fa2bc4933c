package org.quillfs.volume;

import java.nio.ByteBuffer;

/** Argument checks shared by every {@link BlockDevice} implementation. */
final class Transfers {

    private Transfers() {
    }

    /**
     * Checks that {@code buffers} cover whole blocks inside the device and returns how many
     * bytes they hold together.
     */
    static long checkedLength(BlockDevice device, long firstBlock, ByteBuffer[] buffers) {
        long bytes = 0;
        for (ByteBuffer buffer : buffers) {
            bytes += buffer.remaining();
        }
        int blockSize = device.blockSize();
        if (bytes == 0 || bytes % blockSize != 0) {
            throw new IllegalArgumentException(device.name() + ": transfer of " + bytes
                    + " bytes is not a positive multiple of the block size " + blockSize);
        }
        long blocks = bytes / blockSize;
        if (firstBlock < 0 || firstBlock > device.blockCount() - blocks) {
            throw new IllegalArgumentException(device.name() + ": blocks " + firstBlock + ".."
                    + (firstBlock + blocks - 1) + " are outside the device (" + device.blockCount() + " blocks)");
        }
        return bytes;
    }

    static void checkBlockSize(int blockSize) {
        if (blockSize < 512 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size " + blockSize + " is not a power of two of at least 512");
        }
    }
}
