package org.quillfs.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.quillfs.alloc.Allocator;
import org.quillfs.alloc.Reservation;
import org.quillfs.dir.DirectoryTree;
import org.quillfs.format.DirEntry;
import org.quillfs.format.DirectoryKeys;
import org.quillfs.format.DirectoryRoot;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.txn.MetadataStore;
import org.quillfs.txn.ReadOnlyTransaction;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.MemoryBlockDevice;

/**
 * A directory of {@code size} entries (1,000 and 1,000,000 side by side in one run): looking up
 * a name, creating and removing one, and listing 100 entries from a random readdir cursor. A
 * B+tree keeps each at a few block reads, so the 1,000,000-entry figures should stay close to
 * the 1,000-entry ones (the ratio is what counts). Each operation is a transaction through the
 * journal on a memory device, so this measures the tree and the transaction path, not a disk.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DirectoryBenchmark {

    private static final long DIR = Limits.FIRST_INODE + 1;

    @Param({"1000", "1000000"})
    public int size;

    private MetadataStore store;
    private Allocator allocator;
    private DirectoryTree tree;
    private DirectoryRoot root = new DirectoryRoot(0, 0, 0);
    private final Random random = new Random(7);
    private long extra;

    @Setup(Level.Trial)
    public void fill() {
        MemoryBlockDevice device = new MemoryBlockDevice("bench", 4096, (2L << 30) / 4096);
        Superblock sb = Formatter.format(device, new FormatOptions(4096, device.blockCount(), 0, 0,
                Limits.DEFAULT_BYTES_PER_INODE, "", UUID.randomUUID(), 0, 0, Instant.now(), new Random(1)));
        store = MetadataStore.open(device, sb, new MetadataStore.Options(256L << 20, Duration.ofSeconds(5),
                Duration.ofSeconds(30)));
        allocator = Allocator.open(sb, store);
        tree = new DirectoryTree(sb.geometry(), sb.dirHashKey0(), sb.dirHashKey1(), sb.uuid(), allocator);
        for (int i = 0; i < size; i++) {
            insert(name(i));
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        System.out.printf("%n[directory] %d entries, depth %d%n", root.entryCount(), root.depth());
        store.close();
    }

    private static byte[] name(long i) {
        return ("file-" + i + ".txt").getBytes(StandardCharsets.UTF_8);
    }

    private void insert(byte[] name) {
        Transaction txn = store.transactions().begin(tree.logBytesPerInsert(root));
        Reservation r = allocator.reserve(txn, tree.blocksPerInsert(root), 0);
        root = tree.insert(txn, r, DIR, root, name, 1000, DirectoryKeys.DT_REG);
        txn.commit();
    }

    @Benchmark
    public Object lookup() {
        try (ReadOnlyTransaction txn = store.transactions().beginReadOnly()) {
            return tree.lookup(txn, DIR, root, name(random.nextInt(size))).orElseThrow();
        }
    }

    @Benchmark
    public DirectoryRoot createThenRemove() {
        byte[] name = ("new-" + extra++).getBytes(StandardCharsets.UTF_8);
        insert(name);
        Transaction txn = store.transactions().begin(tree.logBytesPerRemove(root));
        root = tree.remove(txn, DIR, root, name);
        txn.commit();
        return root;
    }

    @Benchmark
    public List<DirEntry> list100() {
        try (ReadOnlyTransaction txn = store.transactions().beginReadOnly()) {
            return tree.list(txn, DIR, root, random.nextLong() >>> 1, 100);
        }
    }
}
