package org.quillfs.fsck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import org.quillfs.format.Limits;
import org.quillfs.volume.BlockDevice;

/**
 * What fsck checks, before the superblock has said its block size: the one channel the command
 * opened (and locked) on an image or device, which can be read in blocks of any size; or a block
 * device whose block size is fixed, such as a volume over several members.
 */
interface FsckTarget {

    /** What to call it in messages. */
    String name();

    /** Its size in bytes. */
    long size();

    /** A device over all of it, in blocks of whatever size suits, to look for the superblock with. */
    BlockDevice probe();

    /**
     * A device over all of it in blocks of {@code blockSize}.
     *
     * @throws UnreadableException when it cannot have blocks of that size
     */
    BlockDevice open(int blockSize);

    /** The channel fsck opened on one image or device. */
    static FsckTarget of(FileChannel channel, String name) {
        long size;
        try {
            size = channel.size();
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot read the size: " + e.getMessage(), e);
        }
        return new FsckTarget() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long size() {
                return size;
            }

            @Override
            public BlockDevice probe() {
                return new ChannelDevice(name, channel, Limits.MIN_BLOCK_SIZE, size / Limits.MIN_BLOCK_SIZE);
            }

            @Override
            public BlockDevice open(int blockSize) {
                return new ChannelDevice(name, channel, blockSize, size / blockSize);
            }
        };
    }

    /** A device whose block size is fixed: a volume, or a device a test made. */
    static FsckTarget of(BlockDevice device) {
        return new FsckTarget() {
            @Override
            public String name() {
                return device.name();
            }

            @Override
            public long size() {
                return device.blockCount() * device.blockSize();
            }

            @Override
            public BlockDevice probe() {
                return device;
            }

            @Override
            public BlockDevice open(int blockSize) {
                if (blockSize != device.blockSize()) {
                    throw new UnreadableException(device.name() + ": the superblock says blocks of " + blockSize
                            + " bytes, but the volume has blocks of " + device.blockSize());
                }
                return device;
            }
        };
    }
}
