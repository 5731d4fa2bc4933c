package org.quillfs.fsck;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.quillfs.volume.BlockDevice;

/**
 * A device that keeps every write in memory and reads it back over the blocks of the device
 * below, which it never writes: how {@code fsck -n} lets journal recovery run, to report what it
 * would do and to check the filesystem as it would leave it, without changing anything.
 * Memory: the blocks written (recovery writes at most the blocks its log names).
 */
final class OverlayDevice implements BlockDevice {

    private final BlockDevice base;
    private final Map<Long, byte[]> written = new HashMap<>();

    OverlayDevice(BlockDevice base) {
        this.base = base;
    }

    /** Blocks written so far (kept in memory). */
    int blocksWritten() {
        return written.size();
    }

    @Override
    public int blockSize() {
        return base.blockSize();
    }

    @Override
    public long blockCount() {
        return base.blockCount();
    }

    @Override
    public String name() {
        return base.name();
    }

    @Override
    public void read(long firstBlock, ByteBuffer... dsts) {
        int b = blockSize();
        long bytes = 0;
        for (ByteBuffer dst : dsts) {
            bytes += dst.remaining();
        }
        if (bytes % b != 0) {
            throw new IllegalArgumentException("overlay reads take whole blocks");
        }
        byte[] one = new byte[b];
        int d = 0;
        for (long block = firstBlock; block < firstBlock + bytes / b; block++) {
            byte[] mine = written.get(block);
            if (mine == null) {
                base.read(block, ByteBuffer.wrap(one));
                mine = one;
            }
            int at = 0;
            while (at < b) {
                while (!dsts[d].hasRemaining()) {
                    d++;
                }
                int n = Math.min(b - at, dsts[d].remaining());
                dsts[d].put(mine, at, n);
                at += n;
            }
        }
    }

    @Override
    public void write(long firstBlock, ByteBuffer... srcs) {
        int b = blockSize();
        long bytes = 0;
        for (ByteBuffer src : srcs) {
            bytes += src.remaining();
        }
        if (bytes % b != 0) {
            throw new IllegalArgumentException("overlay writes take whole blocks");
        }
        int s = 0;
        for (long block = firstBlock; block < firstBlock + bytes / b; block++) {
            byte[] copy = new byte[b];
            int at = 0;
            while (at < b) {
                while (!srcs[s].hasRemaining()) {
                    s++;
                }
                int n = Math.min(b - at, srcs[s].remaining());
                srcs[s].get(copy, at, n);
                at += n;
            }
            written.put(block, copy);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
