package org.quillfs.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.quillfs.txn.CheckpointGate;

/**
 * The read side of the quiesce gate, which every update, commit, begin and end passes (issue
 * 8): {@link CheckpointGate#enter} plus {@link CheckpointGate#exit}, against the read lock of a
 * {@link ReentrantReadWriteLock} (the gate before) and against one uncontended volatile read
 * (the yardstick the issue sets). Run with {@code -t 1} and {@code -t 2}: with two threads the
 * read-write lock's shared reader count bounces between the cores; the gate's slots do not.
 *
 * <p>Run: {@code java -jar bench/target/quillfs-benchmarks.jar GateBenchmark -f 1 -wi 3 -i 5 -t 2};
 * {@link #pauseAndResume} only means something with {@code -t 1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GateBenchmark {

    private final CheckpointGate gate = new CheckpointGate();
    /** A gate of its own, so that pausing does not stop the read-side benchmarks. */
    private final CheckpointGate pausedGate = new CheckpointGate();
    private final ReentrantReadWriteLock readWriteLock = new ReentrantReadWriteLock();
    private volatile long flag = 1;

    @Benchmark
    public void gateReadSide() {
        gate.enter();
        gate.exit();
    }

    @Benchmark
    public void readWriteLockReadSide() {
        readWriteLock.readLock().lock();
        readWriteLock.readLock().unlock();
    }

    @Benchmark
    public long volatileRead() {
        return flag;
    }

    /**
     * The write side with no reader inside: raise the flag, run the process-wide barrier (the
     * membarrier system call), read the counts, lower the flag. Run it with {@code -t 1} only:
     * pauses are one at a time, so more threads measure the wait for each other.
     */
    @Benchmark
    public void pauseAndResume() {
        pausedGate.pause();
        pausedGate.resume();
    }
}
