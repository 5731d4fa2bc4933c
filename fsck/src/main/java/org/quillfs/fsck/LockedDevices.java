package org.quillfs.fsck;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.VolumeLabel;
import org.quillfs.volume.VolumeMembers;

/**
 * The devices fsck checks, each opened once and (unless read-only) locked for the whole run: one
 * image or device, or every member of a volume. The lock is a POSIX record lock, which the
 * kernel drops when the process closes any descriptor of the file, so all I/O goes through these
 * channels ({@link ChannelDevice}) and closing this releases the locks.
 */
final class LockedDevices implements Closeable {

    private final List<FileChannel> channels = new ArrayList<>();

    /**
     * Opens (and locks) the devices of {@code members}.
     *
     * @throws UnreadableException naming the device, when one is in use by another process
     */
    static LockedDevices open(VolumeMembers members, boolean readOnly) throws IOException {
        LockedDevices devices = new LockedDevices();
        try {
            for (Path path : members.paths()) {
                FileChannel channel = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                        : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                devices.channels.add(channel);
                if (!readOnly && !tryLock(channel)) {
                    throw new UnreadableException(path + " is in use by another process (mounted?): not checked");
                }
            }
            return devices;
        } catch (IOException | RuntimeException e) {
            devices.close();
            throw e;
        }
    }

    /** What fsck checks: the one device, or the volume its members make. */
    FsckTarget target(VolumeMembers members) {
        if (!members.isVolume()) {
            return FsckTarget.of(channels.get(0), members.name());
        }
        List<BlockDevice> wholeMembers = new ArrayList<>();
        for (int m = 0; m < channels.size(); m++) {
            VolumeLabel label = members.labels().get(m);
            wholeMembers.add(new ChannelDevice(members.paths().get(m).toString(), channels.get(m), label.blockSize(),
                    label.memberBlocks()));
        }
        return FsckTarget.of(members.assemble(wholeMembers));
    }

    private static boolean tryLock(FileChannel channel) throws IOException {
        try {
            FileLock lock = channel.tryLock();
            return lock != null;
        } catch (OverlappingFileLockException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (FileChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
