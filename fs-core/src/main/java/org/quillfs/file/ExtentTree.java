package org.quillfs.file;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.quillfs.alloc.Allocator;
import org.quillfs.alloc.Reservation;
import org.quillfs.cache.CachedBlock;
import org.quillfs.errno.FsException;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.ExtentEntry;
import org.quillfs.format.ExtentNode;
import org.quillfs.format.ExtentRoot;
import org.quillfs.format.Geometry;
import org.quillfs.format.Limits;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.txn.BlockReader;
import org.quillfs.txn.Transaction;

/**
 * A file's block map: the extent tree rooted in its inode (docs/FORMAT.md, "Extents"), read and
 * changed inside the caller's transaction. Every method takes the root as it is in the inode
 * and, when it changes the tree, returns the new root: the caller writes it back into the
 * inode in the same transaction.
 *
 * <h2>Overview</h2>
 * The root holds up to {@link Limits#INODE_EXTENTS} entries; below it, EXTENT_NODE blocks hold
 * up to {@code (B − 40) / 24}. Index entry {@code i} of a node routes the logical blocks from its
 * key (the first logical block of its child's first entry) up to the next entry's key; the
 * first child also takes everything below its key. A change is one pass down the nodes whose
 * range meets the changed range: the leaves are rewritten, a node that overflows is split into
 * as few nodes as hold its entries (the first keeps its block, the others are new), a node left
 * empty is freed, and the parents are rewritten with the children's new keys. When the root
 * overflows its entries move down into new nodes and the tree grows a level; when the root's
 * children together fit in the root again (after a truncate or punch), they move up and the tree
 * shrinks a level. Nodes other than the root are never merged with their siblings: a tree that
 * lost many extents may hold half-empty nodes until it shrinks.
 *
 * <h2>Blocks and verification</h2>
 * A new node block comes from the allocator and is written whole through the log, except for
 * header bytes {@link BlockHeader#LSN_START}..{@link BlockHeader#LSN_END} (LSN and checksum);
 * a changed node logs only the span of its body that changes. A node read from disk (its cached
 * block not dirty) must verify as an EXTENT_NODE at its own number and be a well-formed node of
 * the depth its parent implies, holding entries inside the range its parent routes to it, with
 * extents inside the filesystem's groups; anything else is damage: {@link FsException} EIO
 * naming the block, never a wrong answer.
 *
 * <h2>Budgets</h2>
 * The caller sizes its transaction ({@link org.quillfs.txn.TransactionManager#begin}) and
 * reservation ({@link Allocator#reserve}) before changing anything. For {@link #allocate} the
 * {@code blocksFor…} and {@code logBytesFor…} methods give worst cases from the root and the
 * number of blocks alone: a change of {@code n} blocks meets at most {@code n + 2} nodes of each
 * level and inserts at most {@code n + 2} extents (every extent holds a block). For
 * {@link #truncate} and {@link #punchHole}, whose cost follows the extents actually removed (a
 * sparse range costs little, a fragmented one much), they walk the tree as it is; with
 * {@link #truncateStep} and {@link #punchStep} a caller whose transactions are bounded removes a
 * long range in steps, each its own transaction.
 */
public final class ExtentTree {

    /** An extent's length is a u32 on disk. */
    public static final long MAX_EXTENT_LENGTH = 0xFFFF_FFFFL;

    /** What an edit does to the extents inside its range (besides inserting new ones in holes). */
    private enum Mode {
        /** Keep them, clearing UNWRITTEN: the caller is about to write their blocks. */
        WRITE,
        /** Remove them and free their blocks. */
        FREE,
        /** Keep them as they are: fallocate only fills the holes, with UNWRITTEN extents. */
        PREALLOCATE
    }

    /** One change in progress: its mode, where new node blocks come from and near where. */
    private record Edit(Mode mode, Reservation reservation, long goal) {
    }

    /** Worst-case shape of a change: nodes created, nodes rewritten or freed. */
    private record Growth(long newNodes, long touchedNodes) {
    }

    private final Geometry geometry;
    private final UUID uuid;
    private final Allocator allocator;
    private final int blockSize;
    private final int nodeMax;
    /** Whether data blocks' contents go through the log (data=journal): their frees then wait for a checkpoint too. */
    private final boolean dataJournaled;

    public ExtentTree(Geometry geometry, UUID uuid, Allocator allocator) {
        this(geometry, uuid, allocator, false);
    }

    private ExtentTree(Geometry geometry, UUID uuid, Allocator allocator, boolean dataJournaled) {
        this.geometry = geometry;
        this.uuid = uuid;
        this.allocator = allocator;
        this.blockSize = geometry.blockSize();
        this.nodeMax = ExtentNode.maxEntries(blockSize);
        this.dataJournaled = dataJournaled;
    }

    /**
     * This tree for files whose data is journaled ({@link DataMode#JOURNAL}): the data blocks it
     * frees are freed as journaled blocks, not reused before a checkpoint has passed the free
     * ({@link Allocator#free}), since recovery may replay their old contents until then.
     */
    ExtentTree journalingData() {
        return new ExtentTree(geometry, uuid, allocator, true);
    }

    /**
     * The extents (whole, as stored) that overlap logical blocks {@code firstLogical ..
     * firstLogical + count - 1}, in logical order; the gaps between them are holes. Inside a
     * read-write {@link Transaction} the nodes are read under exclusive page locks, as the
     * transaction is about to change the file: taking the exclusive lock first avoids two
     * writers of one file both reading under shared locks and deadlocking on the upgrade.
     *
     * @throws FsException EIO when a node on the way is damaged
     */
    public List<ExtentEntry> map(BlockReader txn, ExtentRoot root, long firstLogical, long count) {
        checkRange(firstLogical, count);
        checkEntries(root.depth(), root.entries(), "the inode's extent root");
        List<ExtentEntry> out = new ArrayList<>();
        collect(txn, root.depth(), root.entries(), firstLogical, firstLogical + count, out);
        return out;
    }

    /**
     * Adds to {@code out} the extents below {@code entries} that overlap {@code lo .. hi - 1};
     * returns how many nodes (below the root) it met on the way.
     */
    private long collect(BlockReader txn, int depth, List<ExtentEntry> entries, long lo, long hi,
            List<ExtentEntry> out) {
        if (depth == 0) {
            for (ExtentEntry e : entries) {
                if (e.logical() < hi && end(e) > lo) {
                    out.add(e);
                }
            }
            return 0;
        }
        long nodes = 0;
        for (int i = 0; i < entries.size(); i++) {
            long lower = i == 0 ? 0 : entries.get(i).logical();
            long upper = upperBound(entries, i);
            if (upper > lo && lower < hi) {
                ExtentEntry index = entries.get(i);
                nodes += 1 + collect(txn, depth - 1, readNode(txn, index.physical(), depth - 1, index.logical(),
                        upper, txn instanceof Transaction), lo, hi, out);
            }
        }
        return nodes;
    }

    /**
     * Makes logical blocks {@code logical .. logical + count - 1} backed by blocks: holes get
     * new blocks from {@code reservation}, each run as near as possible after the extent before
     * it (else near {@code goal}), merged with an adjacent extent when physically contiguous;
     * UNWRITTEN extents in the range become ordinary ones (the caller is about to write them).
     * Needs at most {@link #blocksForAllocate} blocks and {@link #logBytesForAllocate} log bytes.
     *
     * @return the new root for the inode
     */
    public ExtentRoot allocate(Transaction txn, Reservation reservation, ExtentRoot root, long logical, long count,
            long goal) {
        checkRange(logical, count);
        long end = logical + count;
        List<ExtentEntry> existing = map(txn, root, logical, count);
        long next = goal;
        if (logical > 0) {
            List<ExtentEntry> before = map(txn, root, logical - 1, 1);
            if (!before.isEmpty()) {
                next = before.get(0).physical() + before.get(0).length();
            }
        }
        List<ExtentEntry> inserts = new ArrayList<>();
        boolean unwritten = false;
        long pos = logical;
        for (ExtentEntry e : existing) {
            if (e.logical() > pos) {
                next = fill(txn, reservation, pos, e.logical(), next, 0, inserts);
            }
            pos = Math.max(pos, end(e));
            next = e.physical() + e.length();
            unwritten |= (e.flags() & ExtentEntry.UNWRITTEN) != 0;
        }
        if (pos < end) {
            fill(txn, reservation, pos, end, next, 0, inserts);
        }
        if (inserts.isEmpty() && !unwritten) {
            return root;
        }
        return modify(txn, new Edit(Mode.WRITE, reservation, goal), root, logical, end, inserts, false);
    }

    /**
     * fallocate: gives the holes among logical blocks {@code logical .. logical + count - 1}
     * blocks as UNWRITTEN extents (they read as zeros until written), leaving every existing
     * extent as it is. Needs what {@link #allocate} needs, at most.
     *
     * @return the new root for the inode
     */
    public ExtentRoot preallocate(Transaction txn, Reservation reservation, ExtentRoot root, long logical, long count,
            long goal) {
        checkRange(logical, count);
        long end = logical + count;
        long next = goal;
        long pos = logical;
        List<ExtentEntry> inserts = new ArrayList<>();
        for (ExtentEntry e : map(txn, root, logical, count)) {
            if (e.logical() > pos) {
                next = fill(txn, reservation, pos, e.logical(), next, ExtentEntry.UNWRITTEN, inserts);
            }
            pos = Math.max(pos, end(e));
            next = e.physical() + e.length();
        }
        if (pos < end) {
            fill(txn, reservation, pos, end, next, ExtentEntry.UNWRITTEN, inserts);
        }
        if (inserts.isEmpty()) {
            return root;
        }
        return modify(txn, new Edit(Mode.PREALLOCATE, reservation, goal), root, logical, end, inserts, false);
    }

    /**
     * Allocates runs for the hole {@code from .. to - 1}, the first near {@code goal}, as extents
     * with {@code flags}; returns the block after the last.
     */
    private long fill(Transaction txn, Reservation reservation, long from, long to, long goal, int flags,
            List<ExtentEntry> out) {
        long next = goal;
        for (long at = from; at < to;) {
            long[] run = allocator.allocateBlocks(txn, reservation, next, (int) Math.min(to - at, Integer.MAX_VALUE));
            out.add(new ExtentEntry(at, run[0], run[1], flags));
            at += run[1];
            next = run[0] + run[1];
        }
        return next;
    }

    /**
     * Frees every block of the file at or past logical block {@code newBlockCount}: data blocks
     * (free when {@code txn} commits, reused once the commit is durable; after a checkpoint when
     * their data was journaled), and the tree's nodes left empty (after a checkpoint, as all
     * metadata). Never needs new blocks. Log bytes: at most {@link #logBytesForTruncate}.
     */
    public ExtentRoot truncate(Transaction txn, ExtentRoot root, long newBlockCount) {
        if (newBlockCount < 0) {
            throw new IllegalArgumentException("negative block count " + newBlockCount);
        }
        return modify(txn, new Edit(Mode.FREE, null, 0), root, newBlockCount, Long.MAX_VALUE, List.of(), true);
    }

    /**
     * Frees the blocks of logical blocks {@code logical .. logical + count - 1}, splitting the
     * extents that straddle the ends. Splitting one extent in two may need new nodes: they are
     * reserved here ({@link #blocksForPunch}) before anything changes, so a full filesystem fails
     * with ENOSPC and no change. Log bytes: at most {@link #logBytesForPunch}.
     */
    public ExtentRoot punchHole(Transaction txn, ExtentRoot root, long logical, long count) {
        checkRange(logical, count);
        Reservation reservation = allocator.reserve(txn, blocksForPunch(root), 0);
        long goal = root.entries().isEmpty() ? 0 : root.entries().get(0).physical();
        return modify(txn, new Edit(Mode.FREE, reservation, goal), root, logical, logical + count, List.of(), true);
    }

    // ---- budgets ----

    /** Blocks {@link #allocate} of {@code count} blocks may take, worst case: the data and new nodes. */
    public long blocksForAllocate(ExtentRoot root, long count) {
        return count + growth(root.depth(), count + 2, count + 2).newNodes();
    }

    /** Log bytes {@link #allocate} of {@code count} blocks may append, worst case. */
    public long logBytesForAllocate(ExtentRoot root, long count) {
        Growth g = growth(root.depth(), count + 2, count + 2);
        return runBytes(count + g.newNodes(), count + g.newNodes())
                + (g.newNodes() + g.touchedNodes()) * nodeWriteBytes();
    }

    /** Blocks {@link #punchHole} reserves: new nodes, in case splitting an extent overflows its leaf. */
    public long blocksForPunch(ExtentRoot root) {
        return growth(root.depth(), 1, 1).newNodes();
    }

    /**
     * Log bytes {@link #punchHole} of logical blocks {@code logical .. logical + count - 1} may
     * append, worst case, for the tree as it is now: read it under the lock that keeps the file
     * from changing until the punch (the inode's), for instance in a read-only transaction
     * before beginning the one that punches.
     */
    public long logBytesForPunch(BlockReader txn, ExtentRoot root, long logical, long count) {
        checkRange(logical, count);
        return removalCost(txn, root, logical, logical + count, 1);
    }

    /** Log bytes {@link #truncate} to {@code newBlockCount} may append, worst case, for the tree as it is now (see {@link #logBytesForPunch}). */
    public long logBytesForTruncate(BlockReader txn, ExtentRoot root, long newBlockCount) {
        return removalCost(txn, root, Math.max(0, newBlockCount), Long.MAX_VALUE, 0);
    }

    /**
     * Where a truncate towards {@code newBlockCount} whose worst case fits in {@code maxLogBytes}
     * can go in one transaction: the smallest block count, not below {@code newBlockCount}, that
     * removes no more than that. A caller with bounded transactions truncates a large file in
     * steps from its end, each to the count this returns for the tree as the previous step left
     * it; holes cost nothing, so a sparse file takes as many steps as its extents need.
     *
     * @throws IllegalArgumentException if {@code maxLogBytes} is too small for any progress
     */
    public long truncateStep(BlockReader txn, ExtentRoot root, long newBlockCount, long maxLogBytes) {
        long low = Math.max(0, newBlockCount);
        if (removalCost(txn, root, low, Long.MAX_VALUE, 0) <= maxLogBytes) {
            return low;
        }
        long high = Long.MAX_VALUE - 1; // cost(high) is the cost of touching the right edge only
        if (removalCost(txn, root, high, Long.MAX_VALUE, 0) > maxLogBytes) {
            throw new IllegalArgumentException(maxLogBytes + " log bytes are too few for any truncate step");
        }
        while (high - low > 1) { // cost(low) > max >= cost(high)
            long mid = low + (high - low) / 2;
            if (removalCost(txn, root, mid, Long.MAX_VALUE, 0) <= maxLogBytes) {
                high = mid;
            } else {
                low = mid;
            }
        }
        return high;
    }

    /**
     * Where a punch of logical blocks from {@code logical} to {@code end - 1} whose worst case fits
     * in {@code maxLogBytes} can end in one transaction: the largest end, not above {@code end}
     * and past {@code logical}, that removes no more than that (see {@link #truncateStep}).
     *
     * @throws IllegalArgumentException if {@code maxLogBytes} is too small for any progress
     */
    public long punchStep(BlockReader txn, ExtentRoot root, long logical, long end, long maxLogBytes) {
        checkRange(logical, end - logical);
        if (removalCost(txn, root, logical, end, 1) <= maxLogBytes) {
            return end;
        }
        long low = logical + 1;
        if (removalCost(txn, root, logical, low, 1) > maxLogBytes) {
            throw new IllegalArgumentException(maxLogBytes + " log bytes are too few for any punch step");
        }
        long high = end; // cost(low) <= max < cost(high)
        while (high - low > 1) {
            long mid = low + (high - low) / 2;
            if (removalCost(txn, root, logical, mid, 1) <= maxLogBytes) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /**
     * The worst case of removing {@code lo .. hi - 1} from the tree as it is: every node met is
     * rewritten or freed, every extent piece freed (one allocator call per group), up to
     * {@code inserted} extents added by splits, and moving the root's children up frees at most
     * INODE_EXTENTS nodes per level.
     */
    private long removalCost(BlockReader txn, ExtentRoot root, long lo, long hi, long inserted) {
        checkEntries(root.depth(), root.entries(), "the inode's extent root");
        List<ExtentEntry> met = new ArrayList<>();
        long nodes = collect(txn, root.depth(), root.entries(), lo, hi, met);
        long pieces = 0;
        long blocks = 0;
        for (ExtentEntry e : met) {
            long from = Math.max(e.logical(), lo);
            long to = Math.min(end(e), hi);
            long first = e.physical() + (from - e.logical());
            long last = first + (to - from) - 1;
            pieces += geometry.groupOfBlock(last) - geometry.groupOfBlock(first) + 1; // one allocator call per group
            blocks += to - from;
        }
        Growth g = growth(root.depth(), inserted, 0);
        long collapsed = (long) Limits.INODE_EXTENTS * root.depth();
        long runs = pieces + collapsed + g.newNodes();
        return runBytes(runs, blocks + collapsed + g.newNodes())
                + nodes * Math.max(nodeWriteBytes(), runBytes(1, 1)) + g.newNodes() * nodeWriteBytes();
    }

    /**
     * The shape of a change that inserts {@code inserted} entries into the leaves and meets
     * {@code overlapping} nodes of each level at most, in a tree of {@code depth}. A node of
     * {@code n ≤ max} entries receiving {@code m} splits into {@code ceil((n + m) / max)}: at most
     * {@code ceil(m / max)} new nodes, whose entries go up a level.
     */
    private Growth growth(int depth, long inserted, long overlapping) {
        long k = inserted;
        long newNodes = 0;
        long touched = 0;
        for (int level = 0; level < depth; level++) {
            long nodes = nodesAtLevel(depth, level);
            touched += Math.min(overlapping, nodes);
            long extra = k == 0 ? 0 : Math.min(k, Math.min(k, nodes) + k / nodeMax);
            newNodes += extra;
            k = extra;
        }
        long entries = Limits.INODE_EXTENTS + k;
        while (entries > Limits.INODE_EXTENTS) {
            entries = (entries + nodeMax - 1) / nodeMax;
            newNodes += entries;
        }
        return new Growth(newNodes, touched);
    }

    /** How many nodes level {@code level} (0 = leaves) of a tree of {@code depth} can hold, saturating. */
    private long nodesAtLevel(int depth, int level) {
        long n = Limits.INODE_EXTENTS;
        for (int i = 0; i < depth - 1 - level; i++) {
            n = n > Long.MAX_VALUE / nodeMax ? Long.MAX_VALUE : n * nodeMax;
        }
        return n;
    }

    /**
     * Log bytes of {@code runs} allocator runs or frees of {@code blocks} blocks in all.
     * {@link Allocator#logBytesPerBlockRun} is the worst case of one call, which includes writing
     * an uninitialised group's bitmap; that happens once per group, so it is counted once per
     * group here and each further run costs its descriptor and bitmap changes only (the
     * allocator's own accounting: one descriptor's 64 bytes, and 2 + blocks / 8 bitmap bytes).
     * This leans on how the allocator logs; an allocator method for many runs would say it
     * itself.
     */
    private long runBytes(long runs, long blocks) {
        long perRun = LogRecordCodec.updateSize(Limits.GROUP_DESCRIPTOR_SIZE) + LogRecordCodec.updateSize(2);
        long initialisation = Math.max(0, allocator.logBytesPerBlockRun(0) - perRun);
        long per8Blocks = allocator.logBytesPerBlockRun(8) - allocator.logBytesPerBlockRun(0);
        return runs * perRun + Math.min(runs, geometry.groupCount()) * initialisation + blocks / 8 * per8Blocks;
    }

    /** Log bytes of writing one node: a new one whole but for the LSN and checksum (more than a changed span). */
    private long nodeWriteBytes() {
        return LogRecordCodec.updateSize(BlockHeader.LSN_START)
                + LogRecordCodec.updateSize(blockSize - BlockHeader.LSN_END);
    }

    // ---- changing the tree ----

    private ExtentRoot modify(Transaction txn, Edit edit, ExtentRoot root, long lo, long hi,
            List<ExtentEntry> inserts, boolean shrink) {
        checkEntries(root.depth(), root.entries(), "the inode's extent root");
        int depth = root.depth();
        boolean append = appends(root.entries(), inserts);
        List<ExtentEntry> entries = edit(txn, edit, depth, root.entries(), lo, hi, inserts);
        while (entries.size() > Limits.INODE_EXTENTS) {
            List<ExtentEntry> up = new ArrayList<>();
            for (List<ExtentEntry> chunk : split(entries, append)) {
                long blockNr = newNode(txn, edit, edit.goal());
                writeNode(txn, blockNr, depth, chunk, true);
                up.add(ExtentEntry.index(chunk.get(0).logical(), blockNr));
            }
            entries = up;
            depth++;
        }
        while (shrink && depth > 0) {
            if (entries.isEmpty()) {
                depth = 0;
                break;
            }
            List<ExtentEntry> pulled = new ArrayList<>();
            for (int i = 0; i < entries.size() && pulled.size() <= Limits.INODE_EXTENTS; i++) {
                ExtentEntry index = entries.get(i);
                pulled.addAll(readNode(txn, index.physical(), depth - 1, index.logical(), upperBound(entries, i), true));
            }
            if (pulled.size() > Limits.INODE_EXTENTS) {
                break;
            }
            for (ExtentEntry index : entries) {
                allocator.free(txn, index.physical(), 1, true);
            }
            entries = pulled;
            depth--;
        }
        return new ExtentRoot(depth, entries);
    }

    /** The new entries of a node of {@code depth} holding {@code entries} after the edit; may be too many or none. */
    private List<ExtentEntry> edit(Transaction txn, Edit edit, int depth, List<ExtentEntry> entries, long lo, long hi,
            List<ExtentEntry> inserts) {
        if (depth == 0) {
            return editLeaf(txn, edit, entries, lo, hi, inserts);
        }
        List<ExtentEntry> out = new ArrayList<>(entries.size() + 1);
        for (int i = 0; i < entries.size(); i++) {
            ExtentEntry index = entries.get(i);
            long lower = i == 0 ? 0 : index.logical();
            long upper = upperBound(entries, i);
            if (upper <= lo || lower >= hi) {
                out.add(index);
                continue;
            }
            List<ExtentEntry> routed = new ArrayList<>();
            for (ExtentEntry e : inserts) {
                if (e.logical() >= lower && e.logical() < upper) {
                    routed.add(e);
                }
            }
            List<ExtentEntry> child = readNode(txn, index.physical(), depth - 1, index.logical(), upper, true);
            List<ExtentEntry> changed = edit(txn, edit, depth - 1, child, Math.max(lo, lower), Math.min(hi, upper),
                    routed);
            out.addAll(store(txn, edit, index.physical(), depth - 1, child, changed, appends(child, routed)));
        }
        return out;
    }

    private List<ExtentEntry> editLeaf(Transaction txn, Edit edit, List<ExtentEntry> entries, long lo, long hi,
            List<ExtentEntry> inserts) {
        List<ExtentEntry> out = new ArrayList<>(entries.size() + inserts.size() + 2);
        for (ExtentEntry e : entries) {
            long end = end(e);
            boolean unwritten = (e.flags() & ExtentEntry.UNWRITTEN) != 0;
            if (end <= lo || e.logical() >= hi || (edit.mode() == Mode.WRITE && !unwritten)
                    || edit.mode() == Mode.PREALLOCATE) {
                out.add(e);
                continue;
            }
            long from = Math.max(e.logical(), lo);
            long to = Math.min(end, hi);
            if (e.logical() < from) {
                out.add(piece(e, e.logical(), from, e.flags()));
            }
            if (edit.mode() == Mode.FREE) {
                freeData(txn, e.physical() + (from - e.logical()), to - from);
            } else {
                out.add(piece(e, from, to, e.flags() & ~ExtentEntry.UNWRITTEN));
            }
            if (to < end) {
                out.add(piece(e, to, end, e.flags()));
            }
        }
        out.addAll(inserts);
        out.sort(Comparator.comparingLong(ExtentEntry::logical));
        List<ExtentEntry> merged = new ArrayList<>(out.size());
        for (ExtentEntry e : out) {
            ExtentEntry last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && end(last) == e.logical() && last.physical() + last.length() == e.physical()
                    && last.flags() == e.flags() && last.length() + e.length() <= MAX_EXTENT_LENGTH) {
                merged.set(merged.size() - 1, new ExtentEntry(last.logical(), last.physical(),
                        last.length() + e.length(), last.flags()));
            } else {
                merged.add(e);
            }
        }
        return merged;
    }

    private static ExtentEntry piece(ExtentEntry e, long from, long to, int flags) {
        return new ExtentEntry(from, e.physical() + (from - e.logical()), to - from, flags);
    }

    /** Frees data blocks, one allocator call per group they span. */
    private void freeData(Transaction txn, long first, long count) {
        for (long at = first; at < first + count;) {
            int group = geometry.groupOfBlock(at);
            long groupEnd = geometry.groupStart(group) + geometry.groupLength(group);
            int n = (int) (Math.min(first + count, groupEnd) - at);
            allocator.free(txn, at, n, dataJournaled);
            at += n;
        }
    }

    /**
     * Writes node {@code blockNr}'s new entries, splitting them over new nodes when they do not
     * fit, or frees it when there are none; returns the parent's index entries for them.
     */
    private List<ExtentEntry> store(Transaction txn, Edit edit, long blockNr, int depth, List<ExtentEntry> before,
            List<ExtentEntry> after, boolean append) {
        if (after.isEmpty()) {
            allocator.free(txn, blockNr, 1, true);
            return List.of();
        }
        if (after.equals(before)) {
            return List.of(ExtentEntry.index(after.get(0).logical(), blockNr));
        }
        List<ExtentEntry> out = new ArrayList<>();
        List<List<ExtentEntry>> chunks = split(after, append);
        for (int c = 0; c < chunks.size(); c++) {
            long at = c == 0 ? blockNr : newNode(txn, edit, blockNr);
            writeNode(txn, at, depth, chunks.get(c), c > 0);
            out.add(ExtentEntry.index(chunks.get(c).get(0).logical(), at));
        }
        return out;
    }

    /** Whether every inserted entry comes after the node's entries: then splits fill nodes from the left. */
    private static boolean appends(List<ExtentEntry> entries, List<ExtentEntry> inserts) {
        if (inserts.isEmpty() || entries.isEmpty()) {
            return !inserts.isEmpty();
        }
        long last = entries.get(entries.size() - 1).logical();
        return inserts.stream().allMatch(e -> e.logical() > last);
    }

    /**
     * {@code entries} in as few chunks of at most a node's worth as hold them: full from the left
     * when the file grows at its end (the left ones will not change again), else evenly.
     */
    private List<List<ExtentEntry>> split(List<ExtentEntry> entries, boolean packLeft) {
        int n = entries.size();
        int chunks = (n + nodeMax - 1) / nodeMax;
        List<List<ExtentEntry>> out = new ArrayList<>(chunks);
        int from = 0;
        for (int c = 0; c < chunks; c++) {
            int size = packLeft ? Math.min(nodeMax, n - from) : (n - from) / (chunks - c);
            out.add(new ArrayList<>(entries.subList(from, from + size)));
            from += size;
        }
        return out;
    }

    private long newNode(Transaction txn, Edit edit, long near) {
        if (edit.reservation() == null) {
            throw new IllegalStateException("the extent tree needs a new node in an operation that reserved none");
        }
        return allocator.allocateBlocks(txn, edit.reservation(), near, 1)[0];
    }

    private void writeNode(Transaction txn, long blockNr, int depth, List<ExtentEntry> entries, boolean fresh) {
        ByteBuffer block = ByteBuffer.allocate(blockSize);
        ExtentNode.encode(block, blockNr, depth, entries);
        byte[] bytes = block.array();
        if (fresh) {
            // Whole, from what the device may hold: recovery must rebuild it from the log alone.
            txn.update(blockNr, 0, Arrays.copyOfRange(bytes, 0, BlockHeader.LSN_START));
            txn.update(blockNr, BlockHeader.LSN_END, Arrays.copyOfRange(bytes, BlockHeader.LSN_END, blockSize));
        } else {
            txn.updateChanged(blockNr, BlockHeader.SIZE, Arrays.copyOfRange(bytes, BlockHeader.SIZE, blockSize));
        }
    }

    // ---- reading and checking nodes ----

    /**
     * The entries of node {@code blockNr}, which its parent says is of {@code depth} and holds
     * logical blocks {@code lower .. upper - 1}; verified.
     */
    private List<ExtentEntry> readNode(BlockReader txn, long blockNr, int depth, long lower, long upper,
            boolean forUpdate) {
        if (blockNr < geometry.groupsStart() || blockNr >= geometry.blockCount()) {
            throw damaged(blockNr, "an index entry points outside the filesystem's groups");
        }
        try (CachedBlock block = forUpdate ? ((Transaction) txn).readForUpdate(blockNr) : txn.read(blockNr)) {
            ByteBuffer contents = block.contents();
            if (!block.isDirty()) {
                BlockHeader.problem(contents, uuid, BlockType.EXTENT_NODE, blockNr).ifPresent(why -> {
                    throw damaged(blockNr, why);
                });
            }
            ExtentNode.problem(contents).ifPresent(why -> {
                throw damaged(blockNr, why);
            });
            if (ExtentNode.depth(contents) != depth) {
                throw damaged(blockNr, "node of depth " + ExtentNode.depth(contents) + " where its parent implies "
                        + depth);
            }
            List<ExtentEntry> entries = ExtentNode.entries(contents);
            checkEntries(depth, entries, "extent node block " + blockNr);
            ExtentEntry last = entries.get(entries.size() - 1);
            if (entries.get(0).logical() < lower || (depth == 0 ? end(last) > upper : last.logical() >= upper)) {
                throw damaged(blockNr, "entries outside logical blocks " + lower + ".." + (upper - 1)
                        + " its parent routes to it");
            }
            return entries;
        }
    }

    /** Extents with a length, inside the groups and not wrapping; index entries with a key that is a block number. */
    private void checkEntries(int depth, List<ExtentEntry> entries, String where) {
        for (ExtentEntry e : entries) {
            boolean bad = e.logical() < 0;
            if (depth == 0) {
                bad |= e.length() <= 0 || e.length() > MAX_EXTENT_LENGTH || e.logical() > Long.MAX_VALUE - e.length()
                        || e.physical() < geometry.groupsStart() || e.physical() > geometry.blockCount() - e.length();
            }
            if (bad) {
                throw FsException.damaged(where + ": entry " + e + " is not a valid "
                        + (depth == 0 ? "extent" : "index entry"));
            }
        }
    }

    private static FsException damaged(long blockNr, String why) {
        return FsException.damaged("extent node block " + blockNr + ": " + why);
    }

    private static long upperBound(List<ExtentEntry> entries, int i) {
        return i + 1 < entries.size() ? entries.get(i + 1).logical() : Long.MAX_VALUE;
    }

    private static long end(ExtentEntry e) {
        return e.logical() + e.length();
    }

    private static void checkRange(long logical, long count) {
        if (logical < 0 || count <= 0 || logical > Long.MAX_VALUE - count) {
            throw new IllegalArgumentException("logical blocks " + logical + " + " + count + " are not a range");
        }
    }
}
