package org.quillfs.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.quillfs.volume.ForwardingBlockDevice;
import org.quillfs.volume.MemoryBlockDevice;

/**
 * A memory device that takes as long as a disk for every I/O, and serves one I/O at a time: an
 * access latency, then the transfer at a fixed rate. Several of them serve in parallel, as
 * separate disks do. (The memory copy itself runs inside that time.)
 */
final class LatencyDevice extends ForwardingBlockDevice {

    private final long latencyNanos;
    private final long bytesPerSecond;

    LatencyDevice(String name, int blockSize, long blockCount, long latencyMicros, long mibPerSecond) {
        super(new MemoryBlockDevice(name, blockSize, blockCount));
        this.latencyNanos = TimeUnit.MICROSECONDS.toNanos(latencyMicros);
        this.bytesPerSecond = mibPerSecond << 20;
    }

    @Override
    public synchronized void read(long firstBlock, ByteBuffer... dsts) {
        long started = System.nanoTime();
        long time = timeFor(dsts);
        super.read(firstBlock, dsts);
        waitUntil(started + time);
    }

    @Override
    public synchronized void write(long firstBlock, ByteBuffer... srcs) {
        long started = System.nanoTime();
        long time = timeFor(srcs);
        super.write(firstBlock, srcs);
        waitUntil(started + time);
    }

    @Override
    public synchronized void flush() {
        waitUntil(System.nanoTime() + latencyNanos);
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
