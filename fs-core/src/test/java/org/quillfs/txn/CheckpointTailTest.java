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
 * Checkpoints and the tail. {@link #noMasterRecordMovesTheTailPastUpdatesWhoseUndoIsNotDurable}:
 * a checkpoint writes a running transaction's change home (steal), the transaction then ends
 * (aborts, say) before the checkpoint computes its new tail, and the master record moves the tail
 * past the transaction's UPDATE: the CLRs and ABORT that undo it must be durable by then, or a
 * crash right after the master write leaves the change on disk with nothing in the log to undo it.
 * Checked at the crash state just after every master write of a run where one thread checkpoints
 * and another updates and aborts, over and over.
 *
 * Found by the crash campaign (fsck module, org.quillfs.crash): a soak's create, rolled back,
 * left its directory entry and inode bitmap bit on disk and no inode ("Entry ... has
 * deleted/unused inode 34").
 *
 * <p>{@link #checkpointsWhileATransactionHoldsTheTailSpendNoLog}: found by that stress test, where
 * checkpoints run back to back while the updating thread was descheduled inside its transaction
 * filled the log with checkpoint records ("log overrun: ... log space accounting is broken").
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

    @Test
    void noMasterRecordMovesTheTailPastUpdatesWhoseUndoIsNotDurable() throws Exception {
        MemoryBlockDevice base = new MemoryBlockDevice("fs", BLOCK, (8L << 20) / BLOCK);
        Superblock sb = Formatter.format(base, new FormatOptions(BLOCK, base.blockCount(), 256, 0,
                Limits.DEFAULT_BYTES_PER_INODE, "tail", UUID.fromString("2a3b4c5d-6e7f-4081-92a3-b4c5d6e7f809"), 0, 0,
                Instant.parse("2026-11-24T00:00:00Z"), new Random(9)));
        long block = sb.geometry().firstDataBlock(0) + 30;
        RecordingBlockDevice recording = new RecordingBlockDevice(base);
        MetadataStore store = MetadataStore.open(recording, sb,
                new MetadataStore.Options(1 << 20, Duration.ofHours(1), Duration.ofHours(1)));
        Transaction init = store.transactions().begin(LogRecordCodec.updateSize(16));
        ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(BlockHeader.MAGIC).putShort((short) BlockType.DIR_LEAF.code()).putShort((short) 1).putLong(block);
        init.update(block, 0, header.array());
        store.transactions().force(init.commit());

        AtomicBoolean stop = new AtomicBoolean();
        Thread aborter = new Thread(() -> {
            byte[] value = new byte[64];
            Arrays.fill(value, (byte) 0xEE);
            while (!stop.get()) {
                Transaction txn = store.transactions().begin(LogRecordCodec.updateSize(64));
                txn.update(block, 200, value);
                Thread.onSpinWait();
                txn.abort();
            }
        });
        aborter.start();
        int ran = 0;
        for (int i = 0; i < 500_000 && ran < 1000; i++) {
            if (store.checkpointer().checkpoint().beginLsn() != 0) {
                ran++;
            }
        }
        stop.set(true);
        aborter.join();
        store.halt();

        CrashStates states = new CrashStates(recording);
        List<DeviceEvent> events = recording.events();
        int writes = 0;
        int checked = 0;
        long masterA = sb.geometry().journalStart() + 1;
        for (DeviceEvent e : events) {
            if (e instanceof DeviceEvent.Write w) {
                writes++;
                if (w.firstBlock() == masterA || w.firstBlock() == masterA + 1) {
                    MemoryBlockDevice crashed = states.atWrite(writes).device();
                    Recovery.run(crashed, sb);
                    ByteBuffer b = ByteBuffer.allocate(BLOCK);
                    crashed.read(block, b);
                    assertThat(Arrays.copyOfRange(b.array(), 200, 264)).as("%s: an aborted update is on disk",
                            states.atWrite(writes)).containsOnly(0);
                    checked++;
                }
            }
        }
        assertThat(checked).as("master writes checked").isGreaterThan(500);
    }
}
