package org.quillfs.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real launchers in {@code bin/} against the jars this build just packaged. Maven runs
 * it in the integration-test phase, after mkfs, fsck and fuse-mount were packaged.
 */
class LaunchersIT {

    private static final Path REPO = Path.of(System.getProperty("quillfs.repo", "..")).toAbsolutePath().normalize();

    private static final long TIMEOUT_SECONDS = 60;

    @TempDir Path tmp;

    private record Result(int exitCode, String out, String err) {}

    private Result run(Path launcher, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process process =
                new ProcessBuilder(command)
                        .directory(tmp.toFile())
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
        process.getOutputStream().close();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(command + " did not finish in " + TIMEOUT_SECONDS + " s");
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Result run(String launcher, String... args) throws IOException, InterruptedException {
        return run(REPO.resolve("bin").resolve(launcher), args);
    }

    @Test
    void fsckChecksAnImageMadeByMkfs() throws Exception {
        Result mkfs = run("mkfs.quillfs", "-q", "img", "16M");
        assertThat(mkfs.exitCode()).as("mkfs; stderr: %s", mkfs.err()).isZero();
        Result clean = run("fsck.quillfs", "-n", "img");
        assertThat(clean.exitCode()).as("exit code; stderr: %s", clean.err()).isZero();
        assertThat(clean.out()).isEqualTo("img: clean, 16/1035 files, 330/4096 blocks\n");
        Result forced = run("fsck.quillfs", "-fy", "img");
        assertThat(forced.exitCode()).as("exit code; stderr: %s", forced.err()).isZero();
        assertThat(forced.out()).contains("Pass 5: Checking group summary information");
    }

    @Test
    void fsckSaysWhatIsWrongInOneLine() throws Exception {
        Result missing = run("fsck.quillfs", "-n", "x");
        assertThat(missing.err()).isEqualTo("fsck.quillfs: x does not exist\n");
        assertThat(missing.exitCode()).isEqualTo(8);
        Result usage = run("fsck.quillfs", "-n", "-y", "x");
        assertThat(usage.exitCode()).isEqualTo(16);
    }

    @Test
    void mountRefusesAMissingImage() throws Exception {
        Result r = run("mount.quillfs", "a", "b");
        assertThat(r.err()).isEqualTo("mount.quillfs: a: no such image file or device\n");
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(32);
    }

    @Test
    void mkfsPrintsHelp() throws Exception {
        Result r = run("mkfs.quillfs", "--help");
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isZero();
        assertThat(r.out()).contains("Usage");
    }

    @Test
    void quillfsPrintsHelp() throws Exception {
        Result r = run("quillfs", "--help");
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isZero();
        assertThat(r.out()).contains("Usage");
    }

    @Test
    void installedLayoutUsesTheJarInLib() throws Exception {
        Path sbin = copyLaunchers(tmp.resolve("prefix"), "sbin", "fsck.quillfs");
        Path lib = Files.createDirectories(tmp.resolve("prefix/lib/quillfs"));
        Files.copy(REPO.resolve("fsck/target/quillfs-fsck.jar"), lib.resolve("quillfs-fsck.jar"));

        Result r = run(sbin.resolve("fsck.quillfs"), "-n", "x");
        assertThat(r.err()).isEqualTo("fsck.quillfs: x does not exist\n");
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(8);
    }

    @Test
    void saysSoWhenNothingIsBuilt() throws Exception {
        Path bin = copyLaunchers(tmp.resolve("tree"), "bin", "fsck.quillfs");

        Result r = run(bin.resolve("fsck.quillfs"), "x");
        Path tree = tmp.resolve("tree").toRealPath();
        assertThat(r.err()).isEqualTo("fsck.quillfs: not built yet: run 'make build' in " + tree + "\n");
        assertThat(r.exitCode()).as("exit code; stderr: %s", r.err()).isEqualTo(8);
    }

    /** Copies quillfs-launch and the given launchers into root/dir, keeping them executable. */
    private static Path copyLaunchers(Path root, String dir, String... launchers)
            throws IOException {
        Path target = Files.createDirectories(root.resolve(dir));
        List<String> names = new ArrayList<>(List.of(launchers));
        names.add("quillfs-launch");
        for (String name : names) {
            Path copy =
                    Files.copy(
                            REPO.resolve("bin").resolve(name),
                            target.resolve(name),
                            StandardCopyOption.COPY_ATTRIBUTES);
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return target;
    }
}
