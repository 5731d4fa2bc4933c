package org.quillfs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The 32-byte header every metadata block starts with, and the block checksum.
 *
 * <pre>
 *   0  u32 magic "QLFS"      4  u16 type      6  u16 header version (1)
 *   8  u64 own block number  16 u64 LSN of the last change applied
 *  24  u32 CRC32C            28  u32 reserved
 * </pre>
 *
 * The CRC covers the filesystem UUID, then the whole block with the CRC field taken as zero, so
 * a well-formed block left over from an earlier format of the same device does not verify.
 * All methods use absolute positions and leave the buffer's position and limit alone.
 */
public final class BlockHeader {

    private BlockHeader() {
    }

    public static final int SIZE = 32;
    public static final int MAGIC = 0x53464C51; // "QLFS" little-endian
    public static final int VERSION = 1;

    /** Bytes LSN_START..LSN_END-1 hold the LSN and the checksum: a logged change never covers them. */
    public static final int LSN_START = 16;
    public static final int LSN_END = 28;

    private static final int TYPE = 4;
    private static final int HEADER_VERSION = 6;
    private static final int BLOCK_NR = 8;
    private static final int LSN = 16;
    private static final int CRC = 24;

    /** Where the CRC32C is stored (u32). */
    public static final int CRC_OFFSET = CRC;
    private static final byte[] ZERO_CRC = new byte[4];

    /** Writes a fresh header (LSN 0, CRC not yet computed) at the start of {@code block}. */
    public static void init(ByteBuffer block, BlockType type, long blockNr) {
        ByteBuffer b = le(block);
        b.putInt(0, MAGIC);
        b.putShort(TYPE, (short) type.code());
        b.putShort(HEADER_VERSION, (short) VERSION);
        b.putLong(BLOCK_NR, blockNr);
        b.putLong(LSN, 0);
        b.putInt(CRC, 0);
        b.putInt(28, 0);
    }

    public static int magic(ByteBuffer block) {
        return le(block).getInt(0);
    }

    public static int typeCode(ByteBuffer block) {
        return Short.toUnsignedInt(le(block).getShort(TYPE));
    }

    public static long blockNr(ByteBuffer block) {
        return le(block).getLong(BLOCK_NR);
    }

    public static long lsn(ByteBuffer block) {
        return le(block).getLong(LSN);
    }

    public static void setLsn(ByteBuffer block, long lsn) {
        le(block).putLong(LSN, lsn);
    }

    public static int storedCrc(ByteBuffer block) {
        return le(block).getInt(CRC);
    }

    /** Computes the checksum and stores it: the last step before a block is written. */
    public static void seal(ByteBuffer block, UUID uuid) {
        le(block).putInt(CRC, computeCrc(block, uuid));
    }

    /** The CRC the block should carry, given its current contents. */
    public static int computeCrc(ByteBuffer block, UUID uuid) {
        CRC32C crc = new CRC32C();
        crc.update(uuidBytes(uuid));
        ByteBuffer whole = block.duplicate().clear();
        crc.update(whole.limit(CRC));
        crc.update(ZERO_CRC);
        crc.update(whole.limit(block.capacity()).position(CRC + 4));
        return (int) crc.getValue();
    }

    /**
     * What is wrong with {@code block} as a block of {@code expected} type stored at
     * {@code blockNr}, or empty when it verifies. The first problem found is reported, in the
     * order magic, header version, type, block number, checksum.
     */
    public static Optional<String> problem(ByteBuffer block, UUID uuid, BlockType expected, long blockNr) {
        if (magic(block) != MAGIC) {
            return Optional.of(String.format("bad magic 0x%08x (not a quillfs metadata block)", magic(block)));
        }
        int version = Short.toUnsignedInt(le(block).getShort(HEADER_VERSION));
        if (version != VERSION) {
            return Optional.of("header version " + version + " is not " + VERSION);
        }
        int type = typeCode(block);
        if (type != expected.code()) {
            String found = BlockType.fromCode(type).map(Enum::name).orElse("unknown type " + type);
            return Optional.of(found + " block where " + expected + " was expected");
        }
        if (blockNr(block) != blockNr) {
            return Optional.of("block says it is block " + blockNr(block) + " (misplaced write?)");
        }
        int stored = storedCrc(block);
        int computed = computeCrc(block, uuid);
        if (stored != computed) {
            return Optional.of(String.format("bad checksum 0x%08x, contents give 0x%08x", stored, computed));
        }
        return Optional.empty();
    }

    /**
     * Whether {@code block} is a sound metadata block of any type stored at {@code blockNr}:
     * magic, header version, block number and checksum match. Recovery uses it to decide if a
     * block's page LSN can be trusted.
     */
    public static boolean isSound(ByteBuffer block, UUID uuid, long blockNr) {
        return magic(block) == MAGIC && Short.toUnsignedInt(le(block).getShort(HEADER_VERSION)) == VERSION
                && blockNr(block) == blockNr && storedCrc(block) == computeCrc(block, uuid);
    }

    public static byte[] uuidBytes(UUID uuid) {
        return ByteBuffer.allocate(16)
                .putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits())
                .array();
    }

    public static UUID uuidFrom(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new UUID(b.getLong(), b.getLong());
    }

    /**
     * A little-endian view of the whole block (index 0 = first byte of the block), for absolute
     * access only. A buffer that already is one (little-endian, its limit at its capacity; its
     * position does not matter to absolute access) is returned as it is — cached blocks' views
     * are — since a view per field read was a good part of a create's allocation.
     */
    static ByteBuffer le(ByteBuffer block) {
        if (block.order() == ByteOrder.LITTLE_ENDIAN && block.limit() == block.capacity()) {
            return block;
        }
        return block.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
    }
}
