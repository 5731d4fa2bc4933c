package org.quillfs.mount;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * What is mounted where: the image (its real path, which is also the source /proc/mounts shows)
 * and the mount point, checked as mount(8) would before anything is opened.
 */
record MountTarget(Path image, Path mountPoint) {

    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    /**
     * Checks that {@code image} is an image file or block device this process may read and
     * write, that it is not mounted already, and that {@code mountPoint} is a directory, empty
     * unless {@code nonEmpty}.
     *
     * @throws MountException 32 for each refusal, 1 for a permission problem
     */
    static MountTarget check(String image, String mountPoint, boolean nonEmpty) {
        Path img = Path.of(image);
        if (!Files.exists(img)) {
            throw new MountException(MountCommand.EXIT_FAILURE, image + ": no such image file or device");
        }
        Path realImage = realPath(img);
        if (!Files.isRegularFile(realImage) && !isBlockDevice(realImage)) {
            throw new MountException(MountCommand.EXIT_FAILURE, image + " is not an image file or a block device");
        }
        if (!Files.isReadable(realImage) || !Files.isWritable(realImage)) {
            throw new MountException(MountCommand.EXIT_USAGE, image
                    + ": permission denied (mounting needs to read and write it, even read-only: journal recovery)");
        }
        Path mp = Path.of(mountPoint);
        if (!Files.exists(mp)) {
            throw new MountException(MountCommand.EXIT_FAILURE, "mount point " + mountPoint + " does not exist");
        }
        if (!Files.isDirectory(mp)) {
            throw new MountException(MountCommand.EXIT_FAILURE, "mount point " + mountPoint + " is not a directory");
        }
        Path realMountPoint = realPath(mp);
        List<MountTable.Mount> mounted = MountTable.quillfsMountsOf(realImage);
        if (!mounted.isEmpty()) {
            throw new MountException(MountCommand.EXIT_FAILURE, image + " is already mounted on "
                    + mounted.get(0).mountPoint());
        }
        if (!nonEmpty && !isEmpty(realMountPoint)) {
            throw new MountException(MountCommand.EXIT_FAILURE, "mount point " + mountPoint
                    + " is not empty (-o nonempty mounts over it)");
        }
        return new MountTarget(realImage, realMountPoint);
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (AccessDeniedException e) {
            throw new MountException(MountCommand.EXIT_USAGE, p + ": permission denied");
        } catch (IOException e) {
            throw new MountException(MountCommand.EXIT_FAILURE, "cannot resolve " + p + ": " + e.getMessage());
        }
    }

    private static boolean isBlockDevice(Path p) {
        try {
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFBLK;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static boolean isEmpty(Path dir) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        } catch (AccessDeniedException e) {
            throw new MountException(MountCommand.EXIT_USAGE, "mount point " + dir + ": permission denied");
        } catch (IOException e) {
            throw new MountException(MountCommand.EXIT_FAILURE, "cannot read mount point " + dir + ": " + e.getMessage());
        }
    }
}
