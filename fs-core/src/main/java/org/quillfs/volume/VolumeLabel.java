package org.quillfs.volume;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The label in block 0 of every member of a multi-device volume: which volume the member
 * belongs to, where it goes in it, and how the volume is laid out. A single-device filesystem
 * has no label (its block 0 is the superblock), so images made before volumes are unchanged.
 * Labels are written by mkfs only, after the filesystem, and never changed.
 *
 * <pre>
 *   offset size  field                                  (little-endian)
 *     0     8    magic "QUILLVOL"
 *     8     2    version (1)
 *    10     2    layout: 1 concat, 2 stripe
 *    12     4    block size in bytes (the filesystem's)
 *    16    16    volume UUID (random, shared by every member; not the filesystem UUID)
 *    32     4    member index, 0 .. count-1
 *    36     4    member count
 *    40     4    stripe unit in blocks (0 for concat)
 *    44     4    reserved, 0
 *    48     8    member size in blocks, the label block included
 *    56     8    volume size in blocks
 *    64   444    reserved, 0
 *   508     4    CRC32C of bytes 0..507
 * </pre>
 *
 * The rest of block 0 is zero. Member block {@code 1 + i} holds data block {@code i} of the
 * member ({@link MemberDataArea}).
 */
public record VolumeLabel(UUID volume, int member, int memberCount, Layout layout, int blockSize, int stripeUnit,
        long memberBlocks, long volumeBlocks) {

    /** Blocks at the start of each member that hold its label. */
    public static final int LABEL_BLOCKS = 1;
    /** Bytes the label takes at the start of its block: what must be read to find it. */
    public static final int SIZE = 512;
    static final long MAGIC = 0x4C4F564C4C495551L; // "QUILLVOL" little-endian
    static final int VERSION = 1;
    private static final int CRC = 508;

    /** Whether {@code head} (at least the first 8 bytes of a device) starts with a volume label. */
    public static boolean present(ByteBuffer head) {
        return head.limit() >= 8 && head.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(0) == MAGIC;
    }

    /**
     * Decodes the label at the start of {@code head} (at least {@link #SIZE} bytes), which
     * {@link #present} said is there.
     *
     * @throws IllegalArgumentException naming what is wrong, when the label is damaged
     */
    public static VolumeLabel decode(ByteBuffer head) {
        ByteBuffer b = head.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.limit() < SIZE) {
            throw new IllegalArgumentException("its volume label is cut short");
        }
        if (Integer.toUnsignedLong(b.getInt(CRC)) != crc(b)) {
            throw new IllegalArgumentException("its volume label is damaged (checksum mismatch)");
        }
        int version = Short.toUnsignedInt(b.getShort(8));
        if (version != VERSION) {
            throw new IllegalArgumentException("its volume label has version " + version + ", this build reads "
                    + VERSION);
        }
        Layout layout = Layout.ofCode(Short.toUnsignedInt(b.getShort(10)));
        VolumeLabel label = new VolumeLabel(new UUID(b.getLong(16), b.getLong(24)), b.getInt(32), b.getInt(36),
                layout, b.getInt(12), b.getInt(40), b.getLong(48), b.getLong(56));
        String problem = label.problem();
        if (problem != null) {
            throw new IllegalArgumentException("its volume label is damaged (" + problem + ")");
        }
        return label;
    }

    /** The whole label block: the label, then zeros. */
    public ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(blockSize).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, MAGIC);
        b.putShort(8, (short) VERSION);
        b.putShort(10, (short) layout.code());
        b.putInt(12, blockSize);
        b.putLong(16, volume.getMostSignificantBits());
        b.putLong(24, volume.getLeastSignificantBits());
        b.putInt(32, member);
        b.putInt(36, memberCount);
        b.putInt(40, stripeUnit);
        b.putLong(48, memberBlocks);
        b.putLong(56, volumeBlocks);
        b.putInt(CRC, (int) crc(b));
        return b;
    }

    /** Writes this label to block 0 of {@code wholeMember} (the member device itself, not its data area). */
    public void writeTo(BlockDevice wholeMember) {
        wholeMember.write(0, encode());
    }

    /** Whether {@code other} describes the same volume the same way (all but member index and size). */
    boolean sameVolumeAs(VolumeLabel other) {
        return volume.equals(other.volume) && memberCount == other.memberCount && layout == other.layout
                && blockSize == other.blockSize && stripeUnit == other.stripeUnit && volumeBlocks == other.volumeBlocks;
    }

    private String problem() {
        if (layout == null) {
            return "unknown layout";
        }
        if (blockSize < 512 || Integer.bitCount(blockSize) != 1) {
            return "block size " + blockSize;
        }
        if (memberCount < 1 || member < 0 || member >= memberCount) {
            return "member " + member + " of " + memberCount;
        }
        if ((layout == Layout.STRIPE) != (stripeUnit > 0) || stripeUnit < 0) {
            return "stripe unit " + stripeUnit + " for a " + layout.word() + " layout";
        }
        if (memberBlocks <= LABEL_BLOCKS || volumeBlocks < 1) {
            return "sizes " + memberBlocks + " and " + volumeBlocks;
        }
        return null;
    }

    private static long crc(ByteBuffer label) {
        CRC32C crc = new CRC32C();
        crc.update(label.duplicate().position(0).limit(CRC));
        return crc.getValue();
    }
}
