package org.quillfs.format;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The data area of a directory inode (docs/FORMAT.md, "Directory root"): where its B+tree of
 * entries starts.
 *
 * <pre>
 *   0 u16 magic 0xD12E   2 u16 depth (0 = root_block is a leaf)   4 reserved
 *   8 u64 root_block (0 = empty directory)   16 u64 entry_count (without . and ..)   24 zero
 * </pre>
 *
 * {@code depth} (u16) is held as a non-negative int.
 */
public record DirectoryRoot(int depth, long rootBlock, long entryCount) {

    public static final int MAGIC = 0xD12E;

    private static final int DEPTH = 2;
    private static final int ROOT_BLOCK = 8;
    private static final int ENTRY_COUNT = 16;

    /**
     * The 128-byte data area holding this root.
     *
     * @throws IllegalArgumentException if {@code depth} does not fit in a u16
     */
    public byte[] encode() {
        ByteBuffer b = Inode.dataArea(new byte[Limits.INODE_DATA_SIZE]);
        b.putShort(0, (short) MAGIC);
        b.putShort(DEPTH, Unsigned.u16("depth", depth));
        b.putLong(ROOT_BLOCK, rootBlock);
        b.putLong(ENTRY_COUNT, entryCount);
        return b.array();
    }

    /**
     * Reads the root without checking it (see {@link #problem}); any 128 bytes decode.
     *
     * @throws IllegalArgumentException if {@code data} is not 128 bytes
     */
    public static DirectoryRoot decode(byte[] data) {
        ByteBuffer b = Inode.dataArea(data);
        return new DirectoryRoot(Short.toUnsignedInt(b.getShort(DEPTH)), b.getLong(ROOT_BLOCK), b.getLong(ENTRY_COUNT));
    }

    /**
     * Why {@code data} is not a directory root, or empty.
     *
     * @throws IllegalArgumentException if {@code data} is not 128 bytes
     */
    public static Optional<String> problem(byte[] data) {
        int magic = Short.toUnsignedInt(Inode.dataArea(data).getShort(0));
        if (magic != MAGIC) {
            return Optional.of(String.format("directory root has magic 0x%04x, not 0x%04x", magic, MAGIC));
        }
        DirectoryRoot root = decode(data);
        if (root.rootBlock == 0 && root.entryCount != 0) {
            return Optional.of("empty directory root (no root block) counts "
                    + Long.toUnsignedString(root.entryCount) + " entries");
        }
        return Optional.empty();
    }
}
