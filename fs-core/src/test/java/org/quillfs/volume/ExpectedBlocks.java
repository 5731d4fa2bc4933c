package org.quillfs.volume;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * What a device should hold, modelled apart from the devices under test: the contents of every
 * block written so far, by number; a block never written holds zeros.
 */
final class ExpectedBlocks {

    private final int blockSize;
    private final Map<Long, byte[]> blocks = new HashMap<>();

    ExpectedBlocks(int blockSize) {
        this.blockSize = blockSize;
    }

    ExpectedBlocks copy() {
        ExpectedBlocks copy = new ExpectedBlocks(blockSize);
        copy.blocks.putAll(blocks);
        return copy;
    }

    /** Stores {@code data}, one block after another, from {@code firstBlock} on. */
    void write(long firstBlock, byte[] data) {
        for (int i = 0; i * blockSize < data.length; i++) {
            blocks.put(firstBlock + i, Arrays.copyOfRange(data, i * blockSize, (i + 1) * blockSize));
        }
    }

    byte[] block(long number) {
        return blocks.getOrDefault(number, new byte[blockSize]).clone();
    }

    /** Checks every block of {@code device} (keep it small), naming {@code state} when one differs. */
    void assertHeldBy(BlockDevice device, String state) {
        for (long number = 0; number < device.blockCount(); number++) {
            assertThat(read(device, number)).as("%s: block %d", state, number).isEqualTo(block(number));
        }
    }

    static byte[] read(BlockDevice device, long number) {
        ByteBuffer block = ByteBuffer.allocate(device.blockSize());
        device.read(number, block);
        return block.array();
    }
}
