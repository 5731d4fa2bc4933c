package org.quillfs.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.txn.MetadataStore;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.FileBlockDevice;

/**
 * Small transactions committed and made durable per second, on an image file with real
 * flushes (fdatasync), with group commit, against the same disk doing one block write and one
 * fdatasync per commit (what a journal without group commit costs at best), in the same run.
 *
 * <p>{@link #beginAndCommitNothing} measures a transaction's bookkeeping alone.
 *
 * <p>Each quillfs transaction has the shape of a file create (an inode bitmap byte, a group
 * descriptor's counters, a new inode, a directory entry and its slot): the log bytes each
 * commit writes are reported at tear-down.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CommitBenchmark {

    private Path image;
    private FileBlockDevice device;
    private MetadataStore store;
    private Superblock superblock;
    private final AtomicLong slot = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private long bytesBefore;

    @Setup(Level.Trial)
    public void mount() throws IOException {
        image = Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "quillfs-commit", ".img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(1L << 30);
        }
        device = FileBlockDevice.open(image, 4096, true);
        superblock = Formatter.format(device, new FormatOptions(4096, (1L << 30) / 4096, 0, 0,
                Limits.DEFAULT_BYTES_PER_INODE, "", UUID.randomUUID(), 0, 0, Instant.now(), new Random(1)));
        store = MetadataStore.open(device, superblock,
                new MetadataStore.Options(64L << 20, Duration.ofSeconds(5), Duration.ofSeconds(30)));
        bytesBefore = store.log().bytesWritten();
    }

    @TearDown(Level.Trial)
    public void unmount() throws IOException {
        long bytes = store.log().bytesWritten() - bytesBefore;
        System.out.printf("%n[log] %d commits, %d log bytes, %.0f bytes per create-shaped transaction, %d flushes%n",
                commits.get(), bytes, (double) bytes / Math.max(1, commits.get()), store.log().flushes());
        store.close();
        device.close();
        Files.deleteIfExists(image);
    }

    /** Changes shaped like a file create, on blocks of group 0's data area (no structure lives there). */
    @Benchmark
    @Threads(4)
    public long quillfsCreateShapedCommit4Threads() {
        return commitOne();
    }

    @Benchmark
    @Threads(1)
    public long quillfsCreateShapedCommit1Thread() {
        return commitOne();
    }

    private long commitOne() {
        long n = slot.getAndIncrement();
        long base = superblock.geometry().firstDataBlock(0) + 16;
        long bitmap = base;
        long descriptors = base + 1;
        long inodes = base + 2 + n % 64;
        long directory = base + 100 + n % 64;
        Transaction txn = store.transactions().begin(LogRecordCodec.updateSize(1) + LogRecordCodec.updateSize(8)
                + LogRecordCodec.updateSize(124) + LogRecordCodec.updateSize(34) + LogRecordCodec.updateSize(4));
        txn.update(bitmap, 32 + (int) (n % 4000), new byte[] {1});
        txn.update(descriptors, 32 + 24, new byte[8]);
        txn.update(inodes, 32 + (int) (n % 15) * 256, new byte[124]);
        txn.update(directory, 4096 - 34 * (1 + (int) (n % 100)), new byte[34]);
        txn.update(directory, 36, new byte[4]);
        long lsn = txn.commit();
        store.transactions().force(lsn);
        commits.incrementAndGet();
        return lsn;
    }

    /**
     * A transaction that changes nothing, begun and committed: the bookkeeping every transaction
     * pays (log space reserved and given back, its object from the pool, the active-transaction
     * table, the gate), nothing logged. Run it with {@code -t 1} and {@code -t 2}: what a second
     * thread adds per transaction is what those structures make the two threads share.
     */
    @Benchmark
    public long beginAndCommitNothing() {
        return store.transactions().begin(0).commit();
    }

    /** Reference: one block write and one fdatasync per commit, on the same image file. */
    @Benchmark
    @Threads(1)
    public long referenceWritePlusFdatasync() {
        long n = slot.getAndIncrement();
        device.write(superblock.geometry().firstDataBlock(0) + 300 + n % 64, ByteBuffer.allocate(4096));
        device.flush();
        return n;
    }
}
