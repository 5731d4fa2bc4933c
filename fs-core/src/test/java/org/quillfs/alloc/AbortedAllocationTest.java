package org.quillfs.alloc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.journal.Recovery;
import org.quillfs.txn.MetadataStore;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.MemoryBlockDevice;

/**
 * A transaction that allocates a block, logs its new contents (a directory leaf, say) and then
 * aborts gives the block back, but its UPDATE and CLR records stay in the log, and recovery repeats
 * them (docs/JOURNAL.md, "Recovery": redo repeats history, losers and aborted transactions
 * included). Handed out at once as a file data block, which has no page LSN to make recovery skip
 * them, the block was overwritten by that replay after a crash: a file (or a long symlink's
 * target) read a zeroed block with a metadata header's LSN and checksum in it. The block must wait
 * as a freed journaled block does (docs/ALLOCATION.md, "Recovery may still write into it").
 *
 * <p>Found by the crash campaign (fsck module, org.quillfs.crash): soaks with four threads, where
 * creates that guess their budget, and deadlock victims, abort and replay.
 */
class AbortedAllocationTest {

    static final int BLOCK = 1024;

    @Test
    void aBlockAnAbortedTransactionLoggedIntoIsNotDataThatRecoveryThenOverwrites() {
        MemoryBlockDevice device = new MemoryBlockDevice("fs", BLOCK, (8L << 20) / BLOCK);
        Superblock sb = Formatter.format(device, new FormatOptions(BLOCK, device.blockCount(), 0, 0,
                Limits.DEFAULT_BYTES_PER_INODE, "abort", java.util.UUID.fromString("5d4c3b2a-1908-4f7e-8d6c-5b4a39281706"),
                0, 0, Instant.parse("2026-11-24T00:00:00Z"), new Random(3)));
        MetadataStore store = MetadataStore.open(device, sb, MetadataStore.Options.defaults());
        Allocator allocator = Allocator.open(sb, store);
        long goal = sb.geometry().firstDataBlock(0) + 50;

        // A directory leaf that never was: allocated, written through the log, rolled back.
        Transaction leaf = store.transactions().begin(2 * allocator.logBytesPerBlockRun(1) + 2L * BLOCK);
        long abandoned = allocator.allocateBlocks(leaf, allocator.reserve(leaf, 1, 0), goal, 1)[0];
        ByteBuffer image = ByteBuffer.allocate(BLOCK);
        BlockHeader.init(image, BlockType.DIR_LEAF, abandoned);
        leaf.writeBlock(abandoned, image.array());
        leaf.abort();

        // File data (ordered mode): written in place, announced, then the allocation commits.
        Transaction data = store.transactions().begin(allocator.logBytesPerBlockRun(1));
        long block = allocator.allocateBlocks(data, allocator.reserve(data, 1, 0), goal, 1)[0];
        byte[] contents = new byte[BLOCK];
        Arrays.fill(contents, (byte) 0x5A);
        device.write(block, ByteBuffer.wrap(contents));
        store.log().dataWritten();
        store.transactions().force(data.commit());
        store.halt(); // the crash

        Recovery.run(device, sb);
        ByteBuffer after = ByteBuffer.allocate(BLOCK);
        device.read(block, after);
        assertThat(Arrays.equals(after.array(), contents)).as("data block %d after recovery (the aborted leaf was block %d)"
                + " starts %s", block, abandoned, java.util.HexFormat.of().formatHex(after.array(), 0, 32)).isTrue();
    }
}
