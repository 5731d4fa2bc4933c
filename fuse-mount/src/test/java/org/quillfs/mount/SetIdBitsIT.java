package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Set-user-ID and set-group-ID on a real mount, against a local directory: what a write, a
 * truncate and an fallocate by an unprivileged user leave, what root's write and chown leave,
 * each looked at right after the change. The mount negotiates FUSE_HANDLE_KILLPRIV_V2, so the
 * filesystem clears the bits, and the kernel must not go on showing (or, for an exec, using) the
 * mode it cached before the change.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SetIdBitsIT {

    /**
     * Run as root in a directory; the unprivileged user (nobody) writes through descriptors the
     * root shell opened, so that it needs no search permission on the directories above.
     * {@code stat -c %a} asks the kernel for the mode only, which is what it answers from its
     * cache without asking the filesystem.
     */
    private static final String SCRIPT = """
            nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
            touch written truncated allocated rootwritten chowned
            chmod 6777 written truncated allocated rootwritten chowned
            nobody sh -c 'echo data >&3' 3>>written
            stat -c '%n %a' written
            nobody truncate -s 1 /dev/fd/3 3>>truncated
            stat -c '%n %a %s' truncated
            nobody fallocate -l 100000 /dev/fd/3 3>>allocated
            stat -c '%n %a %s' allocated
            echo data >> rootwritten
            stat -c '%n %a' rootwritten
            chown 42:43 chowned
            stat -c '%n %a %u %g' chowned
            """;

    private Path tmp;
    private MountedImage fs;

    @BeforeAll
    void mount(@TempDir Path dir) throws IOException {
        tmp = dir;
        fs = MountedImage.format(tmp, "setid.img", "256M");
        // allow_other: without it the kernel lets no other user than root into the mount at all
        fs.mountOrFail("-o", "allow_other");
    }

    @AfterAll
    void unmount() {
        MountedImage.unmountAndClose(fs);
    }

    @Test
    void theBitsChangeAsOnALocalDirectoryAndTheChangeShowsAtOnce() throws IOException {
        Path onMount = Files.createDirectory(fs.mountPoint.resolve("setid"));
        Path local = Files.createDirectories(tmp.resolve("local"));
        String there = MountedImage.bash(onMount, SCRIPT).assertSucceeded("script on the mount").out();
        String here = MountedImage.bash(local, SCRIPT).assertSucceeded("script on local disk").out();
        assertThat(there).isEqualTo(here).contains("written 777", "rootwritten 6777");
    }

    @Test
    void theMountNegotiatedThatTheFilesystemClearsTheBits() throws IOException {
        assertThat(fs.log()).contains("FUSE_HANDLE_KILLPRIV_V2");
    }
}
