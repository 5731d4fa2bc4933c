package org.quillfs.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.MemoryBlockDevice;

/**
 * A memory device that takes as long as a disk for every I/O, and serves one I/O at a time: an
 * access latency, then the transfer at a fixed rate. Several of them serve in parallel, as
 * separate disks do. (The memory copy itself runs inside that time.)
 */
final class LatencyDevice implements BlockDevice {

    private final MemoryBlockDevice device;
    private final long latencyNanos;
    private final long bytesPerSecond;

    LatencyDevice(String name, int blockSize, long blockCount, long latencyMicros, long mibPerSecond) {
        this.device = new MemoryBlockDevice(name, blockSize, blockCount);
        this.latencyNanos = TimeUnit.MICROSECONDS.toNanos(latencyMicros);
        this.bytesPerSecond = mibPerSecond << 20;
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
    public synchronized void read(long firstBlock, ByteBuffer... dsts) {
        long started = System.nanoTime();
        long time = timeFor(dsts);
        device.read(firstBlock, dsts);
        waitUntil(started + time);
    }

    @Override
    public synchronized void write(long firstBlock, ByteBuffer... srcs) {
        long started = System.nanoTime();
        long time = timeFor(srcs);
        device.write(firstBlock, srcs);
        waitUntil(started + time);
    }

    @Override
    public synchronized void flush() {
        waitUntil(System.nanoTime() + latencyNanos);
    }

    @Override
    public void close() {
        device.close();
    }

    /** The time an I/O of {@code buffers} takes: latency plus transfer. */
    private long timeFor(ByteBuffer[] buffers) {
        long bytes = 0;
        for (ByteBuffer b : buffers) {
            bytes += b.remaining();
        }
        return latencyNanos + bytes * 1_000_000_000L / bytesPerSecond;
    }

    /** Parks until {@code deadline} (System.nanoTime; parkNanos may wake early). */
    private static void waitUntil(long deadline) {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }
}
