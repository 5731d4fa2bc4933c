package org.quillfs.volume;

import java.nio.ByteBuffer;

/**
 * A device that passes every call to another: a base for devices that watch, record, slow down
 * or fail some of the calls to a device (tests, benchmarks) and override only those.
 */
public abstract class ForwardingBlockDevice implements BlockDevice {

    private final BlockDevice delegate;

    protected ForwardingBlockDevice(BlockDevice delegate) {
        this.delegate = delegate;
    }

    @Override
    public int blockSize() {
        return delegate.blockSize();
    }

    @Override
    public long blockCount() {
        return delegate.blockCount();
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public void read(long firstBlock, ByteBuffer... dsts) {
        delegate.read(firstBlock, dsts);
    }

    @Override
    public void write(long firstBlock, ByteBuffer... srcs) {
        delegate.write(firstBlock, srcs);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
