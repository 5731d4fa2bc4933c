package org.quillfs.volume;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/** A test device that counts the read and write calls that reach the device it wraps. */
class CountingBlockDevice implements BlockDevice {

    private final BlockDevice device;
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger flushes = new AtomicInteger();

    CountingBlockDevice(BlockDevice device) {
        this.device = device;
    }

    @Override
    public int blockSize() {
        return device.blockSize();
    }

    @Override
    public long blockCount() {
        return device.blockCount();
    }

    @Override
    public String name() {
        return device.name();
    }

    @Override
    public void read(long firstBlock, ByteBuffer... dsts) {
        reads.incrementAndGet();
        device.read(firstBlock, dsts);
    }

    @Override
    public void write(long firstBlock, ByteBuffer... srcs) {
        writes.incrementAndGet();
        device.write(firstBlock, srcs);
    }

    @Override
    public void flush() {
        flushes.incrementAndGet();
        device.flush();
    }

    @Override
    public void close() {
        device.close();
    }
}
