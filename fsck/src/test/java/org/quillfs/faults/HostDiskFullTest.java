package org.quillfs.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.quillfs.fs.TestFileSystems.errnoOf;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.Formatter;
import org.quillfs.format.TestFormats;
import org.quillfs.fs.Caller;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.FsOptions;
import org.quillfs.fs.OpenFile;
import org.quillfs.fs.OpenFlags;
import org.quillfs.fsck.FsckOnDevice;
import org.quillfs.volume.FileBlockDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The host filesystem fills up under a sparse image (docs/TESTING.md, "Faults"): a 64 MiB image
 * on an 8 MiB tmpfs, filled through the facade until the host has no room left. The failing
 * write gets ENOSPC (EIO if it was metadata that found no room) with the host's "No space left
 * on device" in its message, and the filesystem stays consistent. Then the host's last pages
 * are taken outside the image, so the log's next block finds none either: the sync gets EIO and
 * the filesystem turns read-only, refusing changes and serving reads. Once space is freed, a new
 * mount finds every fsync'd file and fsck finds the image clean.
 *
 * <p>Runs as root (it mounts a tmpfs, always unmounted after); under {@code CI=true} it never
 * skips.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HostDiskFullTest {

    private static final Caller CALLER = new Caller(1000, 1000);
    private static final int BLOCK = 4096;
    private static final long IMAGE_BYTES = 64L << 20;

    private Path host;
    private boolean mounted;

    @BeforeEach
    void mountSmallTmpfs() throws Exception {
        host = Files.createTempDirectory("quillfs-host-full");
        Result r = run("mount", "-t", "tmpfs", "-o", "size=8m", "quillfs-host-full", host.toString());
        if (r.code != 0) {
            String why = "cannot mount a tmpfs (root is needed): " + r.output;
            if ("true".equals(System.getenv("CI"))) {
                fail("the host-disk-full test cannot run under CI: " + why);
            }
            Assumptions.abort(why);
        }
        mounted = true;
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            Result r = run("umount", host.toString());
            assertThat(r.code).as("umount %s: %s", host, r.output).isZero();
        }
        Files.deleteIfExists(host);
    }

    @Test
    void aHostWithoutRoomFailsTheOperationCleanlyAndLosesNothingDurable() throws Exception {
        Path image = host.resolve("sparse.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(IMAGE_BYTES);
        }
        try (FileBlockDevice device = FileBlockDevice.open(image, BLOCK, true)) {
            Formatter.format(device, TestFormats.options(BLOCK, IMAGE_BYTES));
        }
        Map<String, byte[]> durable = new LinkedHashMap<>();
        FileSystem fs = FileSystem.open(image, FsOptions.defaults());
        FsException full = null;
        try {
            for (int i = 0; i < 64 && full == null; i++) {
                String name = "file-" + i;
                byte[] content = pattern(i, 512 * 1024);
                try {
                    writeFile(fs, name, content);
                    durable.put(name, content);
                } catch (FsException e) {
                    full = e;
                }
            }
            assertThat(full).as("the 8 MiB host filled up under a 64 MiB image").isNotNull();
            System.out.printf("host disk full: %d files fsync'd, then %s; the filesystem %s%n", durable.size(),
                    full.getMessage(), fs.failure().isPresent() ? "turned read-only" : "stayed writable");
            assertThat(full.errno()).isIn(Errno.ENOSPC, Errno.EIO);
            assertThat(full.getMessage()).contains("No space left on device").doesNotContain("\n");
            boolean stoppedByData = fs.failure().isPresent();
            if (!stoppedByData) {
                // Only a data write found no room, and the filesystem stayed writable. Take the
                // host's last pages (outside the image): then the log's next block finds none.
                fillUp(host.resolve("filler"));
                FileSystem writable = fs;
                FsException logFull = null;
                for (int i = 0; i < 100 && logFull == null; i++) {
                    try {
                        writable.mkdir(FileSystem.ROOT, bytes("dir-" + i), 0755, CALLER);
                        writable.sync();
                    } catch (FsException e) {
                        logFull = e;
                    }
                }
                assertThat(logFull).as("a sync with no room for the log fails").isNotNull();
                assertThat(logFull.errno()).isEqualTo(Errno.EIO);
                assertThat(logFull.getMessage()).contains("No space left on device");
            }
            // Metadata could not be written: read-only, reads still served.
            assertThat(fs.failure()).isPresent();
            FileSystem stopped = fs;
            assertThat(errnoOf(() -> stopped.mkdir(FileSystem.ROOT, bytes("d"), 0755, CALLER))).isEqualTo(Errno.EROFS);
            assertThat(readFile(fs, "file-0")).isEqualTo(durable.get("file-0"));

            Files.deleteIfExists(host.resolve("filler"));
            Result grown = run("mount", "-o", "remount,size=128m", host.toString());
            assertThat(grown.code).as("growing the tmpfs: %s", grown.output).isZero();
            fs.close(); // writes nothing: the next mount recovers
        } finally {
            fs.halt();
        }

        try (FileSystem again = FileSystem.open(image, FsOptions.defaults())) {
            for (Map.Entry<String, byte[]> e : durable.entrySet()) {
                assertThat(readFile(again, e.getKey())).as("fsync'd file %s", e.getKey()).isEqualTo(e.getValue());
            }
        }
        try (FileBlockDevice device = FileBlockDevice.open(image, BLOCK, true)) {
            FsckOnDevice.Result repair = FsckOnDevice.repair(device);
            assertThat(repair.exitCode()).as("fsck -fy:\n%s", repair.output()).isZero();
            FsckOnDevice.Result check = FsckOnDevice.checkReadOnly(device);
            assertThat(check.exitCode()).as("fsck -fn:\n%s", check.output()).isZero();
        }
    }

    /** Writes {@code file} until the host filesystem has no room left. */
    private static void fillUp(Path file) throws IOException {
        try (var out = Files.newOutputStream(file)) {
            byte[] chunk = new byte[64 * 1024];
            while (true) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left on device")) {
                throw e;
            }
        }
    }

    private static void writeFile(FileSystem fs, String name, byte[] content) {
        OpenFile f = fs.create(FileSystem.ROOT, bytes(name), 0644, OpenFlags.O_RDWR, CALLER);
        try {
            WholeFiles.write(fs, f.handle(), content);
            fs.fsync(f.handle(), false);
        } finally {
            fs.release(f.handle());
        }
    }

    private static byte[] readFile(FileSystem fs, String name) {
        return WholeFiles.read(fs, fs.lookup(FileSystem.ROOT, bytes(name)).inode());
    }

    private static byte[] pattern(int seed, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 31 + i * 7 + (i >>> 9));
        }
        return b;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private record Result(int code, String output) {
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(Arrays.asList(command))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return new Result(p.waitFor(), out);
    }
}
