package org.quillfs.volume;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A test device that records every write and flush, in order, so that {@link CrashStates} can
 * build what a disk might hold after a crash at any point of the run.
 *
 * <p>It wraps the {@link MemoryBlockDevice} that the code under test uses: reads and writes go
 * straight through, so reads see every write so far, as through a page cache. When recording
 * starts it keeps a copy of the wrapped device as the initial image; construct it before anyone
 * writes to the device.
 *
 * <p>Implementation notes. {@link #lock} guards {@link #events} and the counts, and is held
 * across each write to the wrapped device and its recording, so the order of the events is the
 * order in which writes reached the device, however many threads write. A flush is recorded
 * when it takes the lock: every write that returned before the flush began is recorded before
 * it. A write and a flush that overlap are recorded in the order they take the lock, which is
 * one of the orders the run allows. Reads do not take the lock.
 */
public final class RecordingBlockDevice extends ForwardingBlockDevice {

    private final MemoryBlockDevice device;
    private final MemoryBlockDevice initialImage;
    private final Object lock = new Object();
    private final List<DeviceEvent> events = new ArrayList<>();
    private int writes;
    private int flushes;

    /** Starts recording what happens to {@code device}, keeping a copy of what it holds now. */
    public RecordingBlockDevice(MemoryBlockDevice device) {
        super(device);
        this.device = device;
        this.initialImage = device.copy(device.name() + " when recording started");
    }

    /** A new copy of the device as it was when recording started. */
    public MemoryBlockDevice initialImage() {
        return initialImage.copy(initialImage.name());
    }

    /** Every write and flush so far, in the order they happened; later events do not change it. */
    public List<DeviceEvent> events() {
        synchronized (lock) {
            return List.copyOf(events);
        }
    }

    /** Writes recorded so far. */
    public int writes() {
        synchronized (lock) {
            return writes;
        }
    }

    /** Flushes recorded so far. */
    public int flushes() {
        synchronized (lock) {
            return flushes;
        }
    }

    @Override
    public void write(long firstBlock, ByteBuffer... srcs) {
        byte[] data = new byte[Math.toIntExact(Transfers.checkedLength(this, firstBlock, srcs))];
        ByteBuffer copy = ByteBuffer.wrap(data);
        for (ByteBuffer src : srcs) {
            copy.put(src.duplicate());
        }
        synchronized (lock) {
            device.write(firstBlock, srcs);
            events.add(new DeviceEvent.Write(firstBlock, data));
            writes++;
        }
    }

    @Override
    public void flush() {
        synchronized (lock) {
            device.flush();
            events.add(new DeviceEvent.Flush());
            flushes++;
        }
    }

}
