package org.quillfs.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.txn.MetadataStore;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.CrashStates;
import org.quillfs.volume.DeviceEvent;
import org.quillfs.volume.MemoryBlockDevice;
import org.quillfs.volume.RecordingBlockDevice;

/**
 * A crash tears the first block of a flush group and leaves a later one of it intact: recovery
 * ends the log at the torn block and rolls back the transaction whose COMMIT lay beyond it,
 * appending compensation records there. The intact later block then follows the compensation
 * records in sequence, and the next recovery, which starts at the new tail with no block before it
 * to compare epochs with, read it as the log: it found the rolled-back transaction's COMMIT (and
 * could find the rest of its updates) and rolled it forward. Recovering a recovered image must
 * change nothing (docs/JOURNAL.md, "Recovery").
 *
 * <p>Found by the crash campaign (fsck module, org.quillfs.crash): "recovering the recovered
 * image changed blocks [3]" (the master), the second recovery reading one stale record.
 */
class StaleLogBlocksTest {

    static final int BLOCK = 1024;

    final MemoryBlockDevice base = new MemoryBlockDevice("fs", BLOCK, (8L << 20) / BLOCK);
    final Superblock sb = Formatter.format(base, new FormatOptions(BLOCK, base.blockCount(), 128, 0,
            Limits.DEFAULT_BYTES_PER_INODE, "stale", UUID.fromString("1b2c3d4e-5f60-4718-9a2b-3c4d5e6f7081"), 0, 0,
            Instant.parse("2026-11-24T00:00:00Z"), new Random(5)));
    /** The first of the metadata blocks the transactions change. */
    final long first = sb.geometry().firstDataBlock(0) + 20;
    final RecordingBlockDevice recording = new RecordingBlockDevice(base);

    @Test
    void aTransactionRolledBackStaysRolledBackWhenIntactBlocksOfItsFlushFollowTheTornOne() {
        MetadataStore store = open(recording);
        writeSoundBlocks(store, 3);

        // A transaction whose first update is made durable by another's fsync, and whose other
        // updates and COMMIT fill several log blocks written by one force.
        Transaction big = store.transactions().begin(3 * LogRecordCodec.updateSize(468));
        big.update(first, 100, filled(400, 0x41));
        Transaction other = store.transactions().begin(LogRecordCodec.updateSize(8));
        other.update(first + 2, 900, filled(8, 0x7A));
        store.transactions().force(other.commit());
        int writesBefore = recording.writes();
        // The force starts a new log block: the second update fills it exactly (a record of
        // 40 + 2 × 468 bytes, a payload of 976), so the next block starts with the third update.
        big.update(first + 1, 100, filled(468, 0x42));
        big.update(first + 2, 100, filled(400, 0x43));
        store.transactions().force(big.commit());
        store.halt();

        // The crash: everything before that force, then its log write with its first block lost.
        MemoryBlockDevice crashed = crashInLogWrite(writesBefore, 2, 1);

        RecoveryReport firstRecovery = Recovery.run(crashed, sb).report();
        assertThat(firstRecovery.rolledBack()).as("the big transaction, its COMMIT past the torn block").isEqualTo(1);
        for (int b = 0; b < 3; b++) {
            assertThat(SoundBlocks.bytes(crashed, first + b, 100, 400)).as("block %d rolled back", b).containsOnly(0);
        }
        assertThat(SoundBlocks.bytes(crashed, first + 2, 900, 8)).as("the other transaction's update").containsOnly(0x7A);
        RecoveryReport second = Recovery.run(crashed, sb).report();
        assertThat(second.recordsRead()).as("records the second recovery read: %s", second).isZero();
        for (int b = 0; b < 3; b++) {
            assertThat(SoundBlocks.bytes(crashed, first + b, 100, 400)).as("block %d still rolled back", b).containsOnly(0);
        }
    }

    /**
     * The same, with the intact block further on, past a second torn one: the first recovery's
     * tail lands on the torn block, so nothing stale follows it; but a mount that then writes one
     * log block and unmounts leaves the tail on the intact stale block, and the recovery after
     * that (or fsck) read it as the log.
     */
    @Test
    void anUnmountNeverLeavesTheTailOnAnIntactBlockOfAnInterruptedRun() {
        MetadataStore store = open(recording);
        writeSoundBlocks(store, 4);

        Transaction big = store.transactions().begin(4 * LogRecordCodec.updateSize(468));
        big.update(first, 100, filled(400, 0x41));
        Transaction other = store.transactions().begin(LogRecordCodec.updateSize(8));
        other.update(first + 3, 900, filled(8, 0x7A));
        store.transactions().force(other.commit());
        int writesBefore = recording.writes();
        // Each of the next two updates fills a log block exactly; the fourth starts the third block.
        big.update(first + 1, 100, filled(468, 0x42));
        big.update(first + 2, 100, filled(468, 0x43));
        big.update(first + 3, 100, filled(400, 0x44));
        store.transactions().force(big.commit());
        store.halt();

        MemoryBlockDevice crashed = crashInLogWrite(writesBefore, 3, 2); // the third block only

        Recovery.run(crashed, sb);
        MetadataStore mount = open(crashed);
        Transaction one = mount.transactions().begin(LogRecordCodec.updateSize(8));
        one.update(first + 3, 920, filled(8, 0x55));
        mount.transactions().force(one.commit());
        mount.close();

        RecoveryReport after = Recovery.run(crashed, sb).report();
        assertThat(after.recordsRead()).as("records the recovery after the unmount read: %s", after).isZero();
        for (int b = 0; b < 4; b++) {
            assertThat(SoundBlocks.bytes(crashed, first + b, 100, 400)).as("block %d rolled back", b).containsOnly(0);
        }
    }

    /** A store with no background checkpoints or forces to get in the way. */
    MetadataStore open(BlockDevice device) {
        return MetadataStore.open(device, sb, new MetadataStore.Options(1 << 20, Duration.ofHours(1), Duration.ofHours(1)));
    }

    /** Gives {@code count} blocks from {@link #first} a sound header, and makes them home and durable. */
    void writeSoundBlocks(MetadataStore store, int count) {
        SoundBlocks.write(store, first, count);
        store.checkpointer().checkpoint();
    }

    /**
     * The device as a crash leaves it in the first write of at least {@code blocks} log blocks
     * after write number {@code writesBefore}: everything before that write, and of it only the
     * blocks from number {@code kept} on.
     */
    MemoryBlockDevice crashInLogWrite(int writesBefore, int blocks, int kept) {
        List<DeviceEvent.Write> writes = recording.events().stream().filter(DeviceEvent.Write.class::isInstance)
                .map(DeviceEvent.Write.class::cast).toList();
        int n = writesBefore;
        while (writes.get(n).blocks(BLOCK) < blocks) {
            n++;
        }
        DeviceEvent.Write logWrite = writes.get(n);
        MemoryBlockDevice crashed = new CrashStates(recording).atWrite(n).device();
        crashed.write(logWrite.firstBlock() + kept,
                ByteBuffer.wrap(logWrite.data(), kept * BLOCK, logWrite.data().length - kept * BLOCK));
        return crashed;
    }

    static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
