package org.quillfs.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;

/** Block buffers for the format tests. */
final class TestBlocks {

    private TestBlocks() {
    }

    static ByteBuffer zeroed(int blockSize) {
        return ByteBuffer.allocate(blockSize);
    }

    /**
     * A direct buffer full of random bytes, with a position, limit and byte order a codec must
     * neither rely on nor change.
     */
    static ByteBuffer garbage(int blockSize, long seed) {
        byte[] bytes = new byte[blockSize];
        new Random(seed).nextBytes(bytes);
        ByteBuffer block = ByteBuffer.allocateDirect(blockSize).put(bytes);
        return block.position(7).limit(blockSize - 3).order(ByteOrder.BIG_ENDIAN);
    }

    static byte[] bytes(ByteBuffer block) {
        byte[] bytes = new byte[block.capacity()];
        block.duplicate().clear().get(0, bytes);
        return bytes;
    }

    /** A little-endian view to read fields at their FORMAT.md offsets. */
    static ByteBuffer le(ByteBuffer block) {
        return block.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
    }

    static void flipBit(ByteBuffer block, int bit) {
        ByteBuffer whole = block.duplicate().clear();
        whole.put(bit / 8, (byte) (whole.get(bit / 8) ^ 1 << bit % 8));
    }

    /**
     * Checks that {@code encoder} writes the same bytes into a garbage buffer as into a zeroed one,
     * and leaves the garbage buffer's position, limit and byte order alone.
     */
    static void assertSameBytesIntoGarbageAsIntoZeros(int blockSize, long seed, Consumer<ByteBuffer> encoder) {
        ByteBuffer clean = zeroed(blockSize);
        encoder.accept(clean);
        ByteBuffer dirty = garbage(blockSize, seed);
        encoder.accept(dirty);
        assertThat(bytes(dirty)).isEqualTo(bytes(clean));
        assertThat(dirty.position()).isEqualTo(7);
        assertThat(dirty.limit()).isEqualTo(blockSize - 3);
        assertThat(dirty.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
    }

    /** Seals {@code block} and checks that it verifies as {@code type} at {@code blockNr}. */
    static void assertVerifiesOnceSealed(ByteBuffer block, BlockType type, long blockNr) {
        UUID uuid = new UUID(0x0123456789abcdefL, 0xfedcba9876543210L);
        BlockHeader.seal(block, uuid);
        assertThat(BlockHeader.problem(block, uuid, type, blockNr)).isEmpty();
    }
}
