package org.quillfs.format;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Block and inode bitmap blocks (docs/FORMAT.md, "Bitmaps"): after the header, bit {@code i}
 * (byte {@code i / 8}, bit {@code i % 8}, least significant first) is item {@code i} of the
 * group, 1 = in use. Bits past the group's last item are 1, so the zero bits are exactly the
 * free items.
 */
public final class Bitmap {

    private Bitmap() {
    }

    /**
     * Makes {@code block} a bitmap (unsealed) for a group of {@code validBits} items, all free:
     * bits below {@code validBits} are 0, the rest 1.
     *
     * @throws IllegalArgumentException if {@code type} is not a bitmap type or {@code validBits}
     *     is not between 0 and {@link #bits} of the block
     */
    public static void init(ByteBuffer block, BlockType type, long blockNr, int validBits) {
        if (type != BlockType.BLOCK_BITMAP && type != BlockType.INODE_BITMAP) {
            throw new IllegalArgumentException(type + " is not a bitmap block type");
        }
        int size = block.capacity();
        if (validBits < 0 || validBits > bits(size)) {
            throw new IllegalArgumentException(validBits + " items do not fit a bitmap of " + bits(size) + " bits");
        }
        ByteBuffer b = MetadataBlock.begin(block, type, blockNr);
        int at = BlockHeader.SIZE + validBits / 8;
        if (validBits % 8 != 0) {
            b.put(at++, (byte) (0xFF << validBits % 8));
        }
        for (; at < size; at++) {
            b.put(at, (byte) 0xFF);
        }
    }

    /** @throws IndexOutOfBoundsException if {@code bit} is not a bit of the bitmap */
    public static boolean isSet(ByteBuffer block, int bit) {
        return (BlockHeader.le(block).get(byteOf(block, bit)) & 1 << bit % 8) != 0;
    }

    /** @throws IndexOutOfBoundsException if {@code bit} is not a bit of the bitmap */
    public static void set(ByteBuffer block, int bit, boolean used) {
        ByteBuffer b = BlockHeader.le(block);
        int at = byteOf(block, bit);
        int mask = 1 << bit % 8;
        b.put(at, (byte) (used ? b.get(at) | mask : b.get(at) & ~mask));
    }

    /** The zero bits over the whole bitmap: the group's free items. */
    public static int countClear(ByteBuffer block) {
        ByteBuffer b = BlockHeader.le(block);
        int used = 0;
        for (int at = BlockHeader.SIZE; at < block.capacity(); at += Long.BYTES) {
            used += Long.bitCount(b.getLong(at));
        }
        return bits(block.capacity()) - used;
    }

    /** Bits in one bitmap block: also the blocks per group. */
    public static int bits(int blockSize) {
        return Geometry.bitsPerBitmap(blockSize);
    }

    private static int byteOf(ByteBuffer block, int bit) {
        return BlockHeader.SIZE + Objects.checkIndex(bit, bits(block.capacity())) / 8;
    }
}
