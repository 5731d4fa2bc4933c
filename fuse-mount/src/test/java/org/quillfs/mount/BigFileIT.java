package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A 1 GiB file written through the mount and read back, after a remount, with the same checksum. */
class BigFileIT {

    private static final long SIZE = 1L << 30;
    private static final int CHUNK = 1 << 20;

    @TempDir Path tmp;

    @Test
    void oneGibibyteWrittenAndReadBackAfterRemountHasTheSameSha256() throws Exception {
        try (MountedImage fs = MountedImage.format(tmp, "big.img", "2G")) {
            fs.mountOrFail("-o", "read_ahead_kb=0");
            assertThat(readAheadKib(fs)).as("read_ahead_kb=0 keeps the kernel's readahead").isEqualTo(128);
            Path file = fs.mountPoint.resolve("big");
            long freeBefore = Files.getFileStore(fs.mountPoint).getUnallocatedSpace();
            String written = writePseudoRandom(file);
            assertThat(Files.size(file)).isEqualTo(SIZE);
            fs.unmount();
            fs.mountOrFail();
            assertThat(readAheadKib(fs)).as("the mount's readahead, set by the daemon").isEqualTo(1024);

            String sha = MountedImage.run(List.of("sha256sum", file.toString()), tmp, Map.of())
                    .assertSucceeded("sha256sum").out().split(" ")[0];
            assertThat(sha).as("sha256 of what was read back").isEqualTo(written);
            String blocks = MountedImage.run(List.of("stat", "-c", "%b %B", file.toString()), tmp, Map.of())
                    .assertSucceeded("stat").out().strip();
            String[] b = blocks.split(" ");
            assertThat(Long.parseLong(b[0]) * Long.parseLong(b[1])).as("allocated bytes").isBetween(SIZE,
                    SIZE + (SIZE / 64));

            Files.delete(file);
            assertThat(Files.getFileStore(fs.mountPoint).getUnallocatedSpace()).as("space comes back")
                    .isGreaterThanOrEqualTo(freeBefore - (1 << 20));
            fs.unmount();
        }
    }

    /** The kernel's readahead for the mount, from sysfs. */
    private long readAheadKib(MountedImage fs) throws Exception {
        String device = MountedImage.run(List.of("mountpoint", "-d", fs.mountPoint.toString()), tmp, Map.of())
                .assertSucceeded("mountpoint -d").out().strip();
        return Long.parseLong(Files.readString(Path.of("/sys/class/bdi", device, "read_ahead_kb")).strip());
    }

    /** Writes SIZE bytes of xorshift noise in 1 MiB writes, fsyncs, and returns their SHA-256. */
    private static String writePseudoRandom(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
        long x = 0x9E3779B97F4A7C15L;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long done = 0; done < SIZE; done += CHUNK) {
                chunk.clear();
                while (chunk.hasRemaining()) {
                    x ^= x << 13;
                    x ^= x >>> 7;
                    x ^= x << 17;
                    chunk.putLong(x);
                }
                chunk.flip();
                sha.update(chunk.duplicate());
                while (chunk.hasRemaining()) {
                    ch.write(chunk);
                }
            }
            ch.force(true);
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
