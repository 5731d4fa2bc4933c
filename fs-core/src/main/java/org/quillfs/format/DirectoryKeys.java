package org.quillfs.format;

import com.google.common.hash.Hashing;
import java.util.Optional;

/**
 * Directory entry keys, names and file types (docs/FORMAT.md, "Directories").
 *
 * <pre>
 *   hash48 = SipHash-2-4(dir_hash_seed, name) >>> 16      (0 is replaced by 1)
 *   key    = hash48 << 15 | seq                           (seq 0..32767, smallest unused)
 * </pre>
 *
 * The SipHash key is the superblock's dir_hash_seed read as two little-endian u64s, key0 then
 * key1. Keys are therefore 2¹⁵ .. 2⁶³−1; smaller readdir offsets stand for the start,
 * {@code .} and {@code ..}.
 */
public final class DirectoryKeys {

    private DirectoryKeys() {
    }

    public static final int MAX_SEQ = 32767;

    /** Never stored: what {@link #fileTypeOf} gives for a mode with no valid file type. */
    public static final int DT_UNKNOWN = 0;
    public static final int DT_FIFO = 1;
    public static final int DT_CHR = 2;
    public static final int DT_DIR = 4;
    public static final int DT_BLK = 6;
    public static final int DT_REG = 8;
    public static final int DT_LNK = 10;
    public static final int DT_SOCK = 12;

    private static final int SEQ_BITS = 15;
    private static final long MAX_HASH48 = (1L << 48) - 1;

    public static long hash48(long key0, long key1, byte[] name) {
        return hash48(Hashing.sipHash24(key0, key1).hashBytes(name).asLong());
    }

    /** The top 48 bits of a 64-bit SipHash, 0 replaced by 1 so that every key is at least 2¹⁵. */
    static long hash48(long sipHash) {
        long hash = sipHash >>> 16;
        return hash == 0 ? 1 : hash;
    }

    /** @throws IllegalArgumentException if {@code hash48} is not 1 .. 2⁴⁸−1 or {@code seq} not 0 .. 32767 */
    public static long key(long hash48, int seq) {
        if (hash48 < 1 || hash48 > MAX_HASH48 || seq < 0 || seq > MAX_SEQ) {
            throw new IllegalArgumentException("no key for hash 0x" + Long.toHexString(hash48) + ", seq " + seq);
        }
        return hash48 << SEQ_BITS | seq;
    }

    public static long hashOf(long key) {
        return key >>> SEQ_BITS;
    }

    /** Whether {@code key} can be a stored key: its hash48 part is not 0 and it fits 63 bits. */
    static boolean isValidKey(long key) {
        return key >= 1L << SEQ_BITS;
    }

    /** Why {@code name} cannot be a directory entry's name, or empty when it can. */
    public static Optional<String> nameProblem(byte[] name) {
        if (name.length == 0) {
            return Optional.of("name is empty");
        }
        if (name.length > Limits.MAX_NAME_BYTES) {
            return Optional.of("name is " + name.length + " bytes, more than " + Limits.MAX_NAME_BYTES);
        }
        for (byte b : name) {
            if (b == '/') {
                return Optional.of("name contains '/'");
            }
            if (b == 0) {
                return Optional.of("name contains a NUL byte");
            }
        }
        if (name[0] == '.' && (name.length == 1 || name.length == 2 && name[1] == '.')) {
            return Optional.of("name is \".\" or \"..\"");
        }
        return Optional.empty();
    }

    /** Whether {@code type} is one of the {@code DT_*} values an entry may carry. */
    static boolean isFileType(int type) {
        return type == DT_FIFO || type == DT_CHR || type == DT_DIR || type == DT_BLK
                || type == DT_REG || type == DT_LNK || type == DT_SOCK;
    }

    /** The {@code DT_*} type of an inode with this {@code st_mode}, or {@link #DT_UNKNOWN}. */
    public static int fileTypeOf(int mode) {
        return switch (mode & Inode.S_IFMT) {
            case Inode.S_IFIFO -> DT_FIFO;
            case Inode.S_IFCHR -> DT_CHR;
            case Inode.S_IFDIR -> DT_DIR;
            case Inode.S_IFBLK -> DT_BLK;
            case Inode.S_IFREG -> DT_REG;
            case Inode.S_IFLNK -> DT_LNK;
            case Inode.S_IFSOCK -> DT_SOCK;
            default -> DT_UNKNOWN;
        };
    }
}
