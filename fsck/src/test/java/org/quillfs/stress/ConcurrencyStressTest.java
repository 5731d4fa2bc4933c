package org.quillfs.stress;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.quillfs.errno.FsException;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Limits;
import org.quillfs.fs.Attributes;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.FsOptions;
import org.quillfs.fs.FsStats;
import org.quillfs.fs.OpenFlags;
import org.quillfs.fsck.FsckOnDevice;
import org.quillfs.txn.ConcurrencyCounters;
import org.quillfs.volume.MemoryBlockDevice;

/**
 * Issue 8's stress test: many threads doing random operations on one filesystem at once (see
 * {@link StressWorker}), with invariants checked while they run, a watchdog that fails the run
 * and dumps every thread if one operation takes more than 10 seconds, and afterwards: every
 * worker's own file holds exactly what it wrote, fsck finds nothing, and the tree is the same
 * after close and reopen.
 *
 * <p>{@code make test} runs 16 threads for {@value #DEFAULT_SECONDS} s; {@code make stress}
 * runs them for 60 s ({@code -Dquillfs.stress.seconds}, {@code -Dquillfs.stress.threads},
 * {@code -Dquillfs.stress.seed}).
 */
class ConcurrencyStressTest {

    static final int DEFAULT_SECONDS = 10;
    static final Duration OPERATION_LIMIT = Duration.ofSeconds(10);

    final int threads = Integer.getInteger("quillfs.stress.threads", 16);
    final int seconds = Integer.getInteger("quillfs.stress.seconds", DEFAULT_SECONDS);
    final long seed = Long.getLong("quillfs.stress.seed", System.nanoTime());

    @Test
    void manyThreadsAtOnceLoseNothingDeadlockNeverAndLeaveACleanImage() throws Exception {
        MemoryBlockDevice device = new MemoryBlockDevice("stress", StressWorker.BLOCK, (512L << 20) / StressWorker.BLOCK);
        Formatter.format(device, new FormatOptions(StressWorker.BLOCK, device.blockCount(), 0, 0, Limits.DEFAULT_BYTES_PER_INODE,
                "stress", UUID.randomUUID(), 0, 0, Instant.now(), new Random(seed)));
        FileSystem fs = FileSystem.open(device, FsOptions.defaults());
        for (int d = 0; d < StressWorker.TOP_DIRS; d++) {
            fs.mkdir(FileSystem.ROOT, StressWorker.name("s" + d), 0755, StressWorker.CALLER);
        }
        fs.mkdir(FileSystem.ROOT, StressWorker.name("p"), 0755, StressWorker.CALLER);

        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        long operations;
        ConcurrencyCounters.Snapshot counts;
        try (Watchdog watchdog = new Watchdog(threads, OPERATION_LIMIT)) {
            List<StressWorker> workers = new ArrayList<>();
            List<Thread> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                StressWorker worker = new StressWorker(fs, t, seed + t, watchdog);
                workers.add(worker);
                running.add(thread("stress-" + t, () -> worker.run(() -> stop.get() || watchdog.fired()), failures));
            }
            running.add(thread("stress-invariants", () -> checkInvariants(fs, () -> stop.get() || watchdog.fired()),
                    failures));
            long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            while (System.nanoTime() < end && failures.isEmpty() && !watchdog.fired()) {
                Thread.sleep(50);
            }
            stop.set(true);
            for (Thread t : running) {
                t.join(OPERATION_LIMIT.toMillis() * 3);
                if (t.isAlive()) {
                    failures.add(new AssertionError(t.getName() + " did not stop: " + Watchdog.dumpAllThreads()));
                }
            }
            assertThat(watchdog.report()).as("the watchdog").isNull();
            operations = workers.stream().mapToLong(w -> w.operations).sum();
            counts = fs.concurrency();
        }
        assertThat(failures).as("seed %d", seed).isEmpty();
        System.out.printf("stress: %d threads, %d s, seed %d: %d operations (%.0f/s); %s%n", threads, seconds, seed,
                operations, operations / (double) seconds, counts);
        assertThat(counts.deadlocks()).as("each deadlock victim replayed once").isEqualTo(counts.replays()
                + counts.conflicts());

        TreeMap<String, String> before = tree(fs);
        fs.close();
        FsckOnDevice.Result fsck = FsckOnDevice.checkReadOnly(device);
        assertThat(fsck.exitCode()).as("fsck -fn after the run (seed %d):%n%s", seed, fsck.output()).isZero();
        FileSystem reopened = FileSystem.open(device, FsOptions.defaults());
        try {
            assertThat(tree(reopened)).as("the tree after close and reopen").isEqualTo(before);
        } finally {
            reopened.close();
        }
    }

    private static Thread thread(String name, Runnable body, ConcurrentLinkedQueue<Throwable> failures) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failures.add(e);
            }
        }, name);
        t.setDaemon(true); // a deadlocked worker must not keep the test JVM alive
        t.start();
        return t;
    }

    /**
     * What must hold at every moment, checked while the workers run: free counts within the
     * totals, and no listing of a directory that returns a name twice.
     */
    private static void checkInvariants(FileSystem fs, java.util.function.BooleanSupplier stop) {
        while (!stop.getAsBoolean()) {
            FsStats stats = fs.statfs();
            if (stats.freeBlocks() < 0 || stats.freeBlocks() > stats.blocks() || stats.freeInodes() < 0
                    || stats.freeInodes() > stats.inodes()) {
                throw new AssertionError("statfs out of range: " + stats);
            }
            for (int d = 0; d < StressWorker.TOP_DIRS; d++) {
                String dir = "/s" + d;
                Set<String> seen = new HashSet<>();
                Listings.forEachEntry(fs, fs.resolve(dir, true), 16, e -> {
                    String name = new String(e.name(), StandardCharsets.UTF_8);
                    if (!seen.add(name)) {
                        throw new AssertionError("one listing of " + dir + " returned " + name + " twice");
                    }
                });
            }
        }
    }

    /** Every path with its type, size, link count and a digest of its bytes. */
    private static TreeMap<String, String> tree(FileSystem fs) {
        TreeMap<String, String> tree = new TreeMap<>();
        walk(fs, FileSystem.ROOT, "", tree);
        return tree;
    }

    private static void walk(FileSystem fs, long dir, String path, TreeMap<String, String> tree) {
        Listings.forEachEntry(fs, dir, 64, e -> {
            String name = new String(e.name(), StandardCharsets.UTF_8);
            if (name.equals(".") || name.equals("..")) {
                return;
            }
            Attributes a = fs.getattr(e.inode());
            String child = path + "/" + name;
            tree.put(child, Integer.toOctalString(a.mode()) + " links " + a.links() + " size " + a.size()
                    + (a.isRegularFile() ? " sha " + digest(fs, e.inode(), a.size()) : ""));
            if (a.isDirectory()) {
                walk(fs, e.inode(), child, tree);
            }
        });
    }

    private static String digest(FileSystem fs, long inode, long size) {
        MessageDigest sha = sha256();
        long handle = fs.open(inode, OpenFlags.O_RDONLY);
        try {
            ByteBuffer chunk = ByteBuffer.allocate(64 << 10);
            for (long at = 0; at < size; ) {
                chunk.clear();
                int n = fs.read(handle, at, chunk);
                if (n <= 0) {
                    break;
                }
                sha.update(chunk.array(), 0, n);
                at += n;
            }
        } catch (FsException e) {
            return "unreadable: " + e.getMessage();
        } finally {
            fs.release(handle);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
