package org.quillfs.journal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.txn.MetadataStore;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.BlockDevice;

/**
 * Metadata blocks for recovery tests: blocks with a sound header (a block that does not verify
 * gets every record replayed, which would hide what a test looks for), and reading bytes back.
 */
final class SoundBlocks {

    private SoundBlocks() {
    }

    /** Gives blocks {@code first} to {@code first + count - 1} a sound header, in one transaction made durable. */
    static void write(MetadataStore store, long first, int count) {
        Transaction init = store.transactions().begin(count * LogRecordCodec.updateSize(16));
        for (int b = 0; b < count; b++) {
            ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(BlockHeader.MAGIC).putShort((short) BlockType.DIR_LEAF.code()).putShort((short) 1)
                    .putLong(first + b);
            init.update(first + b, 0, header.array());
        }
        store.transactions().force(init.commit());
    }

    /** The {@code n} bytes at {@code offset} of {@code block} on {@code device}. */
    static byte[] bytes(BlockDevice device, long block, int offset, int n) {
        ByteBuffer b = ByteBuffer.allocate(device.blockSize());
        device.read(block, b);
        return Arrays.copyOfRange(b.array(), offset, offset + n);
    }
}
