package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the daemon in the middle of a workload, fusermount -u, mount again: recovery runs,
 * and everything that was fsync'd before the kill is there, byte for byte.
 */
class CrashIT {

    private static final long WORKLOAD_MS = 4000;

    @TempDir Path tmp;

    @Test
    void everythingFsyncedBeforeKillMinus9SurvivesRecovery() throws Exception {
        try (MountedImage fs = MountedImage.format(tmp, "crash.img", "1G")) {
            fs.mountOrFail();
            Path mnt = fs.mountPoint;
            Path synced = Files.createDirectory(mnt.resolve("synced"));
            Map<String, String> durable = new ConcurrentHashMap<>();
            AtomicLong durableVersion = new AtomicLong(-1);
            AtomicBoolean stop = new AtomicBoolean();

            Process noise = new ProcessBuilder("bash", "-c", "i=0; while true; do i=$((i+1)); "
                    + "cp -a " + RealTree.pick() + " noise$i 2>/dev/null || exit 0; "
                    + "rm -rf noise$((i-1)) 2>/dev/null || exit 0; done")
                    .directory(mnt.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            Thread files = new Thread(() -> writeFsyncedFiles(synced, durable, stop), "fsynced-files");
            Thread replace = new Thread(() -> replaceAtomically(mnt, durableVersion, stop), "atomic-replace");
            try {
                files.start();
                replace.start();
                Thread.sleep(WORKLOAD_MS);
                fs.killDaemon();
            } finally {
                stop.set(true);
                files.join(TimeUnit.SECONDS.toMillis(60));
                replace.join(TimeUnit.SECONDS.toMillis(60));
                noise.descendants().forEach(ProcessHandle::destroyForcibly);
                noise.destroyForcibly().waitFor();
            }
            assertThat(durable).as("files fsync'd before the kill").hasSizeGreaterThan(20);
            assertThat(durableVersion.get()).as("atomic replacements made durable").isPositive();

            fs.mountOrFail();
            assertThat(fs.log()).contains("journal recovery replayed its log");
            for (Map.Entry<String, String> e : durable.entrySet()) {
                Path file = synced.resolve(e.getKey());
                assertThat(file).as("fsync'd file %s", e.getKey()).exists();
                assertThat(sha256(Files.readAllBytes(file))).as("contents of fsync'd file %s", e.getKey())
                        .isEqualTo(e.getValue());
            }
            String state = Files.readString(mnt.resolve("state"), StandardCharsets.UTF_8);
            assertThat(state).as("a file replaced by rename is whole").matches("version \\d+ (x{1000})\n");
            assertThat(Long.parseLong(state.split(" ")[1])).as("the replacement is at least the last durable one")
                    .isGreaterThanOrEqualTo(durableVersion.get());

            fs.unmount();
            MountedImage.run(List.of(MountedImage.REPO.resolve("bin/quillfs").toString(), "inspect",
                    fs.image.toString()), tmp, Map.of()).assertSucceeded("quillfs inspect after recovery");
        }
    }

    /** New files of random sizes, each fsync'd; a file counts once its fsync returned. */
    private static void writeFsyncedFiles(Path dir, Map<String, String> durable, AtomicBoolean stop) {
        Random random = new Random(42);
        for (int i = 0; !stop.get(); i++) {
            byte[] data = new byte[random.nextInt(300_000) + 1];
            random.nextBytes(data);
            String name = String.format("f%05d", i);
            try (FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
                durable.put(name, sha256(data));
            } catch (IOException e) {
                return; // the daemon is gone
            }
        }
    }

    /** write tmp, fsync, rename over "state", fsync the directory: the classic atomic replace. */
    private static void replaceAtomically(Path dir, AtomicLong durableVersion, AtomicBoolean stop) {
        for (long v = 0; !stop.get(); v++) {
            Path tmp = dir.resolve("state.tmp");
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    ch.write(ByteBuffer.wrap(("version " + v + " " + "x".repeat(1000) + "\n")
                            .getBytes(StandardCharsets.UTF_8)));
                    ch.force(true);
                }
                Files.move(tmp, dir.resolve("state"), StandardCopyOption.ATOMIC_MOVE);
                try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                    d.force(true);
                }
                durableVersion.set(v);
            } catch (IOException e) {
                return;
            }
        }
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
