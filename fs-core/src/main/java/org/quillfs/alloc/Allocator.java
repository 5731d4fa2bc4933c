package org.quillfs.alloc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import org.quillfs.cache.CachedBlock;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.Bitmap;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.Geometry;
import org.quillfs.format.GroupDescriptor;
import org.quillfs.format.InodeTableBlock;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.txn.MetadataStore;
import org.quillfs.txn.Transaction;

/**
 * Allocates and frees blocks and inodes from the per-group bitmaps, inside transactions.
 *
 * <h2>Overview</h2>
 * An operation first {@link #reserve}s what it may need (ENOSPC here, before anything changes),
 * then allocates inside its transaction: the bitmap bit and the group descriptor's counters
 * change together, under the exclusive page locks of the bitmap block and the descriptor-table
 * block, and are undone with the transaction if it aborts. Groups that mkfs left uninitialised
 * get their bitmap (and inode-table blocks) written the first time they are used
 * (docs/FORMAT.md, "Group descriptor table").
 *
 * <h2>Locality</h2>
 * A block is sought from a goal (for a file: after its last block, or its inode's group),
 * first in the goal's group, then in the following ones, so a file's blocks lie near each other
 * and near its inode. A file's inode goes in its directory's group; a new directory goes in the
 * group, among those with at least the average free inodes and blocks, that has the fewest
 * directories (after ext4's Orlov allocator), so directories spread out.
 *
 * <h2>Freed blocks wait before they are reused</h2>
 * A freed block is <em>held</em>, skipped by allocation, until reusing it is safe
 * (docs/ALLOCATION.md, "Freed blocks wait"):
 * <ul>
 * <li>every freed block until the freeing transaction's COMMIT is durable. File data goes to
 *     the device around the log; written into a block whose free a crash could still undo, it
 *     would land in the old owner's file. Such blocks count as free at commit, as before: when
 *     an allocation finds nothing but held blocks, it forces the log and looks again.
 * <li>a block whose contents were journaled (metadata, or file data in data=journal mode) also
 *     until a checkpoint has moved the log's tail past the free: until then recovery might
 *     replay old records into it, which would destroy whatever it held next (jbd2 solves the
 *     same problem with revoke records). These count as free at commit too; when nothing but
 *     held blocks is left even after forcing the log, the allocation runs a checkpoint.
 * </ul>
 *
 * <h2>Implementation notes</h2>
 * Per-group counts in memory are hints to choose groups quickly; the descriptor read under the
 * lock decides, and a search that the hints led astray falls back to every group.
 *
 * <p>Holds are runs, one per {@link #free} call, keyed by their first block. A hold is entered
 * at the free, under the bitmap block's page lock, so no other transaction can see the cleared
 * bits without it; it learns its COMMIT position when the transaction ends (its end action runs
 * after the locks are released, so until then it is held as if not yet durable) and is dropped
 * when the transaction aborts. Holds never overlap while they matter: a block under a live hold
 * is free in the bitmap and so cannot be freed again; a new free removes only dead holds (of an
 * abort whose end action has not run yet, or already safe). Safe holds are dropped lazily, by
 * the allocation that meets them and at every tail move.
 */
public final class Allocator {

    private final Geometry geometry;
    private final UUID uuid;
    private final MetadataStore store;
    private final GroupTable groups;
    private final SpaceAccounting accounting;
    private final AtomicLongArray freeBlocksHint;
    private final AtomicLongArray freeInodesHint;
    private final AtomicLongArray directoriesHint;
    /** Per group, where the search for a free inode starts: one past the last one handed out, or the lowest freed since. */
    private final AtomicIntegerArray nextInodeHint;
    /** Held runs of freed blocks by their first block; see "Freed blocks wait". */
    private final ConcurrentSkipListMap<Long, Hold> holds = new ConcurrentSkipListMap<>();
    /** Per running transaction (by id): blocks allocated minus blocks freed, see {@link #netBlocksAllocated}. */
    private final ConcurrentHashMap<Long, long[]> netBlocks = new ConcurrentHashMap<>();

    private Allocator(Superblock superblock, MetadataStore store, GroupDescriptor[] descriptors) {
        this.geometry = superblock.geometry();
        this.store = store;
        this.uuid = superblock.uuid();
        this.groups = new GroupTable(geometry, uuid);
        int n = descriptors.length;
        this.freeBlocksHint = new AtomicLongArray(n);
        this.freeInodesHint = new AtomicLongArray(n);
        this.directoriesHint = new AtomicLongArray(n);
        this.nextInodeHint = new AtomicIntegerArray(n);
        long blocks = 0;
        long inodes = 0;
        for (int g = 0; g < n; g++) {
            freeBlocksHint.set(g, descriptors[g].freeBlocks());
            freeInodesHint.set(g, descriptors[g].freeInodes());
            directoriesHint.set(g, descriptors[g].directories());
            blocks += descriptors[g].freeBlocks();
            inodes += descriptors[g].freeInodes();
        }
        this.accounting = new SpaceAccounting(blocks, inodes);
        store.checkpointer().onTailMoved(this::tailMoved);
    }

    /** Reads every group descriptor and starts allocating on {@code store}. */
    public static Allocator open(Superblock superblock, MetadataStore store) {
        Geometry g = superblock.geometry();
        GroupDescriptor[] descriptors = new GroupDescriptor[g.groupCount()];
        Transaction txn = store.transactions().begin(0);
        try {
            GroupTable table = new GroupTable(g, superblock.uuid());
            for (int group = 0; group < descriptors.length; group++) {
                descriptors[group] = table.read(txn, group);
            }
        } finally {
            txn.commit();
        }
        return new Allocator(superblock, store, descriptors);
    }

    /** Free blocks, exact: what statfs reports (freed journaled blocks count once the tail has passed them). */
    public long freeBlocks() {
        return accounting.freeBlocks();
    }

    public long freeInodes() {
        return accounting.freeInodes();
    }

    /**
     * Sets aside {@code blocks} and {@code inodes} for {@code txn}'s operation; the unused rest
     * returns when it ends.
     *
     * @throws org.quillfs.errno.FsException ENOSPC when the filesystem has not that much free
     */
    public Reservation reserve(Transaction txn, long blocks, long inodes) {
        accounting.reserve(blocks, inodes);
        return new Reservation(accounting, txn, blocks, inodes);
    }

    /** Log bytes one {@link #allocateBlocks} or {@link #free} may append, worst case: for the transaction's budget. */
    public long logBytesPerBlockRun(int maxBlocks) {
        return LogRecordCodec.updateSize(Limits.GROUP_DESCRIPTOR_SIZE) + initialisationLogBytes()
                + LogRecordCodec.updateSize(maxBlocks / 8 + 2);
    }

    /** Log bytes one {@link #allocateInode} or {@link #freeInode} may append, worst case. */
    public long logBytesPerInode() {
        return LogRecordCodec.updateSize(Limits.GROUP_DESCRIPTOR_SIZE) + 2 * initialisationLogBytes()
                + LogRecordCodec.updateSize(1);
    }

    private long initialisationLogBytes() {
        return LogRecordCodec.updateSize(BlockHeader.LSN_START)
                + LogRecordCodec.updateSize(geometry.blockSize() - BlockHeader.LSN_END);
    }

    /**
     * Allocates up to {@code maxBlocks} contiguous blocks, as near after {@code goal} as possible,
     * out of {@code reservation}. Returns the run as {@code [first, count]}; count ≥ 1.
     */
    public long[] allocateBlocks(Transaction txn, Reservation reservation, long goal, int maxBlocks) {
        int wanted = (int) Math.min(maxBlocks, reservation.blocksLeft());
        if (wanted <= 0) {
            throw new IllegalStateException("allocating blocks beyond the reservation");
        }
        long[] run = search(txn, goal, wanted);
        if (run == null && !holds.isEmpty()) {
            // Nothing free but blocks whose frees are not durable yet: make them durable. The
            // reservation counted on such a block, and its hold knows its COMMIT position, since
            // both happen when the freeing transaction's end actions run.
            store.log().forceAll();
            run = search(txn, goal, wanted);
        }
        if (run == null && !holds.isEmpty()) {
            // Only blocks freed from journaled contents are left: they count as free (statfs
            // is exact), and become usable once a checkpoint moves the tail past their frees.
            store.checkpointer().checkpoint();
            run = search(txn, goal, wanted);
        }
        if (run == null) {
            throw new FsException(Errno.ENOSPC, "no block can be used yet although " + reservation.blocksLeft()
                    + " were reserved: the rest were freed by transactions older than a running one");
        }
        reservation.useBlocks(run[1]);
        countBlocks(txn, run[1]);
        holdIfAborted(txn, run[0], (int) run[1]);
        return run;
    }

    /**
     * If {@code txn} aborts, its allocation is undone but what it logged into the blocks (a new
     * directory leaf, say) stays in the log, and recovery repeats it: the blocks then wait as
     * freed journaled blocks do. The hold is entered now, under the bitmap block's page lock, and
     * keeps the blocks from the moment the abort clears their bits; a commit drops it.
     */
    private void holdIfAborted(Transaction txn, long first, int count) {
        Hold pending = new Hold(first, count, true, Long.MAX_VALUE);
        holds.put(first, pending);
        txn.onEnd(committed -> {
            if (committed) {
                holds.remove(first, pending);
                return;
            }
            // (put, not replace: a free of these blocks in the same transaction may have taken the
            // pending hold's place; its own end action drops its hold.)
            Hold aborted = new Hold(first, count, true, store.log().appendedLsn()); // past its CLRs and ABORT
            aborted.durableAt = aborted.freedAt;
            holds.put(first, aborted);
        });
    }

    /**
     * Blocks {@code txn} has allocated minus those it has freed so far: what an operation adds
     * to the block count of the inode it changes (read before and after each change).
     */
    public long netBlocksAllocated(Transaction txn) {
        long[] net = netBlocks.get(txn.id());
        return net == null ? 0 : net[0];
    }

    /** A transaction belongs to one thread, so its counter needs no lock; the map does. */
    private void countBlocks(Transaction txn, long delta) {
        long[] net = netBlocks.get(txn.id());
        if (net == null) {
            net = new long[1];
            long id = txn.id();
            netBlocks.put(id, net);
            txn.onEnd(committed -> netBlocks.remove(id));
        }
        net[0] += delta;
    }

    /** A run from the goal's group on, trusting the hints first, then every group; null if none. */
    private long[] search(Transaction txn, long goal, int wanted) {
        int goalGroup = Math.max(0, geometry.groupOfBlock(Math.min(goal, geometry.blockCount() - 1)));
        for (boolean trustHints : new boolean[] {true, false}) {
            for (int i = 0; i < geometry.groupCount(); i++) {
                int group = (goalGroup + i) % geometry.groupCount();
                if (trustHints && freeBlocksHint.get(group) == 0) {
                    continue;
                }
                int from = group == goalGroup ? (int) Math.max(0, goal - geometry.groupStart(group)) : 0;
                long[] run = allocateInGroup(txn, group, from, wanted);
                if (run != null) {
                    return run;
                }
            }
        }
        return null;
    }

    private long[] allocateInGroup(Transaction txn, int group, int from, int wanted) {
        GroupDescriptor peeked = groups.read(txn, group); // no bitmap lock for a group that is full
        long bitmapNr = peeked.blockBitmap();
        GroupDescriptor d = peeked.freeBlocks() == 0 ? peeked : groups.readOwned(txn, group, bitmapNr);
        if (d.freeBlocks() == 0) {
            freeBlocksHint.set(group, 0);
            return null;
        }
        boolean uninitialised = d.has(GroupDescriptor.BLOCK_UNINIT);
        if (uninitialised) {
            initialiseBlockBitmap(txn, group);
        }
        ByteBuffer bits = bitmapBits(txn, bitmapNr, BlockType.BLOCK_BITMAP);
        int length = geometry.groupLength(group);
        int first = findRun(bits, group, from, length, wanted);
        if (first < 0 && from > 0) {
            first = findRun(bits, group, 0, length, wanted);
        }
        if (first < 0) {
            return null;
        }
        int count = 1;
        while (count < wanted && first + count < length && !isSet(bits, first + count)
                && heldUntil(geometry.groupStart(group) + first + count) < 0) {
            count++;
        }
        setBits(txn, bitmapNr, bits, first, count, true);
        int allocated = count;
        groups.change(txn, group, g -> (uninitialised ? g.withoutFlag(GroupDescriptor.BLOCK_UNINIT) : g)
                .withCountsChanged(-allocated, 0, 0));
        freeBlocksHint.set(group, d.freeBlocks() - count);
        return new long[] {geometry.groupStart(group) + first, count};
    }

    /** The first free block index at or after {@code from} that no hold keeps, or -1. */
    private int findRun(ByteBuffer bits, int group, int from, int length, int wanted) {
        for (int i = from; i < length; i++) {
            if (bits.get(i >>> 3) == (byte) 0xFF && (i & 7) == 0) {
                i += 7;
                continue;
            }
            if (!isSet(bits, i)) {
                long heldUntil = heldUntil(geometry.groupStart(group) + i);
                if (heldUntil < 0) {
                    return i;
                }
                i = (int) Math.min(length, heldUntil - geometry.groupStart(group)) - 1; // past the held run
            }
        }
        return -1;
    }

    /**
     * Frees {@code count} blocks from {@code first} (one group's run). They count as free when
     * {@code txn} commits and are handed out again once that COMMIT is durable; blocks whose
     * contents were {@code journaled} (metadata, or data in data=journal mode) are handed out
     * only once a checkpoint has moved the log's tail past this free too.
     */
    public void free(Transaction txn, long first, int count, boolean journaled) {
        int group = geometry.groupOfBlock(first);
        if (group < 0 || geometry.groupOfBlock(first + count - 1) != group) {
            throw new IllegalArgumentException("blocks " + first + ".." + (first + count - 1) + " are not one group's");
        }
        GroupDescriptor d = groups.readOwned(txn, group, groups.read(txn, group).blockBitmap());
        ByteBuffer bits = bitmapBits(txn, d.blockBitmap(), BlockType.BLOCK_BITMAP);
        int index = (int) (first - geometry.groupStart(group));
        for (int i = index; i < index + count; i++) {
            if (!isSet(bits, i)) {
                throw new IllegalStateException("block " + (geometry.groupStart(group) + i) + " freed twice");
            }
        }
        setBits(txn, d.blockBitmap(), bits, index, count, false);
        groups.change(txn, group, g -> g.withCountsChanged(count, 0, 0));
        countBlocks(txn, -count);
        freeBlocksHint.addAndGet(group, count);
        Hold hold = new Hold(first, count, journaled, store.log().appendedLsn());
        holds.subMap(first, first + count).clear(); // dead holds only: these blocks were in use
        Map.Entry<Long, Hold> before = holds.lowerEntry(first);
        if (before != null && before.getValue().end() > first) {
            holds.remove(before.getKey(), before.getValue());
        }
        holds.put(first, hold);
        txn.onEnd(committed -> {
            if (!committed) {
                holds.remove(first, hold);
                return;
            }
            hold.durableAt = store.log().appendedLsn(); // past the COMMIT, appended by now
            accounting.freed(count, 0); // free for statfs at once, journaled or not
        });
    }

    /**
     * The end of the held run {@code block} is in, or -1 when no hold keeps it; drops the hold
     * that no longer keeps anything.
     */
    private long heldUntil(long block) {
        if (holds.isEmpty()) {
            return -1;
        }
        Map.Entry<Long, Hold> entry = holds.floorEntry(block);
        if (entry == null || entry.getValue().end() <= block) {
            return -1;
        }
        Hold hold = entry.getValue();
        if (hold.keeps(store.log().durableLsn())) {
            return hold.end();
        }
        holds.remove(entry.getKey(), hold);
        return -1;
    }

    /**
     * A checkpoint moved the tail: journaled blocks freed (and committed) before it may be
     * handed out again, and holds that keep nothing any more are dropped. Checkpoints never
     * overlap, so this runs on one thread at a time.
     */
    private void tailMoved(long tail) {
        long durable = store.log().durableLsn();
        for (Hold hold : holds.values()) {
            if (hold.journaled && !hold.tailPassed && hold.durableAt != Hold.NOT_COMMITTED && hold.freedAt < tail) {
                hold.tailPassed = true;
            }
            if (!hold.keeps(durable)) {
                holds.remove(hold.first, hold);
            }
        }
    }

    /** Holds not yet dropped: at most those of frees since the last tail move (tests watch that they do not pile up). */
    int holdCount() {
        return holds.size();
    }

    /** A run of freed blocks kept from reuse; see "Freed blocks wait". */
    private static final class Hold {
        static final long NOT_COMMITTED = Long.MAX_VALUE;

        final long first;
        final int count;
        final boolean journaled;
        /** The log's head at the free: a tail past it means no record before the free is replayed. */
        final long freedAt;
        /** A position past the freeing COMMIT, once committed: the log durable to it makes the free durable. */
        volatile long durableAt = NOT_COMMITTED;
        /** For journaled blocks: a checkpoint's tail has passed {@code freedAt} (set by the checkpoint thread). */
        volatile boolean tailPassed;

        Hold(long first, int count, boolean journaled, long freedAt) {
            this.first = first;
            this.count = count;
            this.journaled = journaled;
            this.freedAt = freedAt;
        }

        long end() {
            return first + count;
        }

        /** Whether the blocks must still wait, the log being durable up to {@code durableLsn}. */
        boolean keeps(long durableLsn) {
            return durableLsn < durableAt || (journaled && !tailPassed);
        }
    }

    /**
     * Allocates an inode: for a file in its directory's group, for a directory in a roomy group
     * with few directories. Initialises the inode's table block if mkfs left it unwritten. The
     * caller writes the inode itself.
     *
     * <p>When a file's directory's group is full, the search goes on from a group the directory's
     * inode number picks (as ext4's find_group_other does), not from the next group: two
     * directories filling up at once would otherwise spill into the same groups and wait for
     * each other's inode bitmaps.
     */
    public long allocateInode(Transaction txn, Reservation reservation, long parentInode, boolean directory) {
        int groups = geometry.groupCount();
        int parentGroup = geometry.groupOfInode(parentInode);
        int start = directory ? spreadGroup(parentGroup) : parentGroup;
        int spill = directory ? start : Math.floorMod(parentGroup + Long.hashCode(parentInode * 0x9E3779B97F4A7C15L), groups);
        for (boolean trustHints : new boolean[] {true, false}) {
            for (int i = 0; i <= groups; i++) {
                int group = i == 0 ? start : (spill + i - 1) % groups;
                if (trustHints && freeInodesHint.get(group) == 0) {
                    continue;
                }
                long inode = allocateInodeInGroup(txn, group, directory);
                if (inode != 0) {
                    reservation.useInode();
                    return inode;
                }
            }
        }
        throw new IllegalStateException("no free inode although one was reserved: the bitmaps disagree with the descriptors");
    }

    private int spreadGroup(int parentGroup) {
        int n = geometry.groupCount();
        long totalInodes = 0;
        long totalBlocks = 0;
        for (int g = 0; g < n; g++) {
            totalInodes += freeInodesHint.get(g);
            totalBlocks += freeBlocksHint.get(g);
        }
        int best = -1;
        for (int i = 1; i <= n; i++) {
            int g = (parentGroup + i) % n;
            if (freeInodesHint.get(g) * n >= totalInodes && freeBlocksHint.get(g) * n >= totalBlocks
                    && (best < 0 || directoriesHint.get(g) < directoriesHint.get(best))) {
                best = g;
            }
        }
        return best < 0 ? parentGroup : best;
    }

    private long allocateInodeInGroup(Transaction txn, int group, boolean directory) {
        GroupDescriptor peeked = groups.read(txn, group); // no bitmap lock for a group that is full
        GroupDescriptor d = peeked.freeInodes() == 0 ? peeked : groups.readOwned(txn, group, peeked.inodeBitmap());
        if (d.freeInodes() == 0) {
            freeInodesHint.set(group, 0);
            return 0;
        }
        boolean uninitialised = d.has(GroupDescriptor.INODE_UNINIT);
        if (uninitialised) {
            initialiseInodeBitmap(txn, group);
        }
        ByteBuffer bits = bitmapBits(txn, d.inodeBitmap(), BlockType.INODE_BITMAP);
        int hint = nextInodeHint.get(group);
        int index = firstClear(bits, hint, geometry.inodesPerGroup());
        if (index < 0 && hint > 0) {
            index = firstClear(bits, 0, hint);
        }
        if (index < 0) {
            return 0;
        }
        long itableInitialized = d.itableInitialized();
        int tableBlock = index / geometry.inodesPerBlock();
        while (itableInitialized <= tableBlock) {
            long blockNr = d.inodeTable() + itableInitialized;
            ByteBuffer fresh = ByteBuffer.allocate(geometry.blockSize());
            InodeTableBlock.init(fresh, blockNr);
            txn.initialiseFixedBlock(blockNr, fresh.array());
            itableInitialized++;
        }
        setBits(txn, d.inodeBitmap(), bits, index, 1, true);
        nextInodeHint.set(group, index + 1);
        long initialised = itableInitialized;
        groups.change(txn, group, g -> {
            GroupDescriptor changed = uninitialised ? g.withoutFlag(GroupDescriptor.INODE_UNINIT) : g;
            return changed.withCountsChanged(0, -1, directory ? 1 : 0)
                    .withItableInitialized(Math.max(changed.itableInitialized(), initialised));
        });
        freeInodesHint.set(group, d.freeInodes() - 1);
        directoriesHint.set(group, d.directories() + (directory ? 1 : 0));
        return (long) group * geometry.inodesPerGroup() + index + 1;
    }

    /** Frees inode {@code inode} (the caller has zeroed it); usable again once {@code txn} commits. */
    public void freeInode(Transaction txn, long inode, boolean directory) {
        int group = geometry.groupOfInode(inode);
        int index = (int) ((inode - 1) % geometry.inodesPerGroup());
        GroupDescriptor d = groups.readOwned(txn, group, groups.read(txn, group).inodeBitmap());
        ByteBuffer bits = bitmapBits(txn, d.inodeBitmap(), BlockType.INODE_BITMAP);
        if (!isSet(bits, index)) {
            throw new IllegalStateException("inode " + inode + " freed twice");
        }
        setBits(txn, d.inodeBitmap(), bits, index, 1, false);
        nextInodeHint.accumulateAndGet(group, index, Math::min);
        groups.change(txn, group, g -> g.withCountsChanged(0, 1, directory ? -1 : 0));
        freeInodesHint.incrementAndGet(group);
        txn.onEnd(committed -> {
            if (committed) {
                accounting.freed(0, 1);
            }
        });
    }

    private void initialiseBlockBitmap(Transaction txn, int group) {
        long blockNr = geometry.blockBitmapBlock(group);
        ByteBuffer fresh = ByteBuffer.allocate(geometry.blockSize());
        Bitmap.init(fresh, BlockType.BLOCK_BITMAP, blockNr, geometry.groupLength(group));
        for (int i = 0; i < geometry.metadataBlocks(group); i++) {
            Bitmap.set(fresh, i, true);
        }
        txn.initialiseFixedBlock(blockNr, fresh.array());
    }

    private void initialiseInodeBitmap(Transaction txn, int group) {
        long blockNr = geometry.inodeBitmapBlock(group);
        ByteBuffer fresh = ByteBuffer.allocate(geometry.blockSize());
        Bitmap.init(fresh, BlockType.INODE_BITMAP, blockNr, geometry.inodesPerGroup());
        txn.initialiseFixedBlock(blockNr, fresh.array());
    }

    /**
     * The bitmap's bits (the block after its header) as a read-only little-endian view, read
     * under an exclusive lock: we may change them, and the view shows our changes.
     */
    private ByteBuffer bitmapBits(Transaction txn, long bitmapNr, BlockType type) {
        try (CachedBlock block = txn.readForUpdate(bitmapNr)) {
            block.verify(uuid, type).ifPresent(why -> {
                throw FsException.damaged("bitmap block " + bitmapNr + ": " + why);
            });
            return block.contents().position(BlockHeader.SIZE).slice().order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** The first clear bit in {@code from .. limit - 1}, or -1; skips full 64-bit words at once. */
    private static int firstClear(ByteBuffer bits, int from, int limit) {
        int i = from;
        while (i < limit) {
            if ((i & 63) == 0 && i + 64 <= limit && (i >>> 3) + 8 <= bits.capacity() && bits.getLong(i >>> 3) == -1L) {
                i += 64;
            } else if (!isSet(bits, i)) {
                return i;
            } else {
                i++;
            }
        }
        return -1;
    }

    private static boolean isSet(ByteBuffer bits, int i) {
        return (bits.get(i >>> 3) & (1 << (i & 7))) != 0;
    }

    /** Sets or clears bits {@code first .. first + count - 1}, logging only the bytes that change. */
    private static void setBits(Transaction txn, long bitmapNr, ByteBuffer bits, int first, int count, boolean used) {
        int fromByte = first >>> 3;
        int toByte = (first + count - 1) >>> 3;
        byte[] changed = new byte[toByte - fromByte + 1];
        bits.get(fromByte, changed);
        for (int i = first; i < first + count; i++) {
            int b = (i >>> 3) - fromByte;
            changed[b] = (byte) (used ? changed[b] | 1 << (i & 7) : changed[b] & ~(1 << (i & 7)));
        }
        txn.updateChanged(bitmapNr, BlockHeader.SIZE + fromByte, changed);
    }
}
