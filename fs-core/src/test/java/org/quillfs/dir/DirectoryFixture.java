package org.quillfs.dir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;
import org.quillfs.alloc.Allocator;
import org.quillfs.alloc.Reservation;
import org.quillfs.cache.CachedBlock;
import org.quillfs.format.DirEntry;
import org.quillfs.format.DirectoryLeaf;
import org.quillfs.format.DirectoryNode;
import org.quillfs.format.DirectoryKeys;
import org.quillfs.format.DirectoryRoot;
import org.quillfs.format.Formatter;
import org.quillfs.format.Geometry;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.format.TestFormats;
import org.quillfs.txn.MetadataStore;
import org.quillfs.txn.ReadOnlyTransaction;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.MemoryBlockDevice;

/**
 * One directory on a formatted memory device with 1 KiB blocks (so trees grow deep fast), and
 * each operation in a transaction of its own, budgeted the way a caller must.
 */
final class DirectoryFixture implements AutoCloseable {

    static final int BLOCK = 1024;
    static final long DIR = Limits.FIRST_INODE + 1;

    final MemoryBlockDevice device;
    final Superblock superblock;
    final Geometry geometry;
    final ToLongFunction<byte[]> hash48;
    MetadataStore store;
    Allocator allocator;
    DirectoryTree tree;
    DirectoryRoot root = new DirectoryRoot(0, 0, 0);

    /** With the filesystem's real name hash. */
    DirectoryFixture(long bytes) {
        this(bytes, null);
    }

    /** With {@code hash48} in place of the real name hash, when not null. */
    DirectoryFixture(long bytes, ToLongFunction<byte[]> hash48) {
        device = new MemoryBlockDevice("fs", BLOCK, bytes / BLOCK);
        superblock = Formatter.format(device, TestFormats.options(BLOCK, bytes));
        geometry = superblock.geometry();
        this.hash48 = hash48 != null ? hash48
                : name -> DirectoryKeys.hash48(superblock.dirHashKey0(), superblock.dirHashKey1(), name);
        open();
    }

    void open() {
        store = MetadataStore.open(device, superblock, MetadataStore.Options.defaults());
        allocator = Allocator.open(superblock, store);
        tree = new DirectoryTree(geometry, superblock.uuid(), allocator, hash48);
    }

    void reopen() {
        store.close();
        open();
    }

    @Override
    public void close() {
        store.close();
    }

    DirEntry insert(String name, long inode) {
        Transaction txn = store.transactions().begin(tree.logBytesPerInsert(root));
        try {
            Reservation r = allocator.reserve(txn, tree.blocksPerInsert(root), 0);
            root = tree.insert(txn, r, DIR, root, bytes(name), inode, DirectoryKeys.DT_REG);
            txn.commit();
        } catch (RuntimeException e) {
            txn.abort();
            throw e;
        }
        return lookup(name).orElseThrow();
    }

    void remove(String name) {
        Transaction txn = store.transactions().begin(tree.logBytesPerRemove(root));
        try {
            root = tree.remove(txn, DIR, root, bytes(name));
            txn.commit();
        } catch (RuntimeException e) {
            txn.abort();
            throw e;
        }
    }

    Optional<DirEntry> lookup(String name) {
        try (ReadOnlyTransaction txn = store.transactions().beginReadOnly()) {
            return tree.lookup(txn, DIR, root, bytes(name));
        }
    }

    List<DirEntry> list(long afterKey, int max) {
        try (ReadOnlyTransaction txn = store.transactions().beginReadOnly()) {
            return tree.list(txn, DIR, root, afterKey, max);
        }
    }

    List<DirEntry> listAll() {
        return list(0, Integer.MAX_VALUE);
    }

    /**
     * Walks the whole tree and checks what the code relies on: every node's entry 0 carries the
     * node's lower bound, keys lie inside their parent's range, all leaves are at depth
     * {@code root.depth}, none is empty, next_leaf chains them in key order, and the entries
     * number {@code root.entryCount}. Returns the tree's block count.
     */
    int checkStructure() {
        if (root.rootBlock() == 0) {
            if (root.entryCount() != 0 || root.depth() != 0) {
                throw new AssertionError("empty tree with root " + root);
            }
            return 0;
        }
        List<Long> leaves = new ArrayList<>();
        long[] entries = new long[1];
        int blocks;
        try (ReadOnlyTransaction txn = store.transactions().beginReadOnly()) {
            blocks = walk(txn, root.rootBlock(), root.depth(), 0, Long.MAX_VALUE, leaves, entries);
            for (int i = 0; i < leaves.size(); i++) {
                long next;
                try (CachedBlock b = txn.read(leaves.get(i))) {
                    next = DirectoryLeaf.nextLeaf(ByteBuffer.wrap(b.copy(0, BLOCK)));
                }
                long expected = i + 1 < leaves.size() ? leaves.get(i + 1) : 0;
                if (next != expected) {
                    throw new AssertionError("leaf " + leaves.get(i) + " chains to " + next + ", not " + expected);
                }
            }
        }
        if (entries[0] != root.entryCount()) {
            throw new AssertionError("tree holds " + entries[0] + " entries, root counts " + root.entryCount());
        }
        return blocks;
    }

    private int walk(ReadOnlyTransaction txn, long nr, int level, long low, long high, List<Long> leaves,
            long[] entries) {
        ByteBuffer b;
        try (CachedBlock block = txn.read(nr)) {
            b = ByteBuffer.wrap(block.copy(0, BLOCK));
        }
        if (level == 0) {
            List<DirEntry> es = DirectoryLeaf.entries(b);
            if (es.isEmpty() || DirectoryLeaf.problem(b).isPresent()) {
                throw new AssertionError("leaf " + nr + " is empty or unsound");
            }
            for (DirEntry e : es) {
                if (e.key() < low || e.key() >= high) {
                    throw new AssertionError("leaf " + nr + " holds key " + e.key() + " outside " + low + ".." + high);
                }
            }
            leaves.add(nr);
            entries[0] += es.size();
            return 1;
        }
        List<DirectoryNode.Entry> es = DirectoryNode.entries(b);
        if (es.isEmpty() || DirectoryNode.level(b) != level || DirectoryNode.problem(b).isPresent()) {
            throw new AssertionError("node " + nr + " is empty, unsound or not at level " + level);
        }
        if (es.get(0).firstKey() != low) {
            throw new AssertionError("node " + nr + " starts at " + es.get(0).firstKey() + ", not its lower bound " + low);
        }
        if (es.get(es.size() - 1).firstKey() >= high) {
            throw new AssertionError("node " + nr + " has a key beyond its upper bound " + high);
        }
        int blocks = 1;
        for (int i = 0; i < es.size(); i++) {
            long childHigh = i + 1 < es.size() ? es.get(i + 1).firstKey() : high;
            blocks += walk(txn, es.get(i).child(), level - 1, es.get(i).firstKey(), childHigh, leaves, entries);
        }
        return blocks;
    }

    static byte[] bytes(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }

    static String name(DirEntry e) {
        return new String(e.name(), StandardCharsets.UTF_8);
    }
}
