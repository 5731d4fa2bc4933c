package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every refusal of mount.quillfs, through the real launcher: one line on stderr, nothing on
 * stdout, mount(8)'s exit code (1 incorrect invocation, 32 mount failure), nothing mounted.
 */
class RefusalsIT {

    @TempDir Path tmp;

    @BeforeEach
    void fuse() {
        MountedImage.requireFuse();
    }

    private static MountedImage.Result mountQuillfs(Path dir, String... args) {
        List<String> command = new java.util.ArrayList<>();
        command.add(MountedImage.REPO.resolve("bin/mount.quillfs").toString());
        command.addAll(List.of(args));
        return MountedImage.run(command, dir, Map.of("QUILLFS_LOG_DIR", dir.resolve("logs").toString()));
    }

    private static void assertRefused(MountedImage.Result r, int code, String message) {
        assertThat(r.err()).isEqualTo("mount.quillfs: " + message + "\n");
        assertThat(r.out()).isEmpty();
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(code);
    }

    @Test
    void missingImage() throws IOException {
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        assertRefused(mountQuillfs(tmp, tmp.resolve("none.img").toString(), mnt.toString()), 32,
                tmp.resolve("none.img") + ": no such image file or device");
    }

    @Test
    void imageThatIsNotQuillfs() throws IOException {
        Path image = tmp.resolve("zeros.img");
        try (var f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(16 << 20);
        }
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        MountedImage.Result r = mountQuillfs(tmp, image.toString(), mnt.toString());
        assertRefused(r, 32, "cannot mount " + image + ": " + image
                + " is not a quillfs filesystem (no quillfs superblock)");
        assertThat(MountTable.at(mnt)).isEmpty();
    }

    /**
     * Also: names with a comma, a space and (where the locale lets Java name such files at all)
     * a non-ASCII letter pass through every layer.
     */
    @Test
    void imageAlreadyMountedAndMkfsOfAMountedImage() throws IOException {
        String e = NativeNames.fileNameEncoding().equals(java.nio.charset.StandardCharsets.UTF_8) ? "é" : "e";
        try (MountedImage fs = MountedImage.format(tmp, "twice, " + e + ".img", "64M")) {
            fs.mountOrFail();
            assertThat(MountTable.at(fs.mountPoint).orElseThrow().source()).isEqualTo(fs.image.toString());
            Path other = Files.createDirectory(tmp.resolve("other " + e));
            assertRefused(mountQuillfs(tmp, fs.image.toString(), other.toString()), 32,
                    fs.image + " is already mounted on " + fs.mountPoint);

            MountedImage.Result mkfs = MountedImage.run(List.of(MountedImage.REPO.resolve("bin/mkfs.quillfs")
                    .toString(), "-q", "-F", fs.image.toString()), tmp, Map.of());
            assertThat(mkfs.err()).as("mkfs sees the mount's lock").contains("is in use");
            assertThat(mkfs.exitCode()).isEqualTo(8);
            fs.unmount();
        }
    }

    @Test
    void missingMountPointAndMountPointThatIsAFile() throws IOException {
        try (MountedImage fs = MountedImage.format(tmp, "mp.img", "64M")) {
            assertRefused(mountQuillfs(tmp, fs.image.toString(), tmp.resolve("nowhere").toString()), 32,
                    "mount point " + tmp.resolve("nowhere") + " does not exist");
            assertRefused(mountQuillfs(tmp, fs.image.toString(), fs.image.toString()), 32,
                    "mount point " + fs.image + " is not a directory");
        }
    }

    @Test
    void nonEmptyMountPointUnlessNonempty() throws IOException {
        try (MountedImage fs = MountedImage.format(tmp, "ne.img", "64M")) {
            Files.writeString(fs.mountPoint.resolve("already-here"), "x");
            assertRefused(mountQuillfs(tmp, fs.image.toString(), fs.mountPoint.toString()), 32,
                    "mount point " + fs.mountPoint + " is not empty (-o nonempty mounts over it)");
            fs.mountOrFail("-o", "nonempty");
            assertThat(Files.exists(fs.mountPoint.resolve("already-here"))).as("hidden under the mount").isFalse();
            fs.unmount();
            assertThat(Files.exists(fs.mountPoint.resolve("already-here"))).isTrue();
        }
    }

    @Test
    void unknownOptionAndOptionsThisQuillfsCannotHonour() throws IOException {
        try (MountedImage fs = MountedImage.format(tmp, "opt.img", "64M")) {
            String image = fs.image.toString();
            String mnt = fs.mountPoint.toString();
            assertRefused(mountQuillfs(tmp, "-o", "rw,bogus", image, mnt), 1,
                    "unknown mount option 'bogus' (see mount.quillfs --help)");
            assertRefused(mountQuillfs(tmp, "-o", "commit=later", image, mnt), 1,
                    "mount option 'commit=later' needs a whole number");
            assertRefused(mountQuillfs(tmp, "-o", "data=writeback", image, mnt), 32,
                    "data=writeback is not supported: quillfs writes file data in ordered or journal mode");
            assertRefused(mountQuillfs(tmp, "--frobnicate", image, mnt), 1,
                    "Unknown option: '--frobnicate' (see mount.quillfs --help)");
            assertThat(fs.isMounted()).isFalse();
        }
    }

    @Test
    void norecoveryOnAnImageThatNeedsRecovery() throws IOException {
        try (MountedImage fs = MountedImage.format(tmp, "dirty.img", "64M")) {
            fs.mountOrFail();
            MountedImage.bash(fs.mountPoint, "echo data > f && sync f").assertSucceeded("write");
            fs.killDaemon();
            String image = fs.image.toString();
            String mnt = fs.mountPoint.toString();
            assertRefused(mountQuillfs(tmp, "-o", "norecovery", image, mnt), 32, image
                    + " was not cleanly unmounted: its journal needs recovery, and norecovery is only allowed with ro");
            assertRefused(mountQuillfs(tmp, "-o", "ro,norecovery", image, mnt), 32, image
                    + " was not cleanly unmounted: this quillfs cannot mount it without replaying its journal; "
                    + "mount it without norecovery");
            fs.mountOrFail("-o", "ro");
            assertThat(fs.log()).contains("journal recovery replayed its log");
            assertThat(Files.readString(fs.mountPoint.resolve("f"))).isEqualTo("data\n");
            MountedImage.Result write = MountedImage.bash(fs.mountPoint, "touch g");
            assertThat(write.err()).contains("Read-only file system");
            fs.unmount();
            fs.mountOrFail("-o", "norecovery");
            assertThat(Files.readString(fs.mountPoint.resolve("f"))).isEqualTo("data\n");
            fs.unmount();
        }
    }
}
