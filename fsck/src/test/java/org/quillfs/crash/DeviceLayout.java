package org.quillfs.crash;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.Layout;
import org.quillfs.volume.MemoryBlockDevice;
import org.quillfs.volume.StripedVolume;
import org.quillfs.volume.VolumeMembers;

/**
 * What the campaign's filesystems sit on, a parameter of the whole campaign. {@link #SINGLE}: the
 * recorded device itself. {@link #STRIPE2}: a volume striped over two members, which lie side by
 * side in the recorded device (member 0 in its first half, member 1 in its second, each with its
 * label block first, as mkfs makes them). Every member I/O the volume issues is then one recorded
 * write, so crash states hold what two member disks could hold: one member's share of a request
 * without the other's, torn or reordered shares between flushes. Recovery, fsck and the mount of
 * each state go through the same volume.
 *
 * <p>The volume serves its members one after another on the caller's thread ({@code Runnable::run}):
 * a run must record the same writes in the same order every time, or a failure could not be
 * replayed.
 */
enum DeviceLayout {
    SINGLE,
    STRIPE2;

    /** Blocks per stripe unit: small, so that most requests of more than one block are split. */
    static final int STRIPE_UNIT = 4;
    private static final int MEMBERS = 2;
    private static final UUID VOLUME = UUID.fromString("5f1d3c2b-9a8e-4d7c-b6a5-0f1e2d3c4b5a");

    /**
     * A fresh device called {@code name} for a filesystem of {@code blocks} blocks (a multiple of
     * two stripe units, for {@link #STRIPE2}), with the members' labels written.
     */
    MemoryBlockDevice newDevice(String name, int blockSize, long blocks) {
        if (this == SINGLE) {
            return new MemoryBlockDevice(name, blockSize, blocks);
        }
        if (blocks % (MEMBERS * STRIPE_UNIT) != 0) {
            throw new IllegalArgumentException(blocks + " blocks are not whole stripes of " + MEMBERS + " x " + STRIPE_UNIT);
        }
        long memberBlocks = blocks / MEMBERS + 1;
        MemoryBlockDevice device = new MemoryBlockDevice(name, blockSize, MEMBERS * memberBlocks);
        List<BlockDevice> members = new ArrayList<>();
        for (int m = 0; m < MEMBERS; m++) {
            members.add(new Region(device, m * memberBlocks, memberBlocks));
        }
        VolumeMembers.writeLabels(VOLUME, Layout.STRIPE, STRIPE_UNIT, members, blocks);
        return device;
    }

    /** The filesystem's device on {@code device} (one {@link #newDevice} made, or a copy of it). */
    BlockDevice filesystemOn(BlockDevice device) {
        if (this == SINGLE) {
            return device;
        }
        long memberBlocks = device.blockCount() / MEMBERS;
        List<BlockDevice> dataAreas = new ArrayList<>();
        for (int m = 0; m < MEMBERS; m++) {
            dataAreas.add(new Region(device, m * memberBlocks + 1, memberBlocks - 1));
        }
        return new StripedVolume(device.name(), dataAreas, STRIPE_UNIT, Runnable::run);
    }

    /** The filesystem block that block {@code deviceBlock} of a device of {@code deviceBlocks} holds; -1 for a label. */
    long filesystemBlock(long deviceBlock, long deviceBlocks) {
        if (this == SINGLE) {
            return deviceBlock;
        }
        long memberBlocks = deviceBlocks / MEMBERS;
        long member = deviceBlock / memberBlocks;
        long data = deviceBlock % memberBlocks - 1;
        if (data < 0) {
            return -1;
        }
        return (data / STRIPE_UNIT * MEMBERS + member) * STRIPE_UNIT + data % STRIPE_UNIT;
    }

    /** Blocks {@code [first, first + count)} of a device, as a device of their own: one member. */
    private record Region(BlockDevice device, long first, long count) implements BlockDevice {

        @Override
        public int blockSize() {
            return device.blockSize();
        }

        @Override
        public long blockCount() {
            return count;
        }

        @Override
        public String name() {
            return device.name() + " [" + first + ".." + (first + count - 1) + "]";
        }

        @Override
        public void read(long firstBlock, ByteBuffer... dsts) {
            check(firstBlock, dsts);
            device.read(first + firstBlock, dsts);
        }

        @Override
        public void write(long firstBlock, ByteBuffer... srcs) {
            check(firstBlock, srcs);
            device.write(first + firstBlock, srcs);
        }

        private void check(long firstBlock, ByteBuffer[] buffers) {
            long bytes = 0;
            for (ByteBuffer b : buffers) {
                bytes += b.remaining();
            }
            if (firstBlock < 0 || firstBlock + bytes / device.blockSize() > count) {
                throw new IllegalArgumentException(name() + ": blocks from " + firstBlock + " are outside the region");
            }
        }

        @Override
        public void flush() {
            device.flush();
        }

        @Override
        public void close() {
        }
    }
}
