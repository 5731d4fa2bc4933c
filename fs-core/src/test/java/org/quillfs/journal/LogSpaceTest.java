package org.quillfs.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.quillfs.volume.MemoryBlockDevice;

/**
 * Log space under its own lock ({@link LogSpace}): reservations read the head without the log
 * lock while other threads append and release, and must never grant space the log does not
 * have. An append past the tail (the log writer's overrun check) is what granting too much
 * would end in.
 */
class LogSpaceTest {

    static final int BLOCK = 1024;

    final MemoryBlockDevice device = new MemoryBlockDevice("log", BLOCK, 200);
    final LogRegion region = new LogRegion(LogWriterScannerTest.UUID_1, BLOCK, 100, 64, 0x5EEDL);

    @Test
    void threadsReservingAppendingAndReleasingAtOnceNeverOverrunTheTail() throws Exception {
        long start = region.lsnOf(1);
        AtomicReference<LogWriter> logRef = new AtomicReference<>();
        AtomicInteger checkpoints = new AtomicInteger();
        // The "checkpoint" a waiting reservation asks for, one at a time: make the log durable and free all of it.
        Object checkpointer = new Object();
        LogWriter log = new LogWriter(device, region, start, start, 1, () -> {
            synchronized (checkpointer) {
                LogWriter l = logRef.get();
                l.forceAll();
                l.moveTail(l.durableLsn());
                checkpoints.incrementAndGet();
            }
        });
        logRef.set(log);
        int threads = 4;
        int transactions = 3_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                done.add(pool.submit(() -> runTransactions(log, new Random(seed), transactions)));
            }
            for (Future<Integer> f : done) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(transactions);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(checkpoints.get()).as("the log filled and waited for checkpoints many times").isGreaterThan(50);
        // Every reservation was given back: after one more checkpoint the largest one fits at once.
        log.forceAll();
        log.moveTail(log.durableLsn());
        int asked = checkpoints.get();
        log.reserve(region.capacity() / 2);
        assertThat(checkpoints.get()).isEqualTo(asked);
    }

    /**
     * Each transaction reserves, appends what it reserved (less a block for padding), and
     * releases: a tenth to a quarter of the log each, so that the four threads would soon overrun
     * the tail if reservations did not count each other.
     */
    private static int runTransactions(LogWriter log, Random random, int count) {
        int payload = log.region().payload();
        List<LogRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.clear();
            long reserved = payload;
            for (int r = 3 + random.nextInt(6); r > 0; r--) {
                LogRecord update = LogWriterScannerTest.update(random, i, 800 + random.nextInt(100));
                records.add(update);
                reserved += LogRecordCodec.size(update);
            }
            log.reserve(reserved);
            Thread.yield(); // a transaction's work before it appends: others reserve meanwhile
            records.forEach(log::append);
            log.release(reserved);
        }
        return count;
    }
}
