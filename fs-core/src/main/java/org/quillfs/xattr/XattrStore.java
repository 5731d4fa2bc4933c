package org.quillfs.xattr;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongFunction;
import org.quillfs.alloc.Allocator;
import org.quillfs.alloc.Reservation;
import org.quillfs.cache.CachedBlock;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.Geometry;
import org.quillfs.format.XattrBlock;
import org.quillfs.format.XattrBlock.Entry;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.txn.BlockReader;
import org.quillfs.txn.Transaction;

/**
 * The extended attributes of inodes (docs/FORMAT.md, "Extended attributes"), read and changed
 * inside the caller's transaction.
 *
 * <h2>Overview</h2>
 * All of an inode's attributes live in one XATTR block named by the inode's
 * {@code xattr_block} (0: none), as ext4 keeps them with one external block and no sharing.
 * The caller holds the inode and passes its {@code xattr_block}; {@link #set} and
 * {@link #remove} return the new one, which the caller writes into the inode in the same
 * transaction (and counts in its {@code blocks} when it goes from 0 to a block or back). The
 * first attribute allocates the block, the removal of the last frees it.
 *
 * <h2>Names and limits</h2>
 * Names are Strings, stored as UTF-8, and must be valid UTF-8 through this API (Linux names are
 * byte strings; FUSE hands them over as Strings). The errors are those Linux and ext4 give, in
 * the order Linux checks: flags other than {@link #XATTR_CREATE} and {@link #XATTR_REPLACE}
 * EINVAL; a full name empty or over 255 bytes ERANGE (one with no UTF-8 form, or with a NUL,
 * EINVAL); a value over {@link #MAX_VALUE_BYTES} E2BIG; a name in no supported namespace
 * ENOTSUP (EOPNOTSUPP on Linux); nothing after {@code user.}, {@code trusted.} or
 * {@code security.} EINVAL; then EEXIST / ENODATA for the flags, and ENOSPC when the
 * attributes no longer fit in one block. A missing name is ENODATA for {@link #remove} and an
 * empty result for {@link #get}. Values are bytes stored as given,
 * {@code system.posix_acl_*} included. Permission checks, and hiding {@code trusted.} from
 * unprivileged callers, belong to the caller.
 *
 * <h2>Writing and verification</h2>
 * A change rewrites the block image in memory and logs only the span that changes (a new block:
 * whole, but for the header's LSN and checksum, which are never logged). A block is checked
 * before use: inside the groups, header (type, number, checksum — the checksum only when the
 * cached copy is clean, since a dirty copy's checksum is stale by design), structure and owner.
 * Damage is {@link FsException#damaged} (EIO) naming the inode and the block, and changes nothing.
 *
 * <p>Holds no state but its configuration: safe to share between threads.
 */
public final class XattrStore {

    /** setxattr flag: fail with EEXIST if the attribute exists. */
    public static final int XATTR_CREATE = 1;
    /** setxattr flag: fail with ENODATA if the attribute does not exist. */
    public static final int XATTR_REPLACE = 2;
    /** The longest value (Linux's XATTR_SIZE_MAX); a block holds less, so a long value may be ENOSPC. */
    public static final int MAX_VALUE_BYTES = 65536;
    /** Blocks one {@link #set} may allocate: for the allocator reservation. */
    public static final int BLOCKS_PER_SET = 1;

    private final Geometry geometry;
    private final int blockSize;
    private final UUID uuid;
    private final Allocator allocator;

    public XattrStore(Geometry geometry, UUID uuid, Allocator allocator) {
        this.geometry = geometry;
        this.blockSize = geometry.blockSize();
        this.uuid = uuid;
        this.allocator = allocator;
    }

    // ------------------------------------------------------------------ budgets

    /** Log bytes one {@link #set} may append at worst: allocating and writing a new block. */
    public long logBytesPerSet() {
        return allocator.logBytesPerBlockRun(1) + LogRecordCodec.updateSize(BlockHeader.LSN_START) + blockLogBytes();
    }

    /** Log bytes one {@link #remove} (or {@link #freeAll}) may append at worst: rewriting or freeing the block. */
    public long logBytesPerRemove() {
        return Math.max(blockLogBytes(), allocator.logBytesPerBlockRun(1));
    }

    private long blockLogBytes() {
        return LogRecordCodec.updateSize(blockSize - BlockHeader.LSN_END);
    }

    // ------------------------------------------------------------------ reading

    /**
     * The value of attribute {@code name} of inode {@code inodeNr}, or empty (ENODATA for the
     * caller).
     *
     * @throws FsException ERANGE, EINVAL, ENOTSUP for a bad name; EIO for damage
     */
    public Optional<byte[]> get(BlockReader txn, long inodeNr, long xattrBlock, String name) {
        Entry key = XattrName.key(name);
        if (xattrBlock == 0) {
            return Optional.empty();
        }
        List<Entry> entries = load(txn::read, inodeNr, xattrBlock);
        int i = Collections.binarySearch(entries, key, XattrBlock.KEY_ORDER);
        return i >= 0 ? Optional.of(entries.get(i).value()) : Optional.empty();
    }

    /**
     * The full names of inode {@code inodeNr}'s attributes, in stored order (by namespace
     * index, then by the bytes after the prefix).
     *
     * @throws FsException EIO for damage
     */
    public List<String> list(BlockReader txn, long inodeNr, long xattrBlock) {
        if (xattrBlock == 0) {
            return List.of();
        }
        return load(txn::read, inodeNr, xattrBlock).stream().map(Entry::fullName).toList();
    }

    // ------------------------------------------------------------------ changing

    /**
     * Sets attribute {@code name} of inode {@code inodeNr} to {@code value} and returns the
     * inode's new {@code xattr_block}: a block allocated near {@code goal} out of
     * {@code reservation} when {@code xattrBlock} is 0, else {@code xattrBlock}.
     *
     * @throws FsException EINVAL for unknown flags; ERANGE, EINVAL, ENOTSUP for a bad name;
     *     E2BIG for a value over 64 KiB; EEXIST with {@link #XATTR_CREATE} for an existing name,
     *     ENODATA with {@link #XATTR_REPLACE} for a missing one; ENOSPC when the attributes do
     *     not fit in one block; EIO for damage
     */
    public long set(Transaction txn, Reservation reservation, long inodeNr, long xattrBlock, long goal, String name,
            byte[] value, int flags) {
        if ((flags & ~(XATTR_CREATE | XATTR_REPLACE)) != 0) {
            throw new FsException(Errno.EINVAL, "setxattr flags 0x" + Integer.toHexString(flags)
                    + " are not XATTR_CREATE and XATTR_REPLACE");
        }
        byte[] nameBytes = XattrName.bytes(name);
        if (value.length > MAX_VALUE_BYTES) {
            throw new FsException(Errno.E2BIG, "a value of " + value.length + " bytes is longer than "
                    + MAX_VALUE_BYTES);
        }
        Entry key = XattrName.key(name, nameBytes);
        List<Entry> entries = xattrBlock == 0 ? new ArrayList<>()
                : new ArrayList<>(load(txn::readForUpdate, inodeNr, xattrBlock));
        Entry entry = new Entry(key.namespace(), key.suffix(), value);
        int i = Collections.binarySearch(entries, key, XattrBlock.KEY_ORDER);
        if (i >= 0) {
            if ((flags & XATTR_CREATE) != 0) {
                throw new FsException(Errno.EEXIST, "inode " + inodeNr + " already has attribute " + name);
            }
            entries.set(i, entry);
        } else {
            if ((flags & XATTR_REPLACE) != 0) {
                throw missing(inodeNr, name);
            }
            entries.add(-i - 1, entry);
        }
        if (!XattrBlock.fits(blockSize, entries)) {
            throw new FsException(Errno.ENOSPC, "inode " + inodeNr + ": with " + name + " (" + value.length
                    + " value bytes) its attributes no longer fit in one block of " + blockSize + " bytes");
        }
        if (xattrBlock == 0) {
            long blockNr = allocator.allocateBlocks(txn, reservation, goal, 1)[0];
            txn.writeBlock(blockNr, image(blockNr, inodeNr, entries).array());
            return blockNr;
        }
        txn.updateBlock(xattrBlock, image(xattrBlock, inodeNr, entries).array());
        return xattrBlock;
    }

    /**
     * Removes attribute {@code name} of inode {@code inodeNr} and returns the inode's new
     * {@code xattr_block}: 0, the block freed, when it was the last attribute.
     *
     * @throws FsException ENODATA if there is no such attribute; ERANGE, EINVAL, ENOTSUP for a
     *     bad name; EIO for damage
     */
    public long remove(Transaction txn, long inodeNr, long xattrBlock, String name) {
        Entry key = XattrName.key(name);
        if (xattrBlock == 0) {
            throw missing(inodeNr, name);
        }
        List<Entry> entries = new ArrayList<>(load(txn::readForUpdate, inodeNr, xattrBlock));
        int i = Collections.binarySearch(entries, key, XattrBlock.KEY_ORDER);
        if (i < 0) {
            throw missing(inodeNr, name);
        }
        entries.remove(i);
        if (entries.isEmpty()) {
            allocator.free(txn, xattrBlock, 1, true);
            return 0;
        }
        txn.updateBlock(xattrBlock, image(xattrBlock, inodeNr, entries).array());
        return xattrBlock;
    }

    /**
     * Frees inode {@code inodeNr}'s attribute block {@code xattrBlock}, if any: the inode is
     * being deleted. The block is checked first, so that a damaged inode never frees a block
     * that is not its own.
     *
     * @throws FsException EIO for damage
     */
    public void freeAll(Transaction txn, long inodeNr, long xattrBlock) {
        if (xattrBlock == 0) {
            return;
        }
        load(txn::readForUpdate, inodeNr, xattrBlock);
        allocator.free(txn, xattrBlock, 1, true);
    }

    // ------------------------------------------------------------------ internals

    /** The entries of block {@code nr}, verified to be inode {@code inodeNr}'s attribute block. */
    private List<Entry> load(LongFunction<CachedBlock> reader, long inodeNr, long nr) {
        if (nr < geometry.groupsStart() || nr >= geometry.blockCount()) {
            throw damage(inodeNr, nr, "block number outside the groups");
        }
        ByteBuffer image;
        boolean dirty;
        try (CachedBlock block = reader.apply(nr)) {
            dirty = block.isDirty(); // first: a clean block cannot turn dirty under our page lock
            image = ByteBuffer.wrap(block.copy(0, blockSize));
        }
        Optional<String> problem;
        if (!dirty) {
            problem = BlockHeader.problem(image, uuid, BlockType.XATTR, nr);
        } else if (BlockHeader.typeCode(image) != BlockType.XATTR.code() || BlockHeader.blockNr(image) != nr) {
            problem = Optional.of("block of type " + BlockHeader.typeCode(image) + " numbered "
                    + BlockHeader.blockNr(image) + " where XATTR block " + nr + " was expected");
        } else {
            problem = Optional.empty();
        }
        problem = problem.or(() -> XattrBlock.problem(image));
        if (problem.isEmpty() && XattrBlock.owner(image) != inodeNr) {
            problem = Optional.of("block belongs to inode " + XattrBlock.owner(image));
        }
        problem.ifPresent(why -> {
            throw damage(inodeNr, nr, why);
        });
        return XattrBlock.entries(image);
    }

    private ByteBuffer image(long blockNr, long inodeNr, List<Entry> entries) {
        ByteBuffer image = ByteBuffer.allocate(blockSize);
        XattrBlock.encode(image, blockNr, inodeNr, entries);
        return image;
    }

    private static FsException damage(long inodeNr, long block, String why) {
        return FsException.damaged("inode " + inodeNr + ": attribute block " + block + ": " + why);
    }

    private static FsException missing(long inodeNr, String name) {
        return new FsException(Errno.ENODATA, "inode " + inodeNr + " has no attribute " + name);
    }
}
