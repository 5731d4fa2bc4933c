package org.quillfs.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.quillfs.alloc.Allocator;
import org.quillfs.alloc.Reservation;
import org.quillfs.cache.BufferCache;
import org.quillfs.cache.CachedBlock;
import org.quillfs.format.ExtentEntry;
import org.quillfs.format.ExtentNode;
import org.quillfs.format.ExtentRoot;
import org.quillfs.format.Formatter;
import org.quillfs.format.Geometry;
import org.quillfs.format.Superblock;
import org.quillfs.format.TestFormats;
import org.quillfs.txn.MetadataStore;
import org.quillfs.txn.ReadOnlyTransaction;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.MemoryBlockDevice;

/**
 * A formatted memory filesystem opened for file I/O, with each operation one transaction sized
 * by the budget helpers (so a budget that is too small fails the test). Files are kept as bare
 * extent roots; no inodes.
 */
final class TestFiles implements AutoCloseable {

    static final ExtentRoot EMPTY = new ExtentRoot(0, List.of());

    /** Background log flushes and checkpoints that never come during a test: only the test's own. */
    static final MetadataStore.Options QUIET = new MetadataStore.Options(BufferCache.DEFAULT_CAPACITY,
            Duration.ofHours(1), Duration.ofHours(1));

    final MemoryBlockDevice memory;
    final BlockDevice device;
    final Superblock superblock;
    final Geometry g;
    final DataMode mode;
    final MetadataStore.Options options;
    MetadataStore store;
    Allocator allocator;
    ExtentTree tree;
    FileData data;

    TestFiles(int blockSize, long bytes) {
        this(blockSize, bytes, DataMode.ORDERED);
    }

    TestFiles(int blockSize, long bytes, DataMode mode) {
        this.memory = new MemoryBlockDevice("fs", blockSize, bytes / blockSize);
        this.superblock = Formatter.format(memory, TestFormats.options(blockSize, bytes));
        this.g = superblock.geometry();
        this.device = memory;
        this.mode = mode;
        this.options = MetadataStore.Options.defaults();
        open();
    }

    /** Opens {@code device}, which wraps {@code memory} already formatted as {@code superblock}. */
    TestFiles(MemoryBlockDevice memory, BlockDevice device, Superblock superblock) {
        this(memory, device, superblock, DataMode.ORDERED, MetadataStore.Options.defaults());
    }

    TestFiles(MemoryBlockDevice memory, BlockDevice device, Superblock superblock, DataMode mode,
            MetadataStore.Options options) {
        this.memory = memory;
        this.device = device;
        this.superblock = superblock;
        this.g = superblock.geometry();
        this.mode = mode;
        this.options = options;
        open();
    }

    static Superblock format(MemoryBlockDevice memory) {
        return Formatter.format(memory, TestFormats.options(memory.blockSize(), memory.blockCount() * memory.blockSize()));
    }

    void open() {
        store = MetadataStore.open(device, superblock, options);
        allocator = Allocator.open(superblock, store);
        tree = new ExtentTree(g, superblock.uuid(), allocator);
        data = new FileData(device, tree, store.log(), mode);
    }

    void reopen() {
        store.close();
        open();
    }

    @Override
    public void close() {
        store.close();
    }

    long goal() {
        return g.firstDataBlock(0);
    }

    ExtentRoot write(ExtentRoot root, long offset, byte[] bytes) {
        return write(root, offset, bytes, goal());
    }

    /**
     * Writes in one transaction in ordered mode (a refused write changes nothing); in journal
     * mode, where the log holds the data, in steps of what one bounded transaction can log.
     */
    ExtentRoot write(ExtentRoot root, long offset, byte[] bytes, long goal) {
        if (mode == DataMode.ORDERED) {
            return writeStep(root, offset, ByteBuffer.wrap(bytes), goal);
        }
        int done = 0;
        do {
            int n = (int) data.writeStepLength(root, offset + done, bytes.length - done, maxUpdateBytes());
            root = writeStep(root, offset + done, ByteBuffer.wrap(bytes, done, n), goal);
            done += n;
        } while (done < bytes.length);
        return root;
    }

    /** Writes in one transaction in ordered mode, into a file of {@code size} bytes (overwrites below it are not ordered). */
    ExtentRoot writeInto(ExtentRoot root, long size, long offset, byte[] bytes) {
        return writeStep(root, offset, ByteBuffer.wrap(bytes), goal(), size);
    }

    private ExtentRoot writeStep(ExtentRoot root, long offset, ByteBuffer bytes, long goal) {
        return writeStep(root, offset, bytes, goal, 0);
    }

    private ExtentRoot writeStep(ExtentRoot root, long offset, ByteBuffer bytes, long goal, long size) {
        int n = bytes.remaining();
        Transaction txn = store.transactions().begin(data.logBytesForWrite(root, offset, n));
        try {
            Reservation r = allocator.reserve(txn, data.blocksForWrite(root, offset, n), 0);
            ExtentRoot after = checked(data.write(txn, r, root, offset, bytes, goal, size));
            txn.commit();
            return after;
        } catch (RuntimeException e) {
            txn.abort();
            throw e;
        }
    }

    /** Truncates, in steps from the end as a caller with a bounded transaction must. */
    ExtentRoot truncate(ExtentRoot root, long oldSize, long newSize) {
        long size = oldSize;
        do {
            long step;
            long budget;
            try (ReadOnlyTransaction look = store.transactions().beginReadOnly()) {
                step = Math.min(size, data.truncateStepTarget(look, root, newSize, maxUpdateBytes()));
                budget = data.logBytesForTruncate(look, root, step);
            }
            Transaction txn = store.transactions().begin(budget);
            root = checked(data.truncate(txn, root, size, step));
            txn.commit();
            size = step;
        } while (size > newSize);
        return root;
    }

    /** Punches a hole, in steps as a caller with a bounded transaction must. */
    ExtentRoot punch(ExtentRoot root, long offset, long length) {
        long end = offset + length;
        for (long at = offset; at < end;) {
            long stepEnd;
            long budget;
            try (ReadOnlyTransaction look = store.transactions().beginReadOnly()) {
                stepEnd = data.punchStepEnd(look, root, at, end - at, maxUpdateBytes());
                budget = data.logBytesForPunch(look, root, at, stepEnd - at);
            }
            Transaction txn = store.transactions().begin(budget);
            root = checked(data.punchHole(txn, root, at, stepEnd - at));
            txn.commit();
            at = stepEnd;
        }
        return root;
    }

    /** The most update bytes one transaction may declare: TransactionManager.begin reserves twice that and more. */
    long maxUpdateBytes() {
        return (store.log().region().capacity() / 4 - store.log().region().payload() - 1024) / 2;
    }

    byte[] read(ExtentRoot root, long size, long offset, int length) {
        ByteBuffer dst = ByteBuffer.allocate(length);
        try (ReadOnlyTransaction txn = store.transactions().beginReadOnly()) {
            int n = data.read(txn, root, size, offset, dst);
            assertThat(n).isEqualTo((int) Math.max(0, Math.min(length, size - offset)));
        }
        return java.util.Arrays.copyOf(dst.array(), (int) Math.max(0, Math.min(length, size - offset)));
    }

    List<ExtentEntry> map(ExtentRoot root, long first, long count) {
        try (ReadOnlyTransaction txn = store.transactions().beginReadOnly()) {
            return tree.map(txn, root, first, count);
        }
    }

    /** Blocks the file's data occupies (from its extents). */
    long dataBlocks(ExtentRoot root) {
        return map(root, 0, Long.MAX_VALUE / 2).stream().mapToLong(ExtentEntry::length).sum();
    }

    /** The EXTENT_NODE blocks of the tree, counted by walking it. */
    long nodeBlocks(ExtentRoot root) {
        try (ReadOnlyTransaction txn = store.transactions().beginReadOnly()) {
            return nodes(txn, root.depth(), root.entries());
        }
    }

    private long nodes(ReadOnlyTransaction txn, int depth, List<ExtentEntry> entries) {
        if (depth == 0) {
            return 0;
        }
        long n = 0;
        for (ExtentEntry index : entries) {
            List<ExtentEntry> child;
            try (CachedBlock block = txn.read(index.physical())) {
                child = ExtentNode.entries(block.contents());
            }
            n += 1 + nodes(txn, depth - 1, child);
        }
        return n;
    }

    /** The root as the inode would store it: it encodes and decodes without problem. */
    static ExtentRoot checked(ExtentRoot root) {
        byte[] area = root.encode();
        assertThat(ExtentRoot.problem(area)).isEmpty();
        assertThat(ExtentRoot.decode(area)).isEqualTo(root);
        return root;
    }

    /** Free blocks once every freed journaled block (metadata, or data in journal mode) has been released by a checkpoint. */
    long freeBlocksAfterCheckpoint() {
        store.checkpointer().checkpoint();
        store.checkpointer().checkpoint();
        return allocator.freeBlocks();
    }
}
