package org.quillfs.mount;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.quillfs.volume.VolumeAssemblyException;
import org.quillfs.volume.VolumeMembers;

/**
 * What is mounted where: the image, or every member of a volume in member order (their real
 * paths, joined by commas, are the source /proc/mounts shows), and the mount point, checked as
 * mount(8) would before anything is opened.
 */
record MountTarget(VolumeMembers devices, Path mountPoint) {

    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    /** What to call the image: its real path, or for a volume its members' real paths joined by commas. */
    String image() {
        return devices.name();
    }

    /** The image, or the first member of the volume. */
    Path first() {
        return devices.paths().get(0);
    }

    /**
     * Checks that each of {@code images} is an image file or block device this process may read
     * and write, that it is not mounted already, that together they are one image or one whole
     * volume ({@link VolumeMembers}), and that {@code mountPoint} is a directory, empty unless
     * {@code nonEmpty}.
     *
     * @throws MountException 32 for each refusal, 1 for a permission problem
     */
    static MountTarget check(List<String> images, String mountPoint, boolean nonEmpty) {
        List<Path> devices = new ArrayList<>();
        for (String image : images) {
            devices.add(checkDevice(image));
        }
        VolumeMembers members;
        try {
            members = VolumeMembers.probe(devices);
        } catch (VolumeAssemblyException e) {
            throw new MountException(MountCommand.EXIT_FAILURE, e.getMessage());
        }
        Path mp = Path.of(mountPoint);
        if (!Files.exists(mp)) {
            throw new MountException(MountCommand.EXIT_FAILURE, "mount point " + mountPoint + " does not exist");
        }
        if (!Files.isDirectory(mp)) {
            throw new MountException(MountCommand.EXIT_FAILURE, "mount point " + mountPoint + " is not a directory");
        }
        Path realMountPoint = realPath(mp);
        if (!nonEmpty && !isEmpty(realMountPoint)) {
            throw new MountException(MountCommand.EXIT_FAILURE, "mount point " + mountPoint
                    + " is not empty (-o nonempty mounts over it)");
        }
        return new MountTarget(members, realMountPoint);
    }

    /** The real path of {@code image}, checked: an image or block device, readable, writable, not mounted. */
    private static Path checkDevice(String image) {
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
        List<MountTable.Mount> mounted = MountTable.quillfsMountsOf(realImage);
        if (!mounted.isEmpty()) {
            throw new MountException(MountCommand.EXIT_FAILURE, image + " is already mounted on "
                    + mounted.get(0).mountPoint());
        }
        return realImage;
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
