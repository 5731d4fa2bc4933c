package org.quillfs.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.txn.MetadataStore;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.CrashState;
import org.quillfs.volume.CrashStates;
import org.quillfs.volume.DeviceEvent;
import org.quillfs.volume.MemoryBlockDevice;
import org.quillfs.volume.RecordingBlockDevice;

/**
 * Recovery of DATA_BLOCK records (data=journal): a committed transaction's data is replayed
 * when its blocks did not make it home, an aborted or unfinished one's never is, and undo steps
 * over data records in a loser's chain, also when a crash during recovery left it half undone.
 */
class JournaledDataRecoveryTest {

    static final int BLOCK = 1024;
    static final MetadataStore.Options QUIET = new MetadataStore.Options(1 << 20, Duration.ofHours(1),
            Duration.ofHours(1));

    final MemoryBlockDevice base = new MemoryBlockDevice("fs", BLOCK, (8L << 20) / BLOCK);
    final Superblock superblock = Formatter.format(base, new FormatOptions(BLOCK, base.blockCount(), 0, 0,
            Limits.DEFAULT_BYTES_PER_INODE, "data", UUID.fromString("5d4c3b2a-1908-4f7e-8d6c-5b4a39281706"), 0, 0,
            Instant.parse("2026-11-23T00:00:00Z"), new Random(7)));
    /** A metadata block the transactions also change. */
    final long meta = superblock.geometry().firstDataBlock(0) + 8;
    final long committedData = meta + 10;
    final long abortedData = meta + 11;
    final long unfinishedData = meta + 12;

    static byte[] block(int seed) {
        byte[] b = new byte[BLOCK];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] slot(int seed) {
        byte[] b = new byte[16];
        new Random(seed).nextBytes(b);
        b[0] |= 1; // never all zeros
        return b;
    }

    @Test
    void committedDataIsReplayedAbortedAndUnfinishedDataIsNotAndUndoStepsOverDataRecords() {
        RecordingBlockDevice recording = new RecordingBlockDevice(base);
        MetadataStore store = MetadataStore.open(recording, superblock, QUIET);
        SoundBlocks.write(store, meta, 1);
        long budget = 3 * LogRecordCodec.updateSize(16) + LogRecordCodec.dataBlockSize(BLOCK);

        Transaction committed = store.transactions().begin(budget);
        committed.update(meta, 48, slot(1));
        committed.logData(committedData, block(1));
        committed.commit(); // durable, then home
        int committedDurable = flushBeforeHomeWriteOf(recording, committedData);

        Transaction aborted = store.transactions().begin(budget);
        aborted.update(meta, 64, slot(2));
        aborted.logData(abortedData, block(2));
        aborted.update(meta, 80, slot(3));
        aborted.abort();

        Transaction unfinished = store.transactions().begin(budget);
        unfinished.update(meta, 96, slot(4));
        unfinished.logData(unfinishedData, block(4));
        unfinished.update(meta, 112, slot(5));
        store.log().forceAll(); // its records are durable; its COMMIT never comes
        store.halt();

        CrashStates states = new CrashStates(recording);
        Random random = new Random(8);
        for (int n = 0; n <= states.writes(); n++) {
            check(states.atWrite(n), durableFlushes(states, n) >= committedDurable);
            if (n > 0) {
                check(states.torn(n, random), durableFlushes(states, n - 1) >= committedDurable);
            }
        }

        // A crash during the recovery of the last state, when it has undone part of the loser.
        RecordingBlockDevice recovering = new RecordingBlockDevice(states.atWrite(states.writes()).device());
        RecoveryReport report = Recovery.run(recovering, superblock).report();
        assertThat(report.rolledBack()).as("the unfinished transaction was a loser").isEqualTo(1);
        CrashStates duringRecovery = new CrashStates(recovering);
        for (int w = 0; w <= duringRecovery.writes(); w++) {
            check(duringRecovery.atWrite(w), true);
            if (w > 0) {
                check(duringRecovery.torn(w, random), true);
            }
        }
    }

    void check(CrashState crash, boolean committedIsDurable) {
        MemoryBlockDevice device = crash.device();
        Recovery.run(device, superblock);
        // Home only after the COMMIT is durable, and replayed from the log once it is.
        assertThat(read(device, committedData)).as("%s: committed data", crash)
                .isEqualTo(committedIsDurable ? block(1) : new byte[BLOCK]);
        assertThat(read(device, abortedData)).as("%s: aborted data", crash).containsOnly(0);
        assertThat(read(device, unfinishedData)).as("%s: unfinished data", crash).containsOnly(0);
        byte[] metaBlock = read(device, meta);
        for (int offset = 64; offset < 128; offset += 16) {
            assertThat(Arrays.copyOfRange(metaBlock, offset, offset + 16)).as("%s: update at %d rolled back", crash, offset)
                    .containsOnly(0);
        }
        assertThat(Arrays.copyOfRange(metaBlock, 48, 64)).as("%s: the committed update", crash)
                .isEqualTo(committedIsDurable ? slot(1) : new byte[16]);
    }

    /** The flush before {@code block} first went home: the one that made its COMMIT durable (the commit forces, then writes home). */
    static int flushBeforeHomeWriteOf(RecordingBlockDevice recording, long block) {
        int flushes = 0;
        for (DeviceEvent event : recording.events()) {
            if (event instanceof DeviceEvent.Flush) {
                flushes++;
            } else if (event instanceof DeviceEvent.Write w && w.firstBlock() <= block
                    && block < w.firstBlock() + w.blocks(BLOCK)) {
                return flushes;
            }
        }
        throw new AssertionError("block " + block + " never went home");
    }

    static byte[] read(MemoryBlockDevice device, long blockNr) {
        ByteBuffer b = ByteBuffer.allocate(BLOCK);
        device.read(blockNr, b);
        return b.array();
    }

    static int durableFlushes(CrashStates states, int writes) {
        int k = 0;
        while (k < states.flushes() && states.writesBefore(k + 1) <= writes) {
            k++;
        }
        return k;
    }
}
