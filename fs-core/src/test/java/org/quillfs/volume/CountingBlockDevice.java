package org.quillfs.volume;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/** A test device that counts the read and write calls that reach the device it wraps. */
class CountingBlockDevice extends ForwardingBlockDevice {

    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger writes = new AtomicInteger();
    final AtomicInteger flushes = new AtomicInteger();

    CountingBlockDevice(BlockDevice device) {
        super(device);
    }

    @Override
    public void read(long firstBlock, ByteBuffer... dsts) {
        reads.incrementAndGet();
        super.read(firstBlock, dsts);
    }

    @Override
    public void write(long firstBlock, ByteBuffer... srcs) {
        writes.incrementAndGet();
        super.write(firstBlock, srcs);
    }

    @Override
    public void flush() {
        flushes.incrementAndGet();
        super.flush();
    }

}
