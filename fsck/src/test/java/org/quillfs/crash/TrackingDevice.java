package org.quillfs.crash;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.ForwardingBlockDevice;
import org.quillfs.volume.MemoryBlockDevice;

/**
 * A {@link MemoryBlockDevice} seen through a wrapper that notes which blocks are written, and
 * which of those writes changed the block: so that two recoveries of the same crash state can be
 * compared on the blocks they wrote, and a recovery of a recovered image can be seen to change
 * nothing, without reading whole images.
 */
final class TrackingDevice extends ForwardingBlockDevice {

    private final MemoryBlockDevice device;
    final Set<Long> written = new TreeSet<>();
    final Set<Long> changed = new TreeSet<>();

    TrackingDevice(MemoryBlockDevice device) {
        super(device);
        this.device = device;
    }

    @Override
    public synchronized void write(long firstBlock, ByteBuffer... srcs) {
        int blockSize = device.blockSize();
        long total = 0;
        for (ByteBuffer src : srcs) {
            total += src.remaining();
        }
        byte[] fresh = new byte[Math.toIntExact(total)];
        ByteBuffer all = ByteBuffer.wrap(fresh);
        for (ByteBuffer src : srcs) {
            all.put(src.duplicate());
        }
        byte[] old = new byte[fresh.length];
        device.read(firstBlock, ByteBuffer.wrap(old));
        for (int i = 0; i * blockSize < fresh.length; i++) {
            written.add(firstBlock + i);
            if (!Arrays.equals(fresh, i * blockSize, (i + 1) * blockSize, old, i * blockSize, (i + 1) * blockSize)) {
                changed.add(firstBlock + i);
            }
        }
        device.write(firstBlock, srcs);
    }

    @Override
    public void close() {
    }

    /** The blocks (of those in {@code blocks}) where {@code a} and {@code b} differ. */
    static Set<Long> differences(BlockDevice a, BlockDevice b, Set<Long> blocks) {
        Set<Long> differ = new TreeSet<>();
        ByteBuffer x = ByteBuffer.allocate(a.blockSize());
        ByteBuffer y = ByteBuffer.allocate(b.blockSize());
        for (long block : blocks) {
            a.read(block, x.clear());
            b.read(block, y.clear());
            if (!Arrays.equals(x.array(), y.array())) {
                differ.add(block);
            }
        }
        return differ;
    }
}
