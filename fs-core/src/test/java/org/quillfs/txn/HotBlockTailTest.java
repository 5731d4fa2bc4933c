package org.quillfs.txn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.ForwardingBlockDevice;
import org.quillfs.volume.MemoryBlockDevice;

/**
 * A block that changes while a checkpoint writes it home stays dirty, but only for the changes
 * after the copy that went home: the next checkpoint's tail must pass the older ones. Before, it
 * kept the recLSN of its first change since it was last clean, so a block changed during every
 * write-back (a hot bitmap or inode-table block under steady creates) held the tail there for
 * good; checkpoint records, appended without a reservation, then overran the tail ("log overrun:
 * ... log space accounting is broken"). Found by the crash campaign's stress of checkpoints
 * against a transaction that keeps changing one block (CheckpointTailTest).
 */
class HotBlockTailTest {

    static final int BLOCK = 4096;

    @Test
    void aBlockChangedDuringItsWriteBackDoesNotHoldTheTailAtItsOldestChange() throws Exception {
        MemoryBlockDevice memory = new MemoryBlockDevice("fs", BLOCK, (16L << 20) / BLOCK);
        Superblock sb = Formatter.format(memory, new FormatOptions(BLOCK, memory.blockCount(), 0, 0,
                Limits.DEFAULT_BYTES_PER_INODE, "hot", UUID.fromString("3c4d5e6f-7081-4293-a4b5-c6d7e8f90a1b"), 0, 0,
                Instant.parse("2026-11-24T00:00:00Z"), new Random(4)));
        long hot = sb.geometry().firstDataBlock(0) + 40;
        ExecutorService other = Executors.newSingleThreadExecutor();
        MetadataStore[] store = new MetadataStore[1];
        int[] changes = {0};
        boolean[] armed = {true};
        BlockDevice device = new Interposer(memory, hot, () -> {
            // Another transaction changes the block while its copy goes home.
            if (!armed[0]) {
                return;
            }
            try {
                other.submit(() -> update(store[0], hot, ++changes[0])).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        store[0] = MetadataStore.open(device, sb, new MetadataStore.Options(16L << 20, Duration.ofHours(1),
                Duration.ofHours(1)));
        try {
            update(store[0], hot, 100);
            Checkpointer.Stats first = store[0].checkpointer().checkpoint();
            Checkpointer.Stats second = store[0].checkpointer().checkpoint();
            assertThat(changes[0]).as("changes made during write-backs").isEqualTo(2);
            assertThat(second.newTail()).as("the second checkpoint's tail (the first began at %d)", first.beginLsn())
                    .isGreaterThan(first.beginLsn());
        } finally {
            armed[0] = false;
            other.shutdownNow();
            store[0].close();
        }
    }

    static void update(MetadataStore store, long block, int value) {
        Transaction txn = store.transactions().begin(LogRecordCodec.updateSize(4));
        txn.update(block, 100, ByteBuffer.allocate(4).putInt(value).array());
        txn.commit();
    }

    /** A device that runs an action during each write of one block. */
    static final class Interposer extends ForwardingBlockDevice {
        private final long block;
        private final Runnable during;

        Interposer(MemoryBlockDevice device, long block, Runnable during) {
            super(device);
            this.block = block;
            this.during = during;
        }

        @Override
        public void write(long firstBlock, ByteBuffer... srcs) {
            long length = 0;
            for (ByteBuffer b : srcs) {
                length += b.remaining();
            }
            super.write(firstBlock, srcs);
            if (firstBlock <= block && block < firstBlock + length / blockSize()) {
                during.run();
            }
        }

        @Override
        public void close() {
            // the test goes on with the memory device
        }
    }
}
