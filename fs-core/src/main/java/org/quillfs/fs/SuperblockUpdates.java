package org.quillfs.fs;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.UUID;
import org.quillfs.cache.CachedBlock;
import org.quillfs.errno.FsException;
import org.quillfs.format.BlockType;
import org.quillfs.format.Superblock;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.txn.BlockReader;
import org.quillfs.txn.Transaction;

/**
 * Changes to the primary superblock (block 0) inside transactions: the orphan list head, the
 * state bits, mount count and times. Only the bytes that change are logged, and only the
 * dynamic fields can change. The backups are
 * left as mkfs wrote them: nothing they hold for recovery (the geometry) ever changes.
 */
final class SuperblockUpdates {

    private final int blockSize;
    private final UUID uuid;

    SuperblockUpdates(int blockSize, UUID uuid) {
        this.blockSize = blockSize;
        this.uuid = uuid;
    }

    /** @throws FsException EIO (damaged) when block 0 does not verify */
    Superblock read(BlockReader txn) {
        try (CachedBlock block = txn.read(0)) {
            block.verify(uuid, BlockType.SUPERBLOCK).ifPresent(why -> {
                throw FsException.damaged("superblock: " + why);
            });
            return Superblock.decode(block.contents());
        }
    }

    Superblock readForUpdate(Transaction txn) {
        return read(txn::readForUpdate);
    }

    void write(Transaction txn, Superblock superblock) {
        ByteBuffer scratch = ByteBuffer.allocate(blockSize);
        superblock.encode(scratch, 0);
        txn.updateChanged(0, Superblock.DYNAMIC_START,
                Arrays.copyOfRange(scratch.array(), Superblock.DYNAMIC_START, Superblock.DYNAMIC_END));
    }

    /** Log bytes one {@link #write} may append at worst. */
    long logBytesPerWrite() {
        return LogRecordCodec.updateSize(Superblock.DYNAMIC_END - Superblock.DYNAMIC_START);
    }
}
