package org.quillfs.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quillfs.format.Formatter;
import org.quillfs.format.Superblock;
import org.quillfs.format.TestFormats;
import org.quillfs.journal.LogRecord.CheckpointBegin;
import org.quillfs.journal.LogRecord.CheckpointEnd;
import org.quillfs.txn.MetadataStore;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.MemoryBlockDevice;

/**
 * A checkpoint appends its END after transactions have gone on (docs/JOURNAL.md, "Fuzzy
 * checkpoints"), so a change can lie between its BEGIN and its END that the END's dirty-block
 * table does not list. Recovery must still redo it, also for a block whose first change since
 * the start of the scan came before the BEGIN.
 */
class FuzzyCheckpointEndTest {

    static final int BLOCK = 1024;

    final MemoryBlockDevice device = new MemoryBlockDevice("fs", BLOCK, (8L << 20) / BLOCK);
    final Superblock sb = Formatter.format(device, TestFormats.options(BLOCK, 8L << 20));
    final long block = sb.geometry().firstDataBlock(0) + 20;

    @Test
    void aChangeBetweenBeginAndEndIsRedoneThoughTheEndDoesNotListItsBlock() {
        MetadataStore store = MetadataStore.open(device, sb,
                new MetadataStore.Options(1 << 20, Duration.ofHours(1), Duration.ofHours(1)));
        writeSoundBlock(store);
        // A change before the checkpoint, made durable and written home: the block is clean when
        // the checkpoint takes its tables, and the scan from the tail meets this change first.
        commit(store, 0x11);
        store.cache().writeBackAll();

        long begin = store.log().append(new CheckpointBegin());
        commit(store, 0x22); // after the tables were taken, before the END
        store.log().append(new CheckpointEnd(begin, List.of(), List.of()));
        store.log().force(store.log().appendedLsn());
        store.halt(); // the crash: the block's second change never went home

        assertThat(bytes(100, 8)).as("home before recovery").containsOnly(0x11);
        Recovery.run(device, sb);
        assertThat(bytes(100, 8)).as("after recovery").containsOnly(0x22);
    }

    void commit(MetadataStore store, int value) {
        Transaction txn = store.transactions().begin(LogRecordCodec.updateSize(8));
        byte[] bytes = new byte[8];
        Arrays.fill(bytes, (byte) value);
        txn.update(block, 100, bytes);
        store.transactions().force(txn.commit());
    }

    /** Gives the block a sound header and makes it home and durable, then moves the tail past it. */
    void writeSoundBlock(MetadataStore store) {
        SoundBlocks.write(store, block, 1);
        store.checkpointer().checkpoint();
    }

    byte[] bytes(int offset, int n) {
        return SoundBlocks.bytes(device, block, offset, n);
    }
}
