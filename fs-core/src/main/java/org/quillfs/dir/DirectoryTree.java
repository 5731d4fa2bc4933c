package org.quillfs.dir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;
import org.quillfs.alloc.Allocator;
import org.quillfs.alloc.Reservation;
import org.quillfs.cache.CachedBlock;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.DirEntry;
import org.quillfs.format.DirectoryKeys;
import org.quillfs.format.DirectoryLeaf;
import org.quillfs.format.DirectoryNode;
import org.quillfs.format.DirectoryRoot;
import org.quillfs.format.Geometry;
import org.quillfs.format.Limits;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.txn.BlockReader;
import org.quillfs.txn.Transaction;

/**
 * A directory's entries as a B+tree of DIR_NODE and DIR_LEAF blocks (docs/FORMAT.md,
 * "Directories"), read and changed inside the caller's transaction.
 *
 * <h2>Overview</h2>
 * Entries are ordered by key ({@code hash48(name) << 15 | seq}). The root is named by the
 * directory inode's {@link DirectoryRoot}; every operation takes the current root and returns
 * the new one, which the caller writes into the inode in the same transaction. Leaves are
 * chained by next_leaf in key order, so {@link #list} walks them; a key never changes while its
 * entry exists, so it is the stable readdir offset. A lookup hashes the name and scans the keys
 * with that hash48 (usually one, in one leaf), comparing names.
 *
 * <h2>Changes</h2>
 * Insert descends taking exclusive page locks, adds the entry to its leaf and, when the leaf is
 * full, splits it in two by bytes; the new right half takes a new block and its first key goes
 * into the parent, which may split in turn; a split root gets a new root above it (depth + 1).
 * Remove takes the entry out of its leaf; a leaf that becomes empty is freed, unlinked from its
 * left sibling's next_leaf and removed from its parent (a node left empty goes the same way), and
 * a root node left with one child is replaced by that child (depth − 1). There is no merging of
 * half-empty blocks. Node entry first keys are the lower bounds of their children's ranges, so
 * entry 0 of a node always carries the node's own lower bound (0 on the leftmost path).
 *
 * <h2>Writing blocks</h2>
 * Blocks are changed in a heap copy and then logged (a leaf in a copy the transaction reuses,
 * {@link Transaction#copyToChange}, since nearly every insert and remove changes one): an existing block's bytes from
 * {@link BlockHeader#LSN_END} on with {@link Transaction#updateChanged} (only the span that
 * changes), a new block whole with {@link Transaction#update} in two pieces around the header's
 * LSN and checksum, which are never logged.
 *
 * <h2>Verification</h2>
 * Every block read is checked before use: header (type, number, checksum — the checksum only
 * when the cached copy is clean, since a dirty copy's checksum is stale by design), owner,
 * level, and the structure of the leaf or node. Damage is {@link FsException#damaged} (EIO).
 *
 * <p>Holds no state but its configuration: safe to share between threads.
 */
public final class DirectoryTree {

    private final Geometry geometry;
    private final int blockSize;
    private final UUID uuid;
    private final Allocator allocator;
    private final ToLongFunction<byte[]> hash48;

    /** A tree for the filesystem whose superblock gives the dir hash keys {@code key0}, {@code key1}. */
    public DirectoryTree(Geometry geometry, long key0, long key1, UUID uuid, Allocator allocator) {
        this(geometry, uuid, allocator, name -> DirectoryKeys.hash48(key0, key1, name));
    }

    /** For tests: {@code hash48} replaces the SipHash of names (to force collisions). */
    DirectoryTree(Geometry geometry, UUID uuid, Allocator allocator, ToLongFunction<byte[]> hash48) {
        this.geometry = geometry;
        this.blockSize = geometry.blockSize();
        this.uuid = uuid;
        this.allocator = allocator;
        this.hash48 = hash48;
    }

    // ------------------------------------------------------------------ budgets

    /** Log bytes one {@link #insert} may append at worst: for the caller's transaction budget. */
    public long logBytesPerInsert(DirectoryRoot root) {
        return logBytesPerInsert(root.depth());
    }

    /** Log bytes one {@link #insert} into a tree of {@code depth} node levels may append at worst. */
    public long logBytesPerInsert(int depth) {
        return (depth + 1L) * existingBlockLogBytes() + (depth + 2L) * newBlockLogBytes()
                + (depth + 2L) * allocator.logBytesPerBlockRun(1);
    }

    /** Log bytes one {@link #remove} may append at worst. */
    public long logBytesPerRemove(DirectoryRoot root) {
        int depth = root.depth();
        return 3L * existingBlockLogBytes() + (2L * depth + 1) * allocator.logBytesPerBlockRun(1);
    }

    /** Blocks one {@link #insert} may allocate at worst: for the allocator reservation. */
    public int blocksPerInsert(DirectoryRoot root) {
        return root.depth() + 2;
    }

    /**
     * Blocks an {@link #insert} of {@code name} would allocate now: 0 when its leaf has room.
     * For a nearly full filesystem, where reserving {@link #blocksPerInsert} would fail although
     * the entry fits. Read under the locks the insert takes ({@code txn::readForUpdate}), the
     * answer holds until the insert.
     */
    public int blocksToInsert(BlockReader txn, long dirInode, DirectoryRoot root, byte[] name) {
        checkName(name);
        if (root.rootBlock() == 0) {
            return 1;
        }
        long hash = hash48(name);
        Scan scan = scan(txn::read, dirInode, root, hash, name);
        int seq = scan.usedSeqs.nextClearBit(0);
        if (scan.match.isPresent() || seq > DirectoryKeys.MAX_SEQ) {
            return 0; // the insert fails before it allocates
        }
        Path path = descend(txn::read, dirInode, root, DirectoryKeys.key(hash, seq));
        return DirectoryLeaf.hasRoomFor(path.leaf, name.length) ? 0 : blocksPerInsert(root);
    }

    private long existingBlockLogBytes() {
        return LogRecordCodec.updateSize(blockSize - BlockHeader.LSN_END);
    }

    private long newBlockLogBytes() {
        return LogRecordCodec.updateSize(BlockHeader.LSN_START) + existingBlockLogBytes();
    }

    // ------------------------------------------------------------------ reading

    /**
     * The entry named {@code name}, or empty.
     *
     * @throws FsException ENAMETOOLONG, EINVAL for a name no entry can have; EIO for damage
     */
    public Optional<DirEntry> lookup(BlockReader txn, long dirInode, DirectoryRoot root, byte[] name) {
        checkName(name);
        if (root.rootBlock() == 0) {
            return Optional.empty();
        }
        return scan(txn::read, dirInode, root, hash48(name), name).match;
    }

    /**
     * Up to {@code max} entries with keys above {@code afterKey}, in key order: readdir, with the
     * last key returned as the cursor for the next call.
     *
     * @throws FsException EIO for damage
     */
    public List<DirEntry> list(BlockReader txn, long dirInode, DirectoryRoot root, long afterKey, int max) {
        List<DirEntry> out = new ArrayList<>();
        if (root.rootBlock() == 0 || max <= 0 || afterKey == Long.MAX_VALUE) {
            return out;
        }
        long from = Math.max(0, afterKey + 1);
        Path path = descend(txn::read, dirInode, root, from);
        ByteBuffer leaf = path.leaf;
        while (true) {
            for (DirEntry e : DirectoryLeaf.entries(leaf)) {
                if (e.key() > afterKey) {
                    out.add(e);
                    if (out.size() == max) {
                        return out;
                    }
                }
            }
            long next = DirectoryLeaf.nextLeaf(leaf);
            if (next == 0) {
                return out;
            }
            leaf = load(txn::read, dirInode, next, 0);
        }
    }

    // ------------------------------------------------------------------ changing

    /** Where a new entry named {@code name} goes: the key it gets. See {@link #vacancy}. */
    public record Vacancy(long key, byte[] name) {
    }

    /**
     * Where a new entry named {@code name} would go. Read under the locks {@link #insert} takes,
     * it stays true until this transaction's insert: every change of a directory also changes
     * its inode, whose exclusive lock the caller holds.
     *
     * @throws FsException EEXIST if the name is there; ENAMETOOLONG, EINVAL for a bad name;
     *     ENOSPC when 32768 names share its hash; EIO for damage
     */
    public Vacancy vacancy(Transaction txn, long dirInode, DirectoryRoot root, byte[] name) {
        checkName(name);
        long hash = hash48(name);
        if (root.rootBlock() == 0) {
            return new Vacancy(DirectoryKeys.key(hash, 0), name);
        }
        Scan scan = scan(txn::readForUpdate, dirInode, root, hash, name);
        if (scan.match.isPresent()) {
            throw new FsException(Errno.EEXIST, "\"" + new String(name, StandardCharsets.UTF_8)
                    + "\" exists in directory inode " + dirInode);
        }
        int seq = scan.usedSeqs.nextClearBit(0);
        if (seq > DirectoryKeys.MAX_SEQ) {
            throw new FsException(Errno.ENOSPC, "directory inode " + dirInode + ": every key for hash 0x"
                    + Long.toHexString(hash) + " is taken");
        }
        return new Vacancy(DirectoryKeys.key(hash, seq), name);
    }

    /**
     * Adds the entry {@code name} → {@code inode} of {@code fileType} ({@code DT_*}) and returns
     * the directory's new root.
     *
     * @throws FsException EEXIST if the name is there; ENAMETOOLONG, EINVAL for a bad name;
     *     ENOSPC when 32768 names share its hash; EIO for damage
     * @throws IllegalArgumentException for inode 0 or a type that is no {@code DT_*} value
     */
    public DirectoryRoot insert(Transaction txn, Reservation reservation, long dirInode, DirectoryRoot root,
            byte[] name, long inode, int fileType) {
        return insert(txn, reservation, dirInode, root, vacancy(txn, dirInode, root, name), inode, fileType);
    }

    /**
     * Adds the entry {@code vacancy.name()} → {@code inode} of {@code fileType} at the key
     * {@link #vacancy} found in this transaction, and returns the directory's new root.
     *
     * @throws FsException EIO for damage
     * @throws IllegalArgumentException for inode 0 or a type that is no {@code DT_*} value
     */
    public DirectoryRoot insert(Transaction txn, Reservation reservation, long dirInode, DirectoryRoot root,
            Vacancy vacancy, long inode, int fileType) {
        DirEntry entry = checkedEntry(vacancy.key(), inode, fileType, vacancy.name());
        LongFunction<CachedBlock> reader = txn::readForUpdate;
        if (root.rootBlock() == 0) {
            long leafNr = allocate(txn, reservation, geometry.inodeBlock(dirInode));
            ByteBuffer leaf = ByteBuffer.allocate(blockSize);
            DirectoryLeaf.init(leaf, leafNr, dirInode);
            DirectoryLeaf.insert(leaf, entry);
            writeNew(txn, leafNr, leaf);
            return new DirectoryRoot(0, leafNr, 1);
        }
        long count = root.entryCount() + 1;
        Path path = descend(reader, dirInode, root, entry.key(), txn);
        if (DirectoryLeaf.insert(path.leaf, entry)) {
            writeExisting(txn, path.leafNr, path.leaf);
            return new DirectoryRoot(root.depth(), root.rootBlock(), count);
        }
        // The leaf is full: split it by bytes, the upper half into a new right sibling.
        List<DirEntry> all = new ArrayList<>(DirectoryLeaf.entries(path.leaf));
        all.add(entry);
        all.sort(Comparator.comparingLong(DirEntry::key));
        int cut = balancedCut(all);
        long rightNr = allocate(txn, reservation, path.leafNr);
        ByteBuffer left = ByteBuffer.allocate(blockSize);
        ByteBuffer right = ByteBuffer.allocate(blockSize);
        DirectoryLeaf.init(left, path.leafNr, dirInode);
        DirectoryLeaf.init(right, rightNr, dirInode);
        for (int i = 0; i < all.size(); i++) {
            if (!DirectoryLeaf.insert(i < cut ? left : right, all.get(i))) {
                throw new IllegalStateException("a split half of leaf " + path.leafNr + " does not fit in a block");
            }
        }
        DirectoryLeaf.setNextLeaf(right, DirectoryLeaf.nextLeaf(path.leaf));
        DirectoryLeaf.setNextLeaf(left, rightNr);
        writeNew(txn, rightNr, right);
        writeExisting(txn, path.leafNr, left);

        // Enter (separator, new block) in the parents, splitting full nodes upwards.
        long separator = all.get(cut).key();
        long newChild = rightNr;
        for (int l = path.nodes.size() - 1; l >= 0; l--) {
            Step step = path.nodes.get(l);
            DirectoryNode.Entry added = new DirectoryNode.Entry(separator, newChild);
            ByteBuffer node = writable(step.image);
            if (DirectoryNode.insert(node, step.index + 1, added)) {
                writeExisting(txn, step.block, node);
                return new DirectoryRoot(root.depth(), root.rootBlock(), count);
            }
            List<DirectoryNode.Entry> entries = new ArrayList<>(DirectoryNode.entries(step.image));
            entries.add(step.index + 1, added);
            int half = entries.size() / 2;
            int level = DirectoryNode.level(step.image);
            long newNode = allocate(txn, reservation, step.block);
            ByteBuffer leftNode = ByteBuffer.allocate(blockSize);
            ByteBuffer rightNode = ByteBuffer.allocate(blockSize);
            DirectoryNode.init(leftNode, step.block, dirInode, level);
            DirectoryNode.init(rightNode, newNode, dirInode, level);
            for (int i = 0; i < entries.size(); i++) {
                ByteBuffer into = i < half ? leftNode : rightNode;
                DirectoryNode.insert(into, DirectoryNode.entryCount(into), entries.get(i));
            }
            writeNew(txn, newNode, rightNode);
            writeExisting(txn, step.block, leftNode);
            separator = entries.get(half).firstKey();
            newChild = newNode;
        }
        // The root split: a new root above the two halves.
        int depth = root.depth() + 1;
        long newRoot = allocate(txn, reservation, root.rootBlock());
        ByteBuffer rootNode = ByteBuffer.allocate(blockSize);
        DirectoryNode.init(rootNode, newRoot, dirInode, depth);
        DirectoryNode.insert(rootNode, 0, new DirectoryNode.Entry(0, root.rootBlock()));
        DirectoryNode.insert(rootNode, 1, new DirectoryNode.Entry(separator, newChild));
        writeNew(txn, newRoot, rootNode);
        return new DirectoryRoot(depth, newRoot, count);
    }

    /**
     * Removes the entry {@code name} and returns the directory's new root: with root block 0
     * when it was the last entry.
     *
     * @throws FsException ENOENT if there is no such entry; ENAMETOOLONG, EINVAL for a bad name;
     *     EIO for damage
     */
    public DirectoryRoot remove(Transaction txn, long dirInode, DirectoryRoot root, byte[] name) {
        checkName(name);
        LongFunction<CachedBlock> reader = txn::readForUpdate;
        Optional<DirEntry> found = root.rootBlock() == 0 ? Optional.empty()
                : scan(reader, dirInode, root, hash48(name), name).match;
        if (found.isEmpty()) {
            throw new FsException(Errno.ENOENT, "directory inode " + dirInode + " has no entry named \""
                    + new String(name, StandardCharsets.UTF_8) + "\"");
        }
        long key = found.get().key();
        long count = root.entryCount() - 1;
        Path path = descend(reader, dirInode, root, key, txn);
        if (!DirectoryLeaf.remove(path.leaf, key)) {
            throw damage(dirInode, path.leafNr, "entry 0x" + Long.toHexString(key) + " is not in the leaf its key leads to");
        }
        if (DirectoryLeaf.entryCount(path.leaf) > 0) {
            writeExisting(txn, path.leafNr, path.leaf);
            return new DirectoryRoot(root.depth(), root.rootBlock(), count);
        }
        // The leaf is empty: free it, unlink it from the leaf before it, take it out of its parent.
        allocator.free(txn, path.leafNr, 1, true);
        if (path.nodes.isEmpty()) {
            return emptied(dirInode, count);
        }
        Step parent = path.nodes.get(path.nodes.size() - 1);
        long lowerBound = DirectoryNode.entry(parent.image, parent.index).firstKey();
        if (lowerBound > 0) {
            Path before = descend(reader, dirInode, root, lowerBound - 1, txn);
            DirectoryLeaf.setNextLeaf(before.leaf, DirectoryLeaf.nextLeaf(path.leaf));
            writeExisting(txn, before.leafNr, before.leaf);
        }
        boolean rootGone = true;
        for (int l = path.nodes.size() - 1; l >= 0; l--) {
            Step step = path.nodes.get(l);
            ByteBuffer node = writable(step.image);
            long removedFirstKey = DirectoryNode.entry(node, step.index).firstKey();
            DirectoryNode.remove(node, step.index);
            if (DirectoryNode.entryCount(node) == 0) {
                allocator.free(txn, step.block, 1, true);
                continue;
            }
            if (step.index == 0) {
                DirectoryNode.setFirstKey(node, 0, removedFirstKey); // keep the node's lower bound
            }
            writeExisting(txn, step.block, node);
            rootGone = false;
            break;
        }
        if (rootGone) {
            return emptied(dirInode, count);
        }
        // A root node with a single child gives way to it.
        int depth = root.depth();
        long rootBlock = root.rootBlock();
        while (depth > 0) {
            ByteBuffer node = load(reader, dirInode, rootBlock, depth);
            if (DirectoryNode.entryCount(node) != 1) {
                break;
            }
            allocator.free(txn, rootBlock, 1, true);
            rootBlock = DirectoryNode.entry(node, 0).child();
            depth--;
        }
        return new DirectoryRoot(depth, rootBlock, count);
    }

    private DirectoryRoot emptied(long dirInode, long count) {
        if (count != 0) {
            throw FsException.damaged("directory inode " + dirInode + ": its tree is empty but its root counts "
                    + count + " more entries");
        }
        return new DirectoryRoot(0, 0, 0);
    }

    // ------------------------------------------------------------------ internals

    /** A node on the way down: its block, its contents and the child index followed. */
    private record Step(long block, ByteBuffer image, int index) {
    }

    /** The nodes from the root down and the leaf a key leads to. */
    private record Path(List<Step> nodes, long leafNr, ByteBuffer leaf) {
    }

    /** What a scan of one hash48's keys found: the entry with the name, and the seqs in use. */
    private record Scan(Optional<DirEntry> match, BitSet usedSeqs) {
    }

    private Path descend(LongFunction<CachedBlock> reader, long dirInode, DirectoryRoot root, long key) {
        return descend(reader, dirInode, root, key, null);
    }

    /**
     * Like {@link #descend(LongFunction, long, DirectoryRoot, long)}, with a copy of the leaf for
     * {@code changer} to change unless it is null; the nodes are views (a change copies them
     * first, see {@link #writable}: most changes stay within the leaf).
     */
    private Path descend(LongFunction<CachedBlock> reader, long dirInode, DirectoryRoot root, long key,
            Transaction changer) {
        List<Step> nodes = new ArrayList<>(root.depth());
        long nr = root.rootBlock();
        for (int level = root.depth(); level > 0; level--) {
            ByteBuffer node = load(reader, dirInode, nr, level);
            if (DirectoryNode.entryCount(node) == 0) {
                throw damage(dirInode, nr, "node has no entries");
            }
            int index = DirectoryNode.childIndex(node, key);
            nodes.add(new Step(nr, node, index));
            nr = DirectoryNode.entry(node, index).child();
        }
        return new Path(nodes, nr, load(reader, dirInode, nr, 0, changer));
    }

    /** Walks the leaves holding keys of {@code hash}, from its seq 0 on, comparing names. */
    private Scan scan(LongFunction<CachedBlock> reader, long dirInode, DirectoryRoot root, long hash, byte[] name) {
        long low = DirectoryKeys.key(hash, 0);
        long high = DirectoryKeys.key(hash, DirectoryKeys.MAX_SEQ);
        BitSet used = new BitSet();
        Optional<DirEntry> match = Optional.empty();
        ByteBuffer leaf = descend(reader, dirInode, root, low).leaf;
        while (true) {
            int count = DirectoryLeaf.entryCount(leaf);
            for (int i = DirectoryLeaf.firstAtOrAbove(leaf, low); i < count; i++) {
                long key = DirectoryLeaf.keyAt(leaf, i);
                if (key > high) {
                    return new Scan(match, used);
                }
                used.set((int) (key - low));
                if (DirectoryLeaf.nameAtEquals(leaf, i, name)) {
                    match = Optional.of(DirectoryLeaf.entryAt(leaf, i));
                }
            }
            long next = DirectoryLeaf.nextLeaf(leaf);
            if (next == 0) {
                return new Scan(match, used);
            }
            leaf = load(reader, dirInode, next, 0);
        }
    }

    /** A read-only view of verified block {@code nr}: see {@link #load(LongFunction, long, long, int, Transaction)}. */
    private ByteBuffer load(LongFunction<CachedBlock> reader, long dirInode, long nr, int level) {
        return load(reader, dirInode, nr, level, null);
    }

    /**
     * Verified block {@code nr} of directory {@code dirInode}, a leaf for {@code level} 0, else a
     * node of that level: a copy for {@code changer} to change ({@link Transaction#copyToChange})
     * unless it is null, else a read-only view of the cached block. A view stays valid while the
     * transaction holds its page lock: no one else changes the block meanwhile, and an evicted
     * block's contents are never reused.
     */
    private ByteBuffer load(LongFunction<CachedBlock> reader, long dirInode, long nr, int level, Transaction changer) {
        if (nr <= 0 || nr >= geometry.blockCount()) {
            throw damage(dirInode, nr, "block number outside the filesystem");
        }
        BlockType type = level == 0 ? BlockType.DIR_LEAF : BlockType.DIR_NODE;
        ByteBuffer image;
        try (CachedBlock block = reader.apply(nr)) {
            image = changer != null ? ByteBuffer.wrap(changer.copyToChange(block)).order(ByteOrder.LITTLE_ENDIAN)
                    : block.contents();
            if (!block.isVerified()) {
                // a clean block cannot turn dirty under our page lock, and only a clean one's checksum is current
                verify(image, dirInode, nr, level, type, block.isDirty());
                block.markVerified();
            } else if (BlockHeader.typeCode(image) != type.code() || owner(image, level) != dirInode
                    || (level > 0 && DirectoryNode.level(image) != level)) {
                // verified, but perhaps as another directory's block or another level (a damaged pointer)
                verify(image, dirInode, nr, level, type, true);
            }
        }
        return image;
    }

    private static long owner(ByteBuffer image, int level) {
        return level == 0 ? DirectoryLeaf.owner(image) : DirectoryNode.owner(image);
    }

    /** Checks a directory block read for {@code dirInode} at {@code level}; EIO naming what is wrong. */
    private void verify(ByteBuffer image, long dirInode, long nr, int level, BlockType type, boolean dirty) {
        if (!dirty) {
            BlockHeader.problem(image, uuid, type, nr).ifPresent(why -> {
                throw damage(dirInode, nr, why);
            });
        }
        Optional<String> problem;
        if (level == 0) {
            problem = DirectoryLeaf.problem(image);
        } else {
            problem = DirectoryNode.problem(image);
            if (problem.isEmpty() && DirectoryNode.level(image) != level) {
                problem = Optional.of("node of level " + DirectoryNode.level(image) + " where level " + level
                        + " was expected");
            }
        }
        if (problem.isEmpty() && dirty && BlockHeader.typeCode(image) != type.code()) {
            problem = Optional.of("block of type " + BlockHeader.typeCode(image) + " where " + type + " was expected");
        }
        long owner = owner(image, level);
        if (problem.isEmpty() && owner != dirInode) {
            problem = Optional.of("block belongs to inode " + owner);
        }
        problem.ifPresent(why -> {
            throw damage(dirInode, nr, why);
        });
    }

    private static FsException damage(long dirInode, long block, String why) {
        return FsException.damaged("directory inode " + dirInode + ": block " + block + ": " + why);
    }

    /** The index of the first entry of the upper half, splitting the entries' bytes most evenly. */
    private static int balancedCut(List<DirEntry> entries) {
        int total = 0;
        for (DirEntry e : entries) {
            total += entrySize(e);
        }
        int best = 1;
        int bestWorst = Integer.MAX_VALUE;
        int below = 0;
        for (int cut = 1; cut < entries.size(); cut++) {
            below += entrySize(entries.get(cut - 1));
            int worst = Math.max(below, total - below);
            if (worst < bestWorst) {
                bestWorst = worst;
                best = cut;
            }
        }
        return best;
    }

    /** An entry's bytes in a leaf, its slot included. */
    private static int entrySize(DirEntry e) {
        return 14 + e.name().length + 2;
    }

    private long allocate(Transaction txn, Reservation reservation, long goal) {
        return allocator.allocateBlocks(txn, reservation, goal, 1)[0];
    }

    /** Logs the bytes of an existing block that changed. */
    private static void writeExisting(Transaction txn, long nr, ByteBuffer image) {
        txn.updateBlock(nr, image.array());
    }

    /** Logs a new block whole. */
    private static void writeNew(Transaction txn, long nr, ByteBuffer image) {
        txn.writeBlock(nr, image.array());
    }

    /** A copy of {@code view} that this transaction may change and then log. */
    private ByteBuffer writable(ByteBuffer view) {
        ByteBuffer copy = ByteBuffer.allocate(blockSize);
        copy.put(view.duplicate().clear());
        return copy.clear();
    }

    private long hash48(byte[] name) {
        return hash48.applyAsLong(name);
    }

    private static void checkName(byte[] name) {
        if (name.length > Limits.MAX_NAME_BYTES) {
            throw new FsException(Errno.ENAMETOOLONG, "a name of " + name.length + " bytes is longer than "
                    + Limits.MAX_NAME_BYTES);
        }
        DirectoryKeys.nameProblem(name).ifPresent(why -> {
            throw new FsException(Errno.EINVAL, why);
        });
    }

    /** The entry, checked (inode, file type) before anything is changed. */
    private static DirEntry checkedEntry(long key, long inode, int fileType, byte[] name) {
        DirEntry entry = new DirEntry(key, inode, fileType, name);
        DirectoryLeaf.check(entry); // throws IllegalArgumentException for a bad inode or type
        return entry;
    }
}
