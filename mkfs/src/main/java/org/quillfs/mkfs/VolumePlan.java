package org.quillfs.mkfs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Superblock;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.FileBlockDevice;
import org.quillfs.volume.Layout;
import org.quillfs.volume.VolumeLabel;
import org.quillfs.volume.VolumeMembers;

/**
 * A volume mkfs is to make over several devices (docs/OPERATIONS.md "Volumes"): the members in
 * the order given, which is their member order, each used whole. {@link #format} locks every
 * member, formats the filesystem through the volume, then writes the members' labels.
 */
final class VolumePlan {

    final Layout layout;
    /** Blocks per stripe unit (0 for concat). */
    final int stripeUnit;
    final List<Target> members;
    private final int blockSize;

    VolumePlan(Layout layout, int stripeUnit, List<Target> members, int blockSize) {
        for (Target member : members) {
            if (member.isPartOfTheFile()) {
                throw new UsageException("SIZE is smaller than " + member.path + ": the members of a volume are used whole");
            }
            if (member.bytes / blockSize <= VolumeLabel.LABEL_BLOCKS + (long) stripeUnit) {
                throw new UsageException(member.path + " (" + Sizes.human(member.bytes) + ") is too small to be a member");
            }
        }
        this.layout = layout;
        this.stripeUnit = stripeUnit;
        this.members = members;
        this.blockSize = blockSize;
    }

    /** Blocks the volume holds. */
    long capacity() {
        long[] blocks = members.stream().mapToLong(m -> m.bytes / blockSize).toArray();
        return VolumeMembers.capacity(layout, stripeUnit, blocks);
    }

    /** What to call the volume: the members joined by commas. */
    String name() {
        return members.stream().map(m -> m.path.toString()).collect(Collectors.joining(","));
    }

    /** One line for the summary. */
    String describe() {
        String unit = layout == Layout.STRIPE ? ", stripe unit " + Sizes.human((long) stripeUnit * blockSize)
                + " (" + stripeUnit + " blocks)" : "";
        return layout.word() + " of " + members.size() + " members" + unit;
    }

    /**
     * Formats the volume: the filesystem through it (and its log blocks if {@code writeLog}),
     * then the labels. Every member is locked meanwhile.
     */
    Superblock format(FormatOptions options, boolean writeLog) throws IOException {
        List<FileChannel> locks = new ArrayList<>();
        List<BlockDevice> devices = new ArrayList<>();
        BlockDevice volume = null;
        try {
            for (Target member : members) {
                FileChannel channel = FileChannel.open(member.path, StandardOpenOption.WRITE);
                locks.add(channel);
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    throw new IOException(member.path + " is in use (mounted?); unmount it first");
                }
            }
            for (Target member : members) {
                devices.add(FileBlockDevice.open(member.path, blockSize, true, member.bytes / blockSize));
            }
            volume = VolumeMembers.compose(name(), layout, stripeUnit, devices);
            if (volume.blockCount() != options.blockCount()) {
                throw new IllegalStateException("the volume holds " + volume.blockCount() + " blocks, the plan "
                        + options.blockCount());
            }
            Superblock made = Formatter.format(volume, options);
            if (writeLog) {
                Formatter.writeLogBlocks(volume, made.geometry());
            }
            volume.flush();
            VolumeMembers.writeLabels(UUID.randomUUID(), layout, stripeUnit, devices,
                    volume.blockCount());
            return made;
        } finally {
            if (volume != null) {
                volume.close();
            } else {
                devices.forEach(BlockDevice::close);
            }
            for (FileChannel channel : locks) {
                channel.close();
            }
        }
    }
}
