package org.quillfs.txn;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Geometry;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.volume.MemoryBlockDevice;

/**
 * A transaction that waits for log space (docs/JOURNAL.md, "Transactions, locks and commit",
 * step 1: "begin asks for a checkpoint and waits for it to free space; it never fails for lack of
 * log space") must get it once the transactions that held the tail have ended, however often it
 * has to ask, and not only when the checkpoint interval comes round.
 *
 * <p>Found by the crash campaign (fsck module, org.quillfs.crash): soaks of four threads on a small
 * log stopped, every thread waiting in {@code LogWriter.reserve}, the checkpointer idle.
 */
class LogSpaceWaitTest {

    static final int BLOCK = 4096;

    @Test
    void aTransactionWaitingForLogSpaceGetsItOnceTheTransactionHoldingTheTailEnds() throws Exception {
        MemoryBlockDevice device = new MemoryBlockDevice("fs", BLOCK, (16L << 20) / BLOCK);
        Superblock sb = Formatter.format(device, new FormatOptions(BLOCK, device.blockCount(), 64, 0,
                Limits.DEFAULT_BYTES_PER_INODE, "wait", UUID.fromString("0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5"), 0, 0,
                Instant.parse("2026-11-24T00:00:00Z"), new Random(1)));
        // No checkpoint interval to fall back on: only a request or a half-full log starts one.
        MetadataStore store = MetadataStore.open(device, sb,
                new MetadataStore.Options(16L << 20, Duration.ofHours(1), Duration.ofHours(1)));
        Geometry g = sb.geometry();
        long capacity = store.log().region().capacity();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            // A transaction that logs first and ends last: while it runs, no checkpoint can move the tail.
            Transaction holder = store.transactions().begin(LogRecordCodec.updateSize(16));
            holder.update(g.firstDataBlock(0) + 100, 64, new byte[16]);
            // Fill well under half the log (no checkpoint of its own accord), but so much that a
            // reservation of half the log does not fit even once the holder has ended.
            int i = 0;
            while (store.log().usedBytes() < capacity * 2 / 5) {
                Transaction filler = store.transactions().begin(LogRecordCodec.updateSize(1000));
                filler.update(g.firstDataBlock(0) + 200 + i % 40, 64, new byte[1000]);
                store.transactions().force(filler.commit());
                i++;
            }
            long big = capacity / 4 - BLOCK;
            Future<Long> waiter = pool.submit(() -> {
                Transaction txn = store.transactions().begin(big);
                txn.abort();
                return System.nanoTime();
            });
            Thread.sleep(500);
            assertThat(waiter.isDone()).as("the big transaction waits for space").isFalse();
            holder.commit();
            long ended = System.nanoTime();
            try {
                long began = waiter.get(10, TimeUnit.SECONDS);
                assertThat(Duration.ofNanos(began - ended)).isLessThan(Duration.ofSeconds(10));
            } catch (TimeoutException e) {
                store.checkpointer().checkpoint(); // let it go, so that the store can close
                waiter.get(10, TimeUnit.SECONDS);
                throw new AssertionError("the transaction waiting for log space was still waiting 10 s after the "
                        + "transaction holding the tail ended (used " + store.log().usedBytes() + " of " + capacity
                        + " bytes, " + store.checkpointer().completed() + " checkpoints): nothing asked for another "
                        + "checkpoint, and the log is not half full");
            }
        } finally {
            pool.shutdownNow();
            store.close();
        }
    }
}
