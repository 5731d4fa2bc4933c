package org.quillfs.txn;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.journal.Recovery;
import org.quillfs.volume.CrashStates;
import org.quillfs.volume.DeviceEvent;
import org.quillfs.volume.MemoryBlockDevice;
import org.quillfs.volume.RecordingBlockDevice;

/**
 * Checkpoints and the tail. {@link #checkpointsWhileATransactionHoldsTheTailSpendNoLog}: a
 * checkpoint cannot move the tail past a running transaction's first record, so one run while that
 * record is the tail must append nothing; checkpoints run back to back while one transaction ran
 * long filled the log with their records ("log overrun: ... log space accounting is broken").
 * Found by a crash-campaign stress of checkpoints against a thread that updates and aborts.
 */
class CheckpointTailTest {

    static final int BLOCK = 1024;

    @Test
    void checkpointsWhileATransactionHoldsTheTailSpendNoLog() {
        MemoryBlockDevice device = new MemoryBlockDevice("fs", BLOCK, (8L << 20) / BLOCK);
        Superblock sb = Formatter.format(device, new FormatOptions(BLOCK, device.blockCount(), 64, 0,
                Limits.DEFAULT_BYTES_PER_INODE, "held", UUID.fromString("4d5e6f70-8192-43a4-b5c6-d7e8f90a1b2c"), 0, 0,
                Instant.parse("2026-11-24T00:00:00Z"), new Random(10)));
        MetadataStore store = MetadataStore.open(device, sb,
                new MetadataStore.Options(1 << 20, Duration.ofHours(1), Duration.ofHours(1)));
        try {
            Transaction running = store.transactions().begin(LogRecordCodec.updateSize(8));
            running.update(sb.geometry().firstDataBlock(0) + 30, 100, new byte[8]);
            store.checkpointer().checkpoint(); // the tail moves up to the running transaction
            long used = store.log().usedBytes();
            for (int i = 0; i < 500; i++) { // far more than the checkpoint reserve has blocks
                store.checkpointer().checkpoint();
            }
            assertThat(store.log().usedBytes()).as("log in use after 500 checkpoints that could not move the tail")
                    .isEqualTo(used);
            running.abort();
        } finally {
            store.close();
        }
    }
}
