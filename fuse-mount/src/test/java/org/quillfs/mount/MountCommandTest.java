package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line, in-process: everything that is refused before a mount is attempted. */
class MountCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir Path tmp;

    private int run(String... args) {
        CommandLine cmd = new CommandLine(new MountCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return MountCommand.run(cmd, args);
    }

    private String errLine() {
        return err.toString().strip();
    }

    @Test
    void helpListsTheOptionsAndExitCodes() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("Usage: mount.quillfs", "commit=SECONDS", "norecovery", "Exit codes",
                "32");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void missingArgumentsAreAnIncorrectInvocation() {
        assertThat(run("only-one")).isEqualTo(1);
        assertThat(errLine()).startsWith("mount.quillfs: Missing required parameter: 'MOUNTPOINT'");
    }

    @Test
    void unknownCommandLineOptionIsAnIncorrectInvocation() {
        assertThat(run("-x", "a", "b")).isEqualTo(1);
        assertThat(errLine()).startsWith("mount.quillfs: Unknown option: '-x'");
    }

    @Test
    void unknownMountOptionIsRefusedBeforeAnythingIsOpened() {
        assertThat(run("-o", "rw,frobnicate", "/nonexistent.img", "/nonexistent")).isEqualTo(1);
        assertThat(errLine()).isEqualTo("mount.quillfs: unknown mount option 'frobnicate' (see mount.quillfs --help)");
    }

    @Test
    void otherFilesystemTypesAreRefused() {
        assertThat(run("-t", "ext4", "a", "b")).isEqualTo(1);
        assertThat(errLine()).isEqualTo("mount.quillfs: -t ext4: this helper mounts quillfs (or fuse.quillfs) only");
    }

    @Test
    void missingImageIsAMountFailure() {
        assertThat(run(tmp.resolve("none.img").toString(), tmp.toString())).isEqualTo(32);
        assertThat(errLine()).isEqualTo("mount.quillfs: " + tmp.resolve("none.img") + ": no such image file or device");
    }

    @Test
    void missingMountPointIsAMountFailure() throws IOException {
        Path image = Files.createFile(tmp.resolve("a.img"));
        assertThat(run(image.toString(), tmp.resolve("mnt").toString())).isEqualTo(32);
        assertThat(errLine()).isEqualTo("mount.quillfs: mount point " + tmp.resolve("mnt") + " does not exist");
    }

    @Test
    void mountPointThatIsAFileIsAMountFailure() throws IOException {
        Path image = Files.createFile(tmp.resolve("a.img"));
        assertThat(run(image.toString(), image.toString())).isEqualTo(32);
        assertThat(errLine()).isEqualTo("mount.quillfs: mount point " + image + " is not a directory");
    }

    @Test
    void nonEmptyMountPointIsAMountFailureUnlessAllowed() throws IOException {
        Path image = Files.createFile(tmp.resolve("a.img"));
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        Files.createFile(mnt.resolve("x"));
        assertThat(run(image.toString(), mnt.toString())).isEqualTo(32);
        assertThat(errLine()).isEqualTo("mount.quillfs: mount point " + mnt
                + " is not empty (-o nonempty mounts over it)");
    }

    @Test
    void namespacesAreNotSupported() {
        assertThat(run("-N", "1234", "a", "b")).isEqualTo(1);
        assertThat(errLine()).isEqualTo("mount.quillfs: -N (another mount namespace) is not supported");
    }
}
