package org.quillfs.volume;

import java.io.Closeable;
import java.nio.ByteBuffer;

/**
 * A device of fixed-size blocks: the lowest layer of quillfs.
 *
 * <p>Every transfer covers whole, consecutive blocks starting at {@code firstBlock}: the
 * buffers' remaining bytes, taken together, must be a positive multiple of {@link #blockSize()}
 * and stay inside the device. A vectored call moves several buffers as one scatter-gather I/O
 * (buffer boundaries need not fall on block boundaries). Transfers consume the buffers (their
 * positions advance), as channel I/O does.
 *
 * <p>Nothing written is durable until {@link #flush()} returns: it is the barrier the journal
 * orders its writes around. A flush makes durable every write that returned before the flush
 * began; a write that overlaps a flush may or may not be covered by it. Implementations are safe for concurrent use by several threads.
 *
 * <p>Failures surface as {@link VolumeIOException}, which names the device and the block.
 */
public interface BlockDevice extends Closeable {

    /** Bytes per block: a power of two. */
    int blockSize();

    /** Blocks on the device. */
    long blockCount();

    /** What to call the device in messages: its path, or a description. */
    String name();

    /** Fills {@code dsts}, in order, from consecutive blocks starting at {@code firstBlock}. */
    void read(long firstBlock, ByteBuffer... dsts);

    /** Writes {@code srcs}, in order, to consecutive blocks starting at {@code firstBlock}. */
    void write(long firstBlock, ByteBuffer... srcs);

    /** Makes every write that has returned durable. */
    void flush();

    @Override
    void close();
}
