package org.quillfs.mkfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import org.quillfs.volume.FileBlockDevice;

/**
 * What mkfs formats: an image file (made or extended to SIZE when asked) or a block device.
 *
 * <p>Resolving checks everything that is the user's to fix (exit 16); {@link #prepare} does the
 * I/O that makes or extends an image, whose failures are operational (exit 8).
 */
final class Target {

    final Path path;
    /** Bytes to format. */
    final long bytes;
    private final boolean exists;
    private final long currentBytes;

    private Target(Path path, long bytes, boolean exists, long currentBytes) {
        this.path = path;
        this.bytes = bytes;
        this.exists = exists;
        this.currentBytes = currentBytes;
    }

    /**
     * @param requestedBytes the SIZE argument, or empty to use the whole file or device
     */
    static Target resolve(Path path, Optional<Long> requestedBytes) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !Files.exists(path)) {
            if (requestedBytes.isEmpty()) {
                throw new UsageException(path + " does not exist; give a SIZE (e.g. 1G) to create an image file");
            }
            Path parent = path.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw new UsageException("cannot create " + path + ": folder " + parent + " does not exist");
            }
            if (!Files.isWritable(parent)) {
                throw new UsageException("cannot create " + path + ": folder " + parent + " is not writable");
            }
            return new Target(path, requestedBytes.get(), false, 0);
        }
        BasicFileAttributes attributes = attributesOf(path);
        if (attributes.isDirectory()) {
            throw new UsageException(path + " is a directory; give an image file or a block device");
        }
        if (!Files.isWritable(path)) {
            throw new UsageException("cannot write " + path + ": permission denied");
        }
        long current = FileBlockDevice.sizeOf(path);
        if (attributes.isRegularFile()) {
            return new Target(path, requestedBytes.orElse(current), true, current);
        }
        // A device: its size is fixed.
        if (requestedBytes.isPresent() && requestedBytes.get() > current) {
            throw new UsageException("SIZE " + Sizes.human(requestedBytes.get()) + " is larger than " + path
                    + " (" + Sizes.human(current) + ")");
        }
        return new Target(path, requestedBytes.orElse(current), true, current);
    }

    boolean exists() {
        return exists;
    }

    /** Whether only the first {@link #bytes} of a longer file or device would be formatted. */
    boolean isPartOfTheFile() {
        return exists && bytes < currentBytes;
    }

    /** The first bytes of the target, to recognise a filesystem already there. */
    ByteBuffer head() throws IOException {
        ByteBuffer head = ByteBuffer.allocate((int) Math.min(ExistingFilesystem.PROBE_BYTES, currentBytes));
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            while (head.hasRemaining() && channel.read(head, head.position()) >= 0) {
                // read until full or end of file
            }
        }
        return head.flip();
    }

    /** Makes the image file, or extends it to {@link #bytes}, sparsely. */
    void prepare() throws IOException {
        if (exists && bytes <= currentBytes) {
            return;
        }
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            // Writing the last byte extends the file without allocating what lies before it.
            channel.write(ByteBuffer.allocate(1), bytes - 1);
        }
    }

    private static BasicFileAttributes attributesOf(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new UsageException("cannot read " + path + ": " + e.getMessage());
        }
    }
}
