package org.quillfs.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands as a user runs them: the launchers in bin/, mkfs(8) and fsck(8) finding them
 * through PATH, and a real block device (a loop device: needs root, so under CI=true it must run).
 */
class CommandsIT {

    private static final Path REPO = Path.of(System.getProperty("quillfs.repo", "..")).toAbsolutePath().normalize();
    private static final Path BIN = REPO.resolve("bin");

    @TempDir
    Path tmp;

    record Result(int exitCode, String out, String err) {
    }

    static Result run(String... command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("quillfs-it", ".out");
        Path err = Files.createTempFile("quillfs-it", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            Map<String, String> env = builder.environment();
            env.put("PATH", BIN + ":" + env.getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
            Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(List.of(command) + " did not finish in 60 s");
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void mkfsThenInspectThroughTheLaunchers() throws Exception {
        Path image = tmp.resolve("quillfs.img");
        Result mkfs = run(BIN.resolve("mkfs.quillfs").toString(), "-L", "it", image.toString(), "1G");
        assertThat(mkfs.exitCode()).as(mkfs.err()).isZero();
        assertThat(Files.size(image)).isEqualTo(1L << 30);

        Result inspect = run(BIN.resolve("quillfs").toString(), "inspect", "--json", image.toString());
        assertThat(inspect.exitCode()).as(inspect.err()).isZero();
        JsonObject sb = JsonParser.parseString(inspect.out()).getAsJsonObject().getAsJsonObject("superblock");
        assertThat(sb.get("label").getAsString()).isEqualTo("it");
        assertThat(sb.get("blocks").getAsLong()).isEqualTo((1L << 30) / 4096);
        // (262144 blocks - superblock, descriptor table, 4096-block journal) / 32512 per group
        assertThat(sb.get("groups").getAsInt()).isEqualTo(8);
    }

    @Test
    void mkfsDashTFindsMkfsQuillfs() throws Exception {
        Path image = tmp.resolve("via-mkfs.img");
        Result mkfs = run("mkfs", "-t", "quillfs", "-q", image.toString(), "16M");
        assertThat(mkfs.exitCode()).as(mkfs.err()).isZero();
        Result inspect = run(BIN.resolve("quillfs").toString(), "inspect", image.toString(), "superblock");
        assertThat(inspect.exitCode()).as(inspect.err()).isZero();
        assertThat(inspect.out()).contains("blocks: 4096");
    }

    @Test
    void fsckDashTFindsFsckQuillfs() throws Exception {
        Path image = tmp.resolve("checked.img");
        Result mkfs = run(BIN.resolve("mkfs.quillfs").toString(), "-q", image.toString(), "16M");
        assertThat(mkfs.exitCode()).as(mkfs.err()).isZero();
        Result fsck = run("fsck", "-t", "quillfs", "-n", image.toString());
        assertThat(fsck.exitCode()).as(fsck.err()).isZero();
        assertThat(fsck.out()).contains(image + ": clean");
        Result forced = run("fsck", "-t", "quillfs", "-f", "-y", image.toString());
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(forced.out()).contains("Pass 1: Checking inodes, blocks, and sizes");
    }

    @Test
    void formatsARealBlockDevice() throws Exception {
        Path backing = tmp.resolve("backing.img");
        try (RandomAccessFile file = new RandomAccessFile(backing.toFile(), "rw")) {
            file.setLength(64L << 20);
        }
        Result attach = run("losetup", "--find", "--show", backing.toString());
        boolean ci = "true".equals(System.getenv("CI"));
        if (!ci) {
            Assumptions.assumeTrue(attach.exitCode() == 0, "no loop device here (not root?): " + attach.err());
        }
        assertThat(attach.exitCode()).as("losetup: %s", attach.err()).isZero();
        String device = attach.out().strip();
        try {
            Result mkfs = run(BIN.resolve("mkfs.quillfs").toString(), "-q", "-b", "1024", device);
            assertThat(mkfs.exitCode()).as(mkfs.err()).isZero();
            Result again = run(BIN.resolve("mkfs.quillfs").toString(), device);
            assertThat(again.exitCode()).isEqualTo(16);
            assertThat(again.err()).contains(device + " already holds a quillfs filesystem");

            Result inspect = run(BIN.resolve("quillfs").toString(), "inspect", device, "superblock");
            assertThat(inspect.exitCode()).as(inspect.err()).isZero();
            assertThat(inspect.out()).contains("block size: 1024").contains("blocks: " + (64L << 20) / 1024);
        } finally {
            List<String> detach = new ArrayList<>(List.of("losetup", "-d", device));
            run(detach.toArray(String[]::new));
        }
    }
}
