package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code make install} puts the helpers where mount(8) looks, and then {@code mount -t quillfs},
 * {@code mount -t fuse.quillfs} and an fstab line all mount an image. The installed tree is
 * made under a DESTDIR and shown to mount(8) in a private mount namespace (bind mounts over
 * /usr/local and /usr/sbin), so the machine's own directories are never touched.
 */
class FrontEndsIT {

    private static final Pattern DAEMON = Pattern.compile("daemon pid (\\d+)");

    @TempDir Path tmp;

    @Test
    void makeInstallThenMountTypeQuillfsTypeFuseQuillfsAndFstab() throws Exception {
        MountedImage.requireFuse();
        Path root = tmp.resolve("root");
        MountedImage.run(List.of("make", "-C", MountedImage.REPO.toString(), "-o", "build", "install",
                "DESTDIR=" + root, "PREFIX=/usr/local"), tmp, Map.of()).assertSucceeded("make install");
        for (String launcher : List.of("mount.quillfs", "mkfs.quillfs", "fsck.quillfs", "quillfs", "quillfs-launch")) {
            assertThat(root.resolve("usr/local/sbin").resolve(launcher)).isExecutable();
        }
        assertThat(root.resolve("usr/local/lib/quillfs/quillfs-fuse-mount.jar")).isRegularFile();
        for (String helper : List.of("mount.quillfs", "mount.fuse.quillfs")) {
            assertThat(Files.readSymbolicLink(root.resolve("sbin").resolve(helper)))
                    .as("/sbin/%s, where mount(8) looks", helper).isEqualTo(Path.of("/usr/local/sbin/mount.quillfs"));
        }

        // What /usr/sbin looks like on a machine where this was installed.
        Path sbin = Files.createDirectory(tmp.resolve("sbin"));
        try (var entries = Files.list(Path.of("/usr/sbin"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                Files.createSymbolicLink(sbin.resolve(entry.getFileName()), entry);
            }
        }
        for (String helper : List.of("mount.quillfs", "mount.fuse.quillfs")) {
            Files.deleteIfExists(sbin.resolve(helper));
            Files.createSymbolicLink(sbin.resolve(helper), Path.of("/usr/local/sbin/mount.quillfs"));
        }

        try (MountedImage fs = MountedImage.format(tmp, "front.img", "64M")) {
            Path fstab = tmp.resolve("fstab");
            Files.writeString(fstab, fs.image + " " + fs.mountPoint + " quillfs defaults,noatime,nofail 0 0\n");
            String script = String.join("\n",
                    "set -u",
                    "mount --bind " + root.resolve("usr/local") + " /usr/local",
                    "mount --bind " + sbin + " /usr/sbin",
                    "export QUILLFS_LOG_DIR=" + fs.logDir,
                    "step() { echo \"== $1\"; shift; \"$@\" </dev/null; echo \"exit $?\"; "
                            + "findmnt -n -r -o SOURCE,FSTYPE,OPTIONS " + fs.mountPoint + " | cut -d, -f1-4; "
                            + "ls " + fs.mountPoint + "; umount " + fs.mountPoint + "; }",
                    "step type-quillfs mount -v -t quillfs " + fs.image + " " + fs.mountPoint,
                    "step type-fuse.quillfs mount -v -t fuse.quillfs " + fs.image + " " + fs.mountPoint,
                    "step fstab mount -v -T " + fstab + " " + fs.mountPoint);
            MountedImage.Result r = MountedImage.run(List.of("unshare", "--mount", "--propagation", "private",
                    "bash", "-c", script), tmp, Map.of());
            try {
                String source = fs.image + " fuse.quillfs ";
                assertThat(r.out().lines().filter(l -> !l.startsWith("mount.quillfs: mounted")).toList())
                        .as("stderr: %s", r.err()).containsExactly(
                                "== type-quillfs", "exit 0", source + "rw,nosuid,nodev,relatime", "lost+found",
                                "== type-fuse.quillfs", "exit 0", source + "rw,nosuid,nodev,relatime", "lost+found",
                                "== fstab", "exit 0", source + "rw,nosuid,nodev,noatime", "lost+found");
                assertThat(r.exitCode()).as("stderr: %s", r.err()).isZero();
            } finally {
                stopDaemons(r.out());
            }
        }
    }

    /** The daemons the script started (mount -v names them), if any is still running. */
    private static void stopDaemons(String out) {
        Matcher m = DAEMON.matcher(out);
        List<ProcessHandle> left = new ArrayList<>();
        while (m.find()) {
            ProcessHandle.of(Long.parseLong(m.group(1))).ifPresent(left::add);
        }
        for (ProcessHandle daemon : left) {
            try {
                daemon.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                daemon.destroyForcibly();
            }
        }
    }
}
