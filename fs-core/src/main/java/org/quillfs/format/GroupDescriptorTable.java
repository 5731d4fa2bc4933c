package org.quillfs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Blocks of the group descriptor table (docs/FORMAT.md, "Group descriptor table"): blocks
 * 1 .. gdt_blocks, type GROUP_DESCRIPTORS, each holding {@link #slots} descriptors after the
 * header. Descriptor {@code g} is in block {@code 1 + g / slots} at slot {@code g % slots}.
 *
 * <pre>
 *   0 u64 block_bitmap   8 u64 inode_bitmap  16 u64 inode_table
 *  24 u32 free_blocks   28 u32 free_inodes   32 u32 directories  36 u16 flags  38 reserved
 *  40 u32 itable_initialized                 44 reserved to 64
 * </pre>
 */
public final class GroupDescriptorTable {

    private GroupDescriptorTable() {
    }

    private static final int BLOCK_BITMAP = 0;
    private static final int INODE_BITMAP = 8;
    private static final int INODE_TABLE = 16;
    private static final int FREE_BLOCKS = 24;
    private static final int FREE_INODES = 28;
    private static final int DIRECTORIES = 32;
    private static final int FLAGS = 36;
    private static final int ITABLE_INITIALIZED = 40;

    /** Makes {@code block} a descriptor table block with every slot zero (unsealed). */
    public static void initBlock(ByteBuffer block, long blockNr) {
        MetadataBlock.begin(block, BlockType.GROUP_DESCRIPTORS, blockNr);
    }

    /**
     * Writes descriptor {@code d} into {@code slot}, reserved bytes zero, leaving the header and
     * the other slots alone.
     *
     * @throws IndexOutOfBoundsException if the block has no such slot
     * @throws IllegalArgumentException if a count or the flags do not fit their fields
     */
    public static void put(ByteBuffer block, int slot, GroupDescriptor d) {
        BlockHeader.le(block).put(offset(block, slot), encode(d));
    }

    /**
     * Descriptor {@code d} as the {@value Limits#GROUP_DESCRIPTOR_SIZE} bytes of its slot,
     * reserved bytes zero.
     *
     * @throws IllegalArgumentException if a count or the flags do not fit their fields
     */
    public static byte[] encode(GroupDescriptor d) {
        int freeBlocks = Unsigned.u32("free_blocks", d.freeBlocks());
        int freeInodes = Unsigned.u32("free_inodes", d.freeInodes());
        int directories = Unsigned.u32("directories", d.directories());
        short flags = Unsigned.u16("flags", d.flags());
        int itableInitialized = Unsigned.u32("itable_initialized", d.itableInitialized());
        byte[] bytes = new byte[Limits.GROUP_DESCRIPTOR_SIZE];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(BLOCK_BITMAP, d.blockBitmap());
        b.putLong(INODE_BITMAP, d.inodeBitmap());
        b.putLong(INODE_TABLE, d.inodeTable());
        b.putInt(FREE_BLOCKS, freeBlocks);
        b.putInt(FREE_INODES, freeInodes);
        b.putInt(DIRECTORIES, directories);
        b.putShort(FLAGS, flags);
        b.putInt(ITABLE_INITIALIZED, itableInitialized);
        return bytes;
    }

    /**
     * Reads the descriptor in {@code slot}; any bytes decode.
     *
     * @throws IndexOutOfBoundsException if the block has no such slot
     */
    public static GroupDescriptor get(ByteBuffer block, int slot) {
        return decode(BlockHeader.le(block), offset(block, slot));
    }

    /** Decodes one descriptor's {@link Limits#GROUP_DESCRIPTOR_SIZE} bytes, as {@link #encode} made them. */
    public static GroupDescriptor decode(byte[] descriptor) {
        if (descriptor.length != Limits.GROUP_DESCRIPTOR_SIZE) {
            throw new IllegalArgumentException("a group descriptor has " + Limits.GROUP_DESCRIPTOR_SIZE + " bytes, not "
                    + descriptor.length);
        }
        return decode(ByteBuffer.wrap(descriptor).order(ByteOrder.LITTLE_ENDIAN), 0);
    }

    private static GroupDescriptor decode(ByteBuffer b, int at) {
        return new GroupDescriptor(
                b.getLong(at + BLOCK_BITMAP),
                b.getLong(at + INODE_BITMAP),
                b.getLong(at + INODE_TABLE),
                Integer.toUnsignedLong(b.getInt(at + FREE_BLOCKS)),
                Integer.toUnsignedLong(b.getInt(at + FREE_INODES)),
                Integer.toUnsignedLong(b.getInt(at + DIRECTORIES)),
                Short.toUnsignedInt(b.getShort(at + FLAGS)),
                Integer.toUnsignedLong(b.getInt(at + ITABLE_INITIALIZED)));
    }

    /** Descriptors per table block. */
    public static int slots(int blockSize) {
        return Geometry.descriptorsPerBlock(blockSize);
    }

    /** The block number of the table block holding group {@code group}'s descriptor. */
    public static long tableBlockOf(int group, int blockSize) {
        return 1 + group / slots(blockSize);
    }

    /** The slot of group {@code group}'s descriptor within its table block. */
    public static int slotOf(int group, int blockSize) {
        return group % slots(blockSize);
    }

    private static int offset(ByteBuffer block, int slot) {
        return BlockHeader.SIZE + Objects.checkIndex(slot, slots(block.capacity())) * Limits.GROUP_DESCRIPTOR_SIZE;
    }
}
