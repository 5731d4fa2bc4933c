package org.quillfs.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Behaviour every {@link BlockDevice} shares; each implementation's test extends this. */
abstract class BlockDeviceContract {

    static final int BLOCK = 1024;
    static final long BLOCKS = 64;

    /** A fresh, zero-filled, writable device of {@link #BLOCKS} blocks of {@link #BLOCK} bytes. */
    abstract BlockDevice newDevice() throws Exception;

    @Test
    void unwrittenBlocksReadAsZeros() throws Exception {
        try (BlockDevice device = newDevice()) {
            ByteBuffer dst = ByteBuffer.allocate(3 * BLOCK);
            Arrays.fill(dst.array(), (byte) 7);
            device.read(10, dst);
            assertThat(dst.array()).containsOnly(0);
            assertThat(dst.remaining()).isZero();
        }
    }

    @Test
    void writtenBlocksReadBackExactly() throws Exception {
        try (BlockDevice device = newDevice()) {
            byte[] data = random(5 * BLOCK, 1);
            device.write(7, ByteBuffer.wrap(data));
            device.flush();
            ByteBuffer dst = ByteBuffer.allocate(5 * BLOCK);
            device.read(7, dst);
            assertThat(dst.array()).isEqualTo(data);
        }
    }

    @Test
    void vectoredWriteGathersBuffersWhoseEdgesAreNotBlockEdges() throws Exception {
        try (BlockDevice device = newDevice()) {
            byte[] data = random(4 * BLOCK, 2);
            ByteBuffer[] pieces = {
                ByteBuffer.wrap(data, 0, 100), ByteBuffer.wrap(data, 100, 2000), ByteBuffer.wrap(data, 2100, 4 * BLOCK - 2100)
            };
            device.write(20, pieces);
            for (ByteBuffer piece : pieces) {
                assertThat(piece.hasRemaining()).isFalse();
            }
            ByteBuffer whole = ByteBuffer.allocate(4 * BLOCK);
            device.read(20, whole);
            assertThat(whole.array()).isEqualTo(data);
        }
    }

    @Test
    void vectoredReadScattersIntoSeveralBuffers() throws Exception {
        try (BlockDevice device = newDevice()) {
            byte[] data = random(2 * BLOCK, 3);
            device.write(0, ByteBuffer.wrap(data));
            ByteBuffer a = ByteBuffer.allocate(700);
            ByteBuffer b = ByteBuffer.allocate(2 * BLOCK - 700);
            device.read(0, a, b);
            assertThat(a.array()).isEqualTo(Arrays.copyOfRange(data, 0, 700));
            assertThat(b.array()).isEqualTo(Arrays.copyOfRange(data, 700, 2 * BLOCK));
        }
    }

    @Test
    void writesDoNotTouchNeighbouringBlocks() throws Exception {
        try (BlockDevice device = newDevice()) {
            device.write(5, ByteBuffer.wrap(random(BLOCK, 4)));
            ByteBuffer before = ByteBuffer.allocate(BLOCK);
            ByteBuffer after = ByteBuffer.allocate(BLOCK);
            device.read(4, before);
            device.read(6, after);
            assertThat(before.array()).containsOnly(0);
            assertThat(after.array()).containsOnly(0);
        }
    }

    @Test
    void transfersOfPartialBlocksAreRefused() throws Exception {
        try (BlockDevice device = newDevice()) {
            assertThatThrownBy(() -> device.write(0, ByteBuffer.allocate(BLOCK + 1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a positive multiple of the block size");
            assertThatThrownBy(() -> device.read(0, ByteBuffer.allocate(0)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void transfersPastTheEndAreRefusedNamingTheBlocks() throws Exception {
        try (BlockDevice device = newDevice()) {
            assertThatThrownBy(() -> device.write(BLOCKS - 1, ByteBuffer.allocate(2 * BLOCK)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("blocks 63..64 are outside the device (64 blocks)");
            assertThatThrownBy(() -> device.read(-1, ByteBuffer.allocate(BLOCK)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void reportsItsGeometry() throws Exception {
        try (BlockDevice device = newDevice()) {
            assertThat(device.blockSize()).isEqualTo(BLOCK);
            assertThat(device.blockCount()).isEqualTo(BLOCKS);
        }
    }

    static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }
}
