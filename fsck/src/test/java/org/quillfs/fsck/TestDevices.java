package org.quillfs.fsck;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.Layout;
import org.quillfs.volume.MemoryBlockDevice;
import org.quillfs.volume.VolumeMembers;

/**
 * What fsck's tests make their filesystems on: one device, or a volume striped over two member
 * devices, labelled as mkfs labels them. A test takes this as its parameter, so that the same
 * checks run on both.
 */
enum TestDevices {
    SINGLE,
    STRIPE2;

    /** Stripe unit of {@link #STRIPE2}, in blocks: small, so that even small requests are split. */
    static final int STRIPE_UNIT = 4;

    /** A device, of at most {@code bytes}, as the filesystem sees it, and the memory devices it is made of. */
    record Made(BlockDevice device, List<MemoryBlockDevice> wholeDevices) {

        /**
         * Saves the devices to files named after {@code base} in its folder: the image, or one
         * file per member. Returns them, in member order.
         */
        List<Path> save(Path base) throws IOException {
            List<Path> files = new ArrayList<>();
            for (int m = 0; m < wholeDevices.size(); m++) {
                Path file = wholeDevices.size() == 1 ? base : base.resolveSibling(base.getFileName() + "." + m);
                TestImages.save(wholeDevices.get(m), file);
                files.add(file);
            }
            return files;
        }
    }

    /** A fresh, zeroed device of this kind, holding at most {@code bytes}. */
    Made make(int blockSize, long bytes) {
        if (this == SINGLE) {
            MemoryBlockDevice device = new MemoryBlockDevice("test", blockSize, bytes / blockSize);
            return new Made(device, List.of(device));
        }
        List<MemoryBlockDevice> members = List.of(new MemoryBlockDevice("member0", blockSize, bytes / 2 / blockSize),
                new MemoryBlockDevice("member1", blockSize, bytes / 2 / blockSize));
        List<BlockDevice> whole = List.copyOf(members);
        BlockDevice volume = VolumeMembers.compose("stripe2", Layout.STRIPE, STRIPE_UNIT, whole);
        VolumeMembers.writeLabels(UUID.nameUUIDFromBytes(new byte[] {2}), Layout.STRIPE, STRIPE_UNIT, whole,
                volume.blockCount());
        return new Made(volume, members);
    }

    /** Every block of the filesystem in {@code files} (an image, or a volume's members), as one array. */
    static byte[] readAll(List<Path> files) throws IOException {
        VolumeMembers members = VolumeMembers.probe(files);
        if (!members.isVolume()) {
            return Files.readAllBytes(files.get(0));
        }
        try (BlockDevice volume = members.open(false)) {
            ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(volume.blockCount() * volume.blockSize()));
            volume.read(0, all);
            return all.array();
        }
    }

    /** The files as fsck.quillfs takes them: comma-separated. */
    static String argument(List<Path> files) {
        return String.join(",", files.stream().map(Path::toString).toList());
    }
}
