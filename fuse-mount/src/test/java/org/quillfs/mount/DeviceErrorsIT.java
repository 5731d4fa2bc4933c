package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.volume.FileBlockDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mount and device errors (docs/MOUNT.md, "Logs"; docs/FILESYSTEM.md, "Device errors"): a
 * host that fills up under a mounted sparse image turns the mount read-only with one log line
 * and it keeps serving reads; an image whose superblock says ERRORS mounts with a warning that
 * suggests fsck, which clears the mark.
 */
class DeviceErrorsIT {

    @TempDir Path tmp;

    @Test
    void aHostWithNoRoomForTheLogTurnsTheMountReadOnlyAndItKeepsServingReads() throws Exception {
        MountedImage.requireFuse();
        Path host = Files.createDirectories(tmp.resolve("host"));
        MountedImage.run(List.of("mount", "-t", "tmpfs", "-o", "size=24m", "quillfs-it-host", host.toString()), tmp,
                Map.of()).assertSucceeded("mount -t tmpfs (as root)");
        // The daemon's log goes outside the tmpfs, which fills up. The image's log blocks are left
        // unwritten (mkfs writes them by default), so that the journal needs host space later.
        try (MountedImage fs = MountedImage.format(host, "full.img", "256M", "-E", "lazy_journal_init")
                .withLogsIn(tmp.resolve("logs"))) {
            fs.mountOrFail();
            String sum = MountedImage.bash(fs.mountPoint, """
                    head -c 1000000 /dev/urandom > kept
                    dd if=/dev/null of=kept conv=notrunc,fsync status=none
                    sha256sum kept
                    """).assertSucceeded("write kept").out();
            // Fill the host outside the image: the log's next blocks, never written, find no room.
            MountedImage.bash(tmp, "dd if=/dev/zero of=" + host.resolve("filler") + " bs=1M status=none || true");
            MountedImage.Result sync = MountedImage.bash(fs.mountPoint, """
                    for i in $(seq 1 50); do mkdir dir$i; done
                    dd if=/dev/null of=synced conv=fsync status=none
                    """);
            assertThat(sync.exitCode()).as("the fsync that cannot write the log fails").isNotZero();
            // EIO for the call whose log write failed; EROFS if the commit-interval force (an atime
            // the checksum's read changed, say) met the full host first and the filesystem had stopped.
            assertThat(sync.err()).containsAnyOf("Input/output error", "Read-only file system");
            assertThat(fs.log()).containsOnlyOnce("the filesystem is read-only now (errors=remount-ro)")
                    .contains("No space left on device").contains("run fsck.quillfs -f " + fs.image);
            MountedImage.Result touch = MountedImage.bash(fs.mountPoint, "touch new-file");
            assertThat(touch.err()).contains("Read-only file system");
            assertThat(MountedImage.bash(fs.mountPoint, "sha256sum kept").assertSucceeded("read kept").out())
                    .isEqualTo(sum);

            fs.unmount();
            assertThat(fs.log()).contains("without writing anything more");
            Files.delete(host.resolve("filler"));
            MountedImage.Result fsck = MountedImage.run(List.of(MountedImage.REPO.resolve("bin/fsck.quillfs").toString(),
                    "-fy", fs.image.toString()), tmp, Map.of());
            assertThat(fsck.exitCode()).as("fsck -fy: %s%s", fsck.out(), fsck.err()).isIn(0, 1);
            assertThat(fsck.out()).contains("the superblock says the filesystem has errors: check forced.");
            fs.mountOrFail();
            assertThat(MountedImage.bash(fs.mountPoint, "sha256sum kept").assertSucceeded("read kept").out())
                    .isEqualTo(sum);
            fs.unmount();
        } finally {
            MountedImage.run(List.of("umount", host.toString()), tmp, Map.of()).assertSucceeded("umount tmpfs");
        }
    }

    @Test
    void anImageWhoseSuperblockSaysErrorsMountsWithAWarningToRunFsck() throws Exception {
        try (MountedImage fs = MountedImage.format(tmp, "errors.img", "64M")) {
            markErrors(fs.image);
            fs.mountOrFail();
            assertThat(fs.log()).contains("mounting a filesystem with errors (the superblock says ERRORS): run "
                    + "fsck.quillfs -f " + fs.image);
            fs.unmount();
            MountedImage.Result fsck = MountedImage.run(List.of(MountedImage.REPO.resolve("bin/fsck.quillfs").toString(),
                    "-fy", fs.image.toString()), tmp, Map.of());
            assertThat(fsck.exitCode()).as("fsck -fy: %s%s", fsck.out(), fsck.err()).isZero();
            assertThat(fsck.out()).contains("check forced");
            MountedImage.Result again = MountedImage.run(List.of(MountedImage.REPO.resolve("bin/fsck.quillfs").toString(),
                    "-n", fs.image.toString()), tmp, Map.of());
            assertThat(again.out()).as("the mark is cleared: a clean image is skipped").contains("clean,");
        }
    }

    /** Sets ERRORS in the superblock of {@code image}, as a mount that turned read-only does. */
    private static void markErrors(Path image) {
        try (FileBlockDevice probe = FileBlockDevice.open(image, Limits.MIN_BLOCK_SIZE, false)) {
            ByteBuffer head = ByteBuffer.allocate(Limits.MIN_BLOCK_SIZE);
            probe.read(0, head);
            int blockSize = Superblock.decode(head.clear()).geometry().blockSize();
            try (FileBlockDevice device = FileBlockDevice.open(image, blockSize, true)) {
                ByteBuffer block = ByteBuffer.allocate(blockSize);
                device.read(0, block);
                Superblock sb = Superblock.decode(block.clear());
                Superblock.markErrors(block);
                BlockHeader.seal(block, sb.uuid());
                device.write(0, block.clear());
                device.flush();
            }
        } catch (RuntimeException e) {
            fail("cannot mark " + image + ": " + e);
        }
    }
}
