package org.quillfs.bench;

import static org.quillfs.bench.FacadeBenchmark.CALLER;
import static org.quillfs.bench.FacadeBenchmark.S_IFREG;
import static org.quillfs.bench.FacadeBenchmark.name;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.OpenFlags;
import org.quillfs.txn.ConcurrencyCounters;

/**
 * How the facade scales with threads (issue 8): creates in a directory per thread, creates in
 * one shared directory, stats, and 4 KiB reads, each run with {@code -t 1}, {@code 2},
 * {@code 4} and {@code 8}. At the end of each run it prints the page-lock waits, deadlocks,
 * replays and real conflicts per second of the run, and how many read-only and read-write
 * transaction objects were ever made (the pools keep those a handful).
 *
 * <p>{@code createInOwnFilesystem} is the yardstick for {@code createInOwnDirectory}: the same
 * creates, but each thread in a filesystem of its own, so that they share nothing of quillfs.
 *
 * <p>{@code statWhileCreating} runs 2 threads of stats beside 2 threads of creates in their own
 * directories: read-only operations take no exclusive lock and write nothing, so the stats'
 * score there, against {@code stat} with {@code -t 2}, shows what the creates cost them.
 *
 * <p>Run: {@code for t in 1 2 4 8; do java -jar bench/target/quillfs-benchmarks.jar
 * 'ScalingBenchmark.(create|stat$|read)' -f 1 -wi 2 -i 3 -t $t; done} and
 * {@code java -jar bench/target/quillfs-benchmarks.jar ScalingBenchmark.statWhileCreating -f 1 -wi 2 -i 3}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ScalingBenchmark {

    static final int POPULATION = 10_000;
    static final int READ_FILE_BLOCKS = 16_384;

    /** One 32 GiB image shared by the benchmark's threads. */
    @State(Scope.Benchmark)
    public static class Shared extends FacadeBenchmark.Mounted {
        long oneDir;
        long[] population;
        long readFile;
        final AtomicInteger threads = new AtomicInteger();
        /** Every thread's state: cleaned up from here, because JMH may tear this state down first. */
        final List<PerThread> perThread = new CopyOnWriteArrayList<>();
        long startNanos;
        ConcurrencyCounters.Snapshot startCounts;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            mount(32L << 30);
            oneDir = fs.mkdir(FileSystem.ROOT, name("one", 0), 0755, CALLER).inode();
            long statDir = fs.mkdir(FileSystem.ROOT, name("stat", 0), 0755, CALLER).inode();
            population = new long[POPULATION];
            for (int i = 0; i < POPULATION; i++) {
                population[i] = fs.mknod(statDir, name("p", i), S_IFREG | 0644, 0, CALLER).inode();
            }
            readFile = fs.mknod(FileSystem.ROOT, name("data", 0), S_IFREG | 0644, 0, CALLER).inode();
            long handle = fs.open(readFile, OpenFlags.O_WRONLY);
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
            for (long at = 0; at < (long) READ_FILE_BLOCKS * 4096; at += chunk.capacity()) {
                chunk.clear();
                fs.write(handle, at, chunk);
            }
            fs.release(handle);
            startNanos = System.nanoTime();
            startCounts = fs.concurrency();
        }

        /**
         * Removes what the iteration created (not timed), so that every iteration starts alike.
         * Here and not in {@link PerThread}: JMH ran this state's trial teardown, which closes the
         * filesystem, before the thread states' teardown of the last iteration, whose unlinks then
         * failed with EIO.
         */
        @TearDown(Level.Iteration)
        public void removeCreated() {
            for (PerThread t : perThread) {
                t.createdOwn.forEach(n -> fs.unlink(t.ownDir, n));
                t.createdShared.forEach(n -> fs.unlink(oneDir, n));
                t.createdOwn.clear();
                t.createdShared.clear();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            perThread.forEach(t -> fs.release(t.readHandle));
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            ConcurrencyCounters.Snapshot c = fs.concurrency().since(startCounts);
            System.out.printf("%n  per second of the run: %.0f lock waits, %.1f deadlocks, %.1f replays, %.1f real"
                    + " conflicts; transaction objects made: %d read-only, %d read-write%n", c.lockWaits() / seconds,
                    c.deadlocks() / seconds, c.replays() / seconds, c.conflicts() / seconds,
                    fs.readOnlyTransactionObjects(), fs.readWriteTransactionObjects());
            unmount();
        }
    }

    /** A thread's own directory, its names so far, and a handle on the shared data file. */
    @State(Scope.Thread)
    public static class PerThread {
        int thread;
        long ownDir;
        final List<byte[]> createdOwn = new ArrayList<>();
        final List<byte[]> createdShared = new ArrayList<>();
        long next;
        long readHandle;
        final ByteBuffer block = ByteBuffer.allocate(4096);
        SplittableRandom random;

        @Setup(Level.Trial)
        public void setUp(Shared shared) {
            thread = shared.threads.getAndIncrement();
            ownDir = shared.fs.mkdir(FileSystem.ROOT, name("t", thread), 0755, CALLER).inode();
            readHandle = shared.fs.open(shared.readFile, OpenFlags.O_RDONLY);
            random = new SplittableRandom(thread);
            shared.perThread.add(this);
        }
    }

    @Benchmark
    public Object createInOwnDirectory(Shared s, PerThread t) {
        byte[] n = name("c", t.next++);
        t.createdOwn.add(n);
        return s.fs.mknod(t.ownDir, n, S_IFREG | 0644, 0, CALLER);
    }

    @Benchmark
    public Object createInOneDirectory(Shared s, PerThread t) {
        byte[] n = name("c" + t.thread + "-", t.next++);
        t.createdShared.add(n);
        return s.fs.mknod(s.oneDir, n, S_IFREG | 0644, 0, CALLER);
    }

    @Benchmark
    public Object stat(Shared s, PerThread t) {
        return s.fs.getattr(s.population[t.random.nextInt(POPULATION)]);
    }

    @Benchmark
    @Group("statWhileCreating")
    @GroupThreads(2)
    public Object stats(Shared s, PerThread t) {
        return stat(s, t);
    }

    @Benchmark
    @Group("statWhileCreating")
    @GroupThreads(2)
    public Object creates(Shared s, PerThread t) {
        return createInOwnDirectory(s, t);
    }

    @Benchmark
    public int read4k(Shared s, PerThread t) {
        t.block.clear();
        return s.fs.read(t.readHandle, (long) t.random.nextInt(READ_FILE_BLOCKS) * 4096, t.block);
    }

    /**
     * The ceiling for {@link #createInOwnDirectory}: each thread creates files in a filesystem of
     * its own (its own image, log, cache and background threads), so that threads share nothing
     * of quillfs, only the JVM (its collector, compiler) and the host. What two threads reach here
     * against one is about the most that two threads sharing one filesystem could reach on the
     * same machine and JVM.
     */
    @State(Scope.Thread)
    public static class OwnFilesystem extends FacadeBenchmark.Mounted {
        long dir;
        long next;
        final List<byte[]> created = new ArrayList<>();

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            mount(32L << 30);
            dir = fs.mkdir(FileSystem.ROOT, name("t", 0), 0755, CALLER).inode();
        }

        @TearDown(Level.Iteration)
        public void removeCreated() {
            created.forEach(n -> fs.unlink(dir, n));
            created.clear();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            unmount();
        }
    }

    @Benchmark
    public Object createInOwnFilesystem(OwnFilesystem own) {
        byte[] n = name("c", own.next++);
        own.created.add(n);
        return own.fs.mknod(own.dir, n, S_IFREG | 0644, 0, CALLER);
    }
}
