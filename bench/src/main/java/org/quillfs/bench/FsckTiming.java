package org.quillfs.bench;

import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Limits;
import org.quillfs.fs.Caller;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.FsOptions;
import org.quillfs.fs.OpenFile;
import org.quillfs.fs.OpenFlags;
import org.quillfs.fsck.FsckCommand;
import org.quillfs.volume.FileBlockDevice;
import picocli.CommandLine;

/**
 * How long {@code fsck.quillfs -f} takes on a filesystem of N files (not a JMH benchmark: one
 * check of a large image is the measurement). Makes an image file of 4 KiB blocks holding N
 * regular files of one block each, 1,000 to a directory, through the facade; closes it; then
 * times {@code fsck -fn} and {@code fsck -fy} on it, in this JVM, and prints the times and the
 * peak heap of each.
 *
 * <pre>
 *   java -cp bench/target/quillfs-benchmarks.jar org.quillfs.bench.FsckTiming 100000 [IMAGE]
 * </pre>
 */
public final class FsckTiming {

    private FsckTiming() {
    }

    public static void main(String[] args) throws Exception {
        int files = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path image = args.length > 1 ? Path.of(args[1]) : Files.createTempFile("fsck-timing", ".img");
        int blockSize = 4096;
        long blocks = (long) files * 2 + (512L << 20) / blockSize;
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(blocks * blockSize);
        }
        long started = System.nanoTime();
        try (FileBlockDevice device = FileBlockDevice.open(image, blockSize, true)) {
            Formatter.format(device, new FormatOptions(blockSize, blocks, 0, files + files / 10 + 20_000L,
                    Limits.DEFAULT_BYTES_PER_INODE, "timing", UUID.randomUUID(), 0, 0, Instant.now(), new Random(1)));
            FileSystem fs = FileSystem.open(device, FsOptions.defaults());
            Caller caller = new Caller(0, 0);
            byte[] content = new byte[100];
            long dir = FileSystem.ROOT;
            for (int i = 0; i < files; i++) {
                if (i % 1000 == 0) {
                    dir = fs.mkdir(FileSystem.ROOT, name("d" + i / 1000), 0755, caller).inode();
                }
                OpenFile file = fs.create(dir, name("file-" + i), 0644, OpenFlags.O_WRONLY, caller);
                fs.write(file.handle(), 0, ByteBuffer.wrap(content));
                fs.release(file.handle());
            }
            fs.close();
        }
        System.out.printf("made %d files in %.1f s (%s, %d blocks of %d)%n", files,
                (System.nanoTime() - started) / 1e9, image, blocks, blockSize);
        for (String mode : new String[] {"-fn", "-fy", "-fn"}) {
            System.gc();
            java.lang.management.ManagementFactory.getMemoryPoolMXBeans().forEach(
                    java.lang.management.MemoryPoolMXBean::resetPeakUsage);
            long t = System.nanoTime();
            StringWriter out = new StringWriter();
            CommandLine line = new CommandLine(new FsckCommand());
            line.setOut(new PrintWriter(out, true));
            line.setErr(new PrintWriter(out, true));
            int code = FsckCommand.run(line, mode, image.toString());
            double seconds = (System.nanoTime() - t) / 1e9;
            long peak = 0;
            for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.printf("fsck %s: exit %d in %.2f s, peak heap %d MiB; %s", mode, code, seconds, peak >> 20,
                    lastLine(out.toString()));
        }
        if (args.length <= 1) {
            Files.delete(image);
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.split("\n");
        return lines[lines.length - 1] + "\n";
    }

    private static byte[] name(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
