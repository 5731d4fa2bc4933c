package org.quillfs.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.volume.FileBlockDevice;

/**
 * Formatting a large sparse image file, with real flushes: quillfs's formatter against
 * mke2fs (ext4, lazy inode tables and journal, as its defaults on a file) in the same run.
 * Each invocation formats a fresh sparse file of {@code size}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FormatBenchmark {

    @Param({"1T"})
    public String size;

    private Path image;

    @Setup(Level.Invocation)
    public void freshSparseImage() throws IOException {
        image = Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "quillfs-bench", ".img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(bytes());
        }
    }

    @TearDown(Level.Invocation)
    public void removeImage() throws IOException {
        Files.deleteIfExists(image);
    }

    @Benchmark
    public Superblock quillfs() {
        FormatOptions options = new FormatOptions(4096, bytes() / 4096, 0, 0, Limits.DEFAULT_BYTES_PER_INODE, "",
                UUID.randomUUID(), 0, 0, Instant.now(), new Random());
        try (FileBlockDevice device = FileBlockDevice.open(image, 4096, true)) {
            return Formatter.format(device, options);
        }
    }

    @Benchmark
    public int ext4Reference() throws IOException, InterruptedException {
        Process mke2fs = new ProcessBuilder("mkfs.ext4", "-q", "-F", image.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        int code = mke2fs.waitFor();
        if (code != 0) {
            throw new IllegalStateException("mkfs.ext4 failed with exit code " + code);
        }
        return code;
    }

    private long bytes() {
        long unit = switch (size.charAt(size.length() - 1)) {
            case 'G' -> 1L << 30;
            case 'T' -> 1L << 40;
            default -> throw new IllegalArgumentException("size " + size + " needs a G or T suffix");
        };
        return Long.parseLong(size.substring(0, size.length() - 1)) * unit;
    }
}
