package org.quillfs.txn;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Many threads on few blocks. Every wait is bounded twice: the lock manager's watchdog turns a
 * lost wake-up into a {@link LockTimeoutException}, and the test waits for its workers with a
 * timeout, so a hang fails the test instead of stalling the build.
 */
class PageLockManagerStressTest {

    final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lock-stress");
        t.setDaemon(true);
        return t;
    });

    // The mixed test's lock manager, and what its workers count: per block, the transactions
    // holding it shared (readers) and exclusive (writers).
    final PageLockManager locks = new PageLockManager(Duration.ofSeconds(3));
    final AtomicLong ids = new AtomicLong(1);
    final AtomicIntegerArray readers = new AtomicIntegerArray(6);
    final AtomicIntegerArray writers = new AtomicIntegerArray(6);
    final Queue<String> violations = new ConcurrentLinkedQueue<>();
    final LongAdder commits = new LongAdder();
    final LongAdder deadlocks = new LongAdder();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    record Step(int block, boolean exclusive) {
    }

    /** One thread of the mixed test: random operations, each replayed after a deadlock, counted per block. */
    final class Worker {
        final Random random;

        Worker(long seed) {
            this.random = new Random(seed);
        }

        void runUntil(long deadline) {
            while (System.nanoTime() < deadline) {
                List<Step> steps = new ArrayList<>();
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    steps.add(new Step(random.nextInt(readers.length()), random.nextInt(10) < 4));
                }
                runWithReplay(steps);
            }
        }

        private void runWithReplay(List<Step> steps) {
            for (;;) {
                long txn = ids.getAndIncrement();
                Map<Integer, Boolean> held = new HashMap<>(); // block -> exclusive
                try {
                    for (Step step : steps) {
                        if (step.exclusive()) {
                            locks.lockExclusive(txn, step.block());
                            enterExclusive(held, step.block());
                        } else {
                            locks.lockShared(txn, step.block());
                            enterShared(held, step.block());
                        }
                        work();
                    }
                    held.forEach((block, exclusive) -> check(block, exclusive));
                    leave(held);
                    locks.releaseAll(txn);
                    commits.increment();
                    return;
                } catch (DeadlockException e) {
                    leave(held);
                    locks.releaseAll(txn);
                    deadlocks.increment();
                }
            }
        }

        private void enterShared(Map<Integer, Boolean> held, int block) {
            if (held.putIfAbsent(block, false) == null) {
                readers.incrementAndGet(block);
            }
            check(block, held.get(block));
        }

        private void enterExclusive(Map<Integer, Boolean> held, int block) {
            Boolean before = held.put(block, true);
            if (before == null || !before) {
                if (before != null) {
                    readers.decrementAndGet(block);
                }
                writers.incrementAndGet(block);
            }
            check(block, true);
        }

        private void check(int block, boolean exclusive) {
            int w = writers.get(block);
            int r = readers.get(block);
            if (exclusive ? w != 1 || r != 0 : w != 0) {
                violations.add("block " + block + " held " + (exclusive ? "exclusive" : "shared") + " with "
                        + w + " writers and " + r + " readers");
            }
        }

        private void leave(Map<Integer, Boolean> held) {
            held.forEach((block, exclusive) -> (exclusive ? writers : readers).decrementAndGet(block));
        }

        private void work() {
            for (int i = random.nextInt(64); i > 0; i--) {
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void eightThreadsOnFewBlocksKeepMutualExclusionAndNeverHang() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);

        List<Future<?>> workers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Worker worker = new Worker(0xB10C + i);
            workers.add(threads.submit(() -> worker.runUntil(deadline)));
        }
        for (Future<?> worker : workers) {
            worker.get(20, TimeUnit.SECONDS);
        }

        assertThat(violations).isEmpty();
        assertThat(commits.sum()).isGreaterThan(1000);
        assertThat(deadlocks.sum()).as("deadlocks detected and replayed").isPositive();
        assertThat(locks.blocksTracked()).isZero();
    }

    @Test
    void everyWaiterIsWokenWhenTheBlockChangesHands() throws Exception {
        PageLockManager handOffs = new PageLockManager(Duration.ofSeconds(2));
        int rounds = 20_000;
        AtomicLong txnIds = new AtomicLong(1);
        int[] count = {0}; // guarded by the exclusive lock on block 0

        List<Future<?>> workers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            workers.add(threads.submit(() -> {
                for (int round = 0; round < rounds; round++) {
                    long txn = txnIds.getAndIncrement();
                    handOffs.lockExclusive(txn, 0);
                    count[0]++;
                    handOffs.releaseAll(txn);
                }
            }));
        }
        for (Future<?> worker : workers) {
            worker.get(20, TimeUnit.SECONDS);
        }

        assertThat(count[0]).isEqualTo(4 * rounds);
        assertThat(handOffs.blocksTracked()).isZero();
    }

    @Test
    void crossedRequestsMadeAtOnceFailExactlyOneOfThem() throws Exception {
        PageLockManager crossings = new PageLockManager(Duration.ofSeconds(2));
        for (int round = 0; round < 3000; round++) {
            long first = 2L * round + 1;
            long second = first + 1;
            crossings.lockExclusive(first, 1);
            crossings.lockExclusive(second, 2);
            CyclicBarrier start = new CyclicBarrier(2);
            Future<Boolean> firstCrosses = threads.submit(() -> crossOver(crossings, start, first, 2));
            Future<Boolean> secondCrosses = threads.submit(() -> crossOver(crossings, start, second, 1));

            int victims = (firstCrosses.get(10, TimeUnit.SECONDS) ? 1 : 0)
                    + (secondCrosses.get(10, TimeUnit.SECONDS) ? 1 : 0);
            assertThat(victims).as("victims in round %d", round).isEqualTo(1);
        }
        assertThat(crossings.blocksTracked()).isZero();
    }

    /** Locks {@code block} for {@code txn}, then ends it; true if it was the deadlock victim. */
    static boolean crossOver(PageLockManager locks, CyclicBarrier start, long txn, long block) throws Exception {
        start.await(10, TimeUnit.SECONDS);
        try {
            locks.lockExclusive(txn, block);
            return false;
        } catch (DeadlockException e) {
            return true;
        } finally {
            locks.releaseAll(txn);
        }
    }
}
