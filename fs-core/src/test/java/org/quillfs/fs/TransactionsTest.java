package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.quillfs.cache.CachedBlock;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.Formatter;
import org.quillfs.format.Superblock;
import org.quillfs.format.TestFormats;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.txn.MetadataStore;
import org.quillfs.volume.MemoryBlockDevice;

/** The guessed first attempt of {@link Transactions#write(long, java.util.function.ToLongFunction, Transactions.Body)}. */
class TransactionsTest {

    static final int BLOCK = 4096;
    static final int CHANGE = 100;

    final MemoryBlockDevice device = new MemoryBlockDevice("fs", BLOCK, (16L << 20) / BLOCK);
    final Superblock superblock = Formatter.format(device, TestFormats.options(BLOCK, 16L << 20));
    final MetadataStore store = MetadataStore.open(device, superblock, MetadataStore.Options.defaults());
    final Transactions transactions = new Transactions(store.transactions());
    final long scratch = superblock.geometry().firstDataBlock(0) + 10;
    final AtomicInteger plans = new AtomicInteger();
    final AtomicInteger attempts = new AtomicInteger();

    @AfterEach
    void close() {
        store.close();
    }

    /** Changes {@value #CHANGE} bytes of the scratch block to {@code value}. */
    Transactions.Body<String> change(int value) {
        return txn -> {
            attempts.incrementAndGet();
            byte[] bytes = new byte[CHANGE];
            Arrays.fill(bytes, (byte) value);
            txn.update(scratch, BlockHeader.LSN_END, bytes);
            return "done";
        };
    }

    long plan(Object reader) {
        plans.incrementAndGet();
        return LogRecordCodec.updateSize(CHANGE);
    }

    byte firstByte() {
        try (CachedBlock block = store.cache().pin(scratch)) {
            return block.copy(BlockHeader.LSN_END, 1)[0];
        }
    }

    @Test
    void aGuessThatCoversTheChangesSkipsThePlan() {
        var committed = transactions.write(LogRecordCodec.updateSize(CHANGE), this::plan, change(1));

        assertThat(committed.result()).isEqualTo("done");
        assertThat(plans).hasValue(0);
        assertThat(attempts).hasValue(1);
        assertThat(firstByte()).isEqualTo((byte) 1);
    }

    @Test
    void aGuessTooSmallIsRolledBackAndReplayedFromThePlan() {
        var committed = transactions.write(LogRecordCodec.updateSize(CHANGE) - 1, this::plan, change(2));

        assertThat(committed.result()).isEqualTo("done");
        assertThat(plans).hasValue(1);
        assertThat(attempts).hasValue(2);
        assertThat(firstByte()).isEqualTo((byte) 2);
    }

    @Test
    void aGuessLargerThanTheLogCanReserveIsNotTried() {
        var committed = transactions.write(Long.MAX_VALUE / 4, this::plan, change(3));

        assertThat(committed.result()).isEqualTo("done");
        assertThat(plans).hasValue(1);
        assertThat(attempts).hasValue(1);
        assertThat(firstByte()).isEqualTo((byte) 3);
    }

    @Test
    void withoutAGuessThePlanComesFirst() {
        transactions.write(this::plan, change(4));

        assertThat(plans).hasValue(1);
        assertThat(attempts).hasValue(1);
    }
}
