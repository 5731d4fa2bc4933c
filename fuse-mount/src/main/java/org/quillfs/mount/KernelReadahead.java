package org.quillfs.mount;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * Sets how far the kernel reads ahead in the files of this mount: the {@code read_ahead_kb}
 * of the mount's backing device, {@code /sys/class/bdi/MAJOR:MINOR/} (gcsfuse's
 * {@code --max-read-ahead-kb} does the same).
 *
 * <p>Why: libfuse 2 cannot ask for more than the kernel's default 128 KiB in its INIT reply, and
 * a FUSE read request is at most 128 KiB too, so a sequential read reached the daemon as one
 * request at a time, each waiting for the one before: the device's speed never mattered, the
 * round trip did. With 1 MiB of readahead the kernel has up to eight requests out at once, and
 * the workers serve them together (docs/MOUNT.md, "Readahead").
 *
 * <p>Writing the file needs root; without it the kernel's 128 KiB stays, and a line in the
 * log says so — a slower mount, not a failed one.
 */
final class KernelReadahead {

    private static final Path BDI = Path.of("/sys/class/bdi");

    private KernelReadahead() {
    }

    /**
     * Sets the readahead of the mount at {@code mountPoint} to {@code kib} KiB. Call it once the
     * daemon serves requests: it first asks the mount for its root's attributes.
     *
     * @return what went wrong, empty when it was set
     */
    static Optional<String> set(Path mountPoint, long kib) {
        try {
            // The kernel sets the readahead from the INIT reply, which the daemon sends after its
            // init callback has run: a value written before would be overwritten. A request
            // waits until the reply is in, so once this stat returns, the next write sticks.
            Files.readAttributes(mountPoint, BasicFileAttributes.class);
            Optional<MountTable.Mount> mount = MountTable.at(mountPoint);
            if (mount.isEmpty()) {
                return Optional.of(mountPoint + " is not in " + MountTable.MOUNTINFO);
            }
            Files.writeString(BDI.resolve(mount.get().device()).resolve("read_ahead_kb"), Long.toString(kib));
            return Optional.empty();
        } catch (IOException | UncheckedIOException | SecurityException e) {
            return Optional.of(e.toString());
        }
    }
}
