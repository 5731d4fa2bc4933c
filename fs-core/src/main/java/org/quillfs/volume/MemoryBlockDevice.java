package org.quillfs.volume;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A block device in memory, for tests and tools. Sparse: a block never written reads as zeros
 * and takes no memory, so a "1 TiB" device costs only what is written to it.
 */
public final class MemoryBlockDevice implements BlockDevice {

    private final String name;
    private final int blockSize;
    private final long blockCount;
    private final ConcurrentHashMap<Long, byte[]> blocks = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    public MemoryBlockDevice(String name, int blockSize, long blockCount) {
        Transfers.checkBlockSize(blockSize);
        if (blockCount <= 0) {
            throw new IllegalArgumentException("a device needs at least one block, not " + blockCount);
        }
        this.name = name;
        this.blockSize = blockSize;
        this.blockCount = blockCount;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long blockCount() {
        return blockCount;
    }

    @Override
    public String name() {
        return name;
    }

    /** Blocks that have been written at least once: what the device costs in memory. */
    public int blocksHeld() {
        return blocks.size();
    }

    /**
     * A new device of the same geometry, called {@code name}, holding its own copy of every block
     * written to this one. Take it while nobody writes: a block written during the copy may be
     * copied half old, half new.
     */
    public MemoryBlockDevice copy(String name) {
        checkOpen();
        MemoryBlockDevice copy = new MemoryBlockDevice(name, blockSize, blockCount);
        blocks.forEach((block, data) -> copy.blocks.put(block, data.clone()));
        return copy;
    }

    @Override
    public void read(long firstBlock, ByteBuffer... dsts) {
        checkOpen();
        Transfers.checkedLength(this, firstBlock, dsts);
        long block = firstBlock;
        int offset = 0;
        for (ByteBuffer dst : dsts) {
            while (dst.hasRemaining()) {
                int n = Math.min(dst.remaining(), blockSize - offset);
                byte[] stored = blocks.get(block);
                if (stored == null) {
                    dst.put(new byte[n]);
                } else {
                    dst.put(stored, offset, n);
                }
                offset += n;
                if (offset == blockSize) {
                    offset = 0;
                    block++;
                }
            }
        }
    }

    @Override
    public void write(long firstBlock, ByteBuffer... srcs) {
        checkOpen();
        Transfers.checkedLength(this, firstBlock, srcs);
        long block = firstBlock;
        int offset = 0;
        byte[] fresh = null;
        for (ByteBuffer src : srcs) {
            while (src.hasRemaining()) {
                if (fresh == null) {
                    byte[] stored = blocks.get(block);
                    fresh = stored == null ? new byte[blockSize] : stored.clone();
                }
                int n = Math.min(src.remaining(), blockSize - offset);
                src.get(fresh, offset, n);
                offset += n;
                if (offset == blockSize) {
                    // A whole new array per block: a concurrent reader sees the old block or the new.
                    blocks.put(block, fresh);
                    fresh = null;
                    offset = 0;
                    block++;
                }
            }
        }
    }

    @Override
    public void flush() {
        checkOpen();
    }

    @Override
    public void close() {
        closed.set(true);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException(name + " is closed");
        }
    }
}
