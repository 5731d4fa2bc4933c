package org.quillfs.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import org.quillfs.fs.Caller;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.FsOptions;
import org.quillfs.fs.OpenFile;
import org.quillfs.fs.OpenFlags;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Limits;
import org.quillfs.volume.FileBlockDevice;

/**
 * The {@link FileSystem} facade without FUSE (issue 4's targets: at least 100,000 creates per
 * second, sequential writes at least 1 GB/s to an image in the page cache), each state on its
 * own sparse image file in {@code java.io.tmpdir} with 4 KiB blocks.
 *
 * <ul>
 * <li>Namespace: {@code mknod} (a create without a handle), {@code create}+{@code release}
 *     (what {@code touch} costs), {@code unlink}, each in batches of {@value #BATCH} names;
 *     {@code lookup}, {@code resolve} of a two-component path, and {@code getattr} among
 *     {@value #POPULATION} names. {@code directories} spreads the names over 1 directory or
 *     over 1,000.
 * <li>Data: sequential 128 KiB writes into an empty file ({@value #SEQUENTIAL_MIB} MiB per
 *     invocation, so each write allocates), sequential 128 KiB reads of such a file, and 4 KiB
 *     overwrites at random block-aligned offsets of a written file. Score × 128 KiB (or 4 KiB)
 *     is the bandwidth.
 * </ul>
 *
 * Run: {@code java -jar bench/target/quillfs-benchmarks.jar FacadeBenchmark -f 1 -wi 2 -i 3}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FacadeBenchmark {

    static final int BATCH = 10_000;
    static final int POPULATION = 100_000;
    static final int SEQUENTIAL_MIB = 256;
    static final int CHUNK = 128 << 10;
    static final int SEQUENTIAL_WRITES = (SEQUENTIAL_MIB << 20) / CHUNK;
    static final Caller CALLER = new Caller(1000, 1000);
    static final int S_IFREG = 0100000;

    /** A formatted sparse image of {@code bytes} in the temporary directory, opened. */
    abstract static class Mounted {
        Path image;
        FileSystem fs;

        void mount(long bytes) throws IOException {
            image = Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "quillfs-facade", ".img");
            try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
                file.setLength(bytes);
            }
            try (FileBlockDevice device = FileBlockDevice.open(image, 4096, true)) {
                Formatter.format(device, new FormatOptions(4096, bytes / 4096, 0, 0, Limits.DEFAULT_BYTES_PER_INODE,
                        "bench", UUID.randomUUID(), 0, 0, Instant.now(), new Random(1)));
            }
            fs = FileSystem.open(image, FsOptions.defaults());
        }

        void unmount() throws IOException {
            fs.close();
            Files.deleteIfExists(image);
        }
    }

    static byte[] name(String prefix, long i) {
        return (prefix + i).getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ namespace

    /** {@code directories} directories under the root of a 32 GiB image (2 M inodes). */
    @State(Scope.Benchmark)
    public static class Namespace extends Mounted {
        @Param({"1", "1000"})
        public int directories;

        long[] dirs;
        int round;
        final Random random = new Random(7);

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            mount(32L << 30);
            dirs = new long[directories];
            for (int i = 0; i < directories; i++) {
                dirs[i] = fs.mkdir(FileSystem.ROOT, name("d", i), 0755, CALLER).inode();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            unmount();
        }

        long dir(int i) {
            return dirs[i % directories];
        }
    }

    /** Each invocation creates {@value #BATCH} new names; each iteration's end removes them again (not timed). */
    @State(Scope.Benchmark)
    public static class Creating {
        int round;
        int batches;

        @Setup(Level.Invocation)
        public void next() {
            round++;
        }

        @TearDown(Level.Iteration)
        public void removeAll(Namespace ns) {
            for (int r = round - batches + 1; r <= round; r++) {
                for (int i = 0; i < BATCH; i++) {
                    ns.fs.unlink(ns.dir(i), name("c" + r + "-", i));
                }
            }
            batches = 0;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void mknod(Namespace ns, Creating c) {
        c.batches++;
        for (int i = 0; i < BATCH; i++) {
            ns.fs.mknod(ns.dir(i), name("c" + c.round + "-", i), S_IFREG | 0644, 0, CALLER);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void createAndRelease(Namespace ns, Creating c) {
        c.batches++;
        for (int i = 0; i < BATCH; i++) {
            OpenFile f = ns.fs.create(ns.dir(i), name("c" + c.round + "-", i), 0644, OpenFlags.O_RDWR, CALLER);
            ns.fs.release(f.handle());
        }
    }

    /** {@value #BATCH} names made before each invocation (not timed), for it to remove. */
    @State(Scope.Benchmark)
    public static class Removing {
        int round;

        @Setup(Level.Invocation)
        public void make(Namespace ns) {
            round++;
            for (int i = 0; i < BATCH; i++) {
                ns.fs.mknod(ns.dir(i), name("u" + round + "-", i), S_IFREG | 0644, 0, CALLER);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void unlink(Namespace ns, Removing r) {
        for (int i = 0; i < BATCH; i++) {
            ns.fs.unlink(ns.dir(i), name("u" + r.round + "-", i));
        }
    }

    /** {@value #POPULATION} names, made once, to look up and stat. */
    @State(Scope.Benchmark)
    public static class Populated {
        long[] inodes = new long[POPULATION];
        String[] paths = new String[POPULATION];
        final Random random = new Random(11);

        @Setup(Level.Trial)
        public void fill(Namespace ns) {
            for (int i = 0; i < POPULATION; i++) {
                inodes[i] = ns.fs.mknod(ns.dir(i), name("p", i), S_IFREG | 0644, 0, CALLER).inode();
                paths[i] = "/d" + (i % ns.directories) + "/p" + i;
            }
        }
    }

    @Benchmark
    public Object lookup(Namespace ns, Populated p) {
        int i = p.random.nextInt(POPULATION);
        return ns.fs.lookup(ns.dir(i), name("p", i));
    }

    @Benchmark
    public long resolve(Namespace ns, Populated p) {
        return ns.fs.resolve(p.paths[p.random.nextInt(POPULATION)], true);
    }

    @Benchmark
    public Object getattr(Namespace ns, Populated p) {
        return ns.fs.getattr(p.inodes[p.random.nextInt(POPULATION)]);
    }

    // ------------------------------------------------------------------ data

    /** A 4 GiB image with one file; {@link #written} holds {@value #SEQUENTIAL_MIB} MiB for reads and overwrites. */
    @State(Scope.Benchmark)
    public static class Data extends Mounted {
        long empty;
        long emptyHandle;
        long written;
        long writtenHandle;
        final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
        final ByteBuffer block = ByteBuffer.allocate(4096);
        final Random random = new Random(13);

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            mount(4L << 30);
            byte[] bytes = new byte[CHUNK];
            random.nextBytes(bytes);
            chunk.put(bytes).flip();
            OpenFile e = fs.create(FileSystem.ROOT, name("empty", 0), 0644, OpenFlags.O_RDWR, CALLER);
            empty = e.attributes().inode();
            emptyHandle = e.handle();
            OpenFile w = fs.create(FileSystem.ROOT, name("written", 0), 0644, OpenFlags.O_RDWR, CALLER);
            written = w.attributes().inode();
            writtenHandle = w.handle();
            for (int i = 0; i < SEQUENTIAL_WRITES; i++) {
                fs.write(writtenHandle, (long) i * CHUNK, chunk.duplicate());
            }
            fs.sync();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            fs.release(emptyHandle);
            fs.release(writtenHandle);
            unmount();
        }
    }

    /** Empties the file before each sequential-write invocation (not timed), so every write allocates. */
    @State(Scope.Benchmark)
    public static class Emptied {
        @Setup(Level.Invocation)
        public void truncate(Data d) {
            d.fs.setattr(d.empty, org.quillfs.fs.AttributeChanges.size(0));
        }
    }

    @Benchmark
    @OperationsPerInvocation(SEQUENTIAL_WRITES)
    public void sequentialWrite128k(Data d, Emptied e) {
        for (int i = 0; i < SEQUENTIAL_WRITES; i++) {
            d.fs.write(d.emptyHandle, (long) i * CHUNK, d.chunk.duplicate());
        }
    }

    @Benchmark
    @OperationsPerInvocation(SEQUENTIAL_WRITES)
    public void sequentialRead128k(Data d, Blackhole bh) {
        ByteBuffer into = ByteBuffer.allocate(CHUNK);
        for (int i = 0; i < SEQUENTIAL_WRITES; i++) {
            into.clear();
            bh.consume(d.fs.read(d.writtenHandle, (long) i * CHUNK, into));
        }
    }

    @Benchmark
    public int randomOverwrite4k(Data d) {
        long blockNr = d.random.nextInt((SEQUENTIAL_MIB << 20) / 4096);
        d.block.clear();
        return d.fs.write(d.writtenHandle, blockNr * 4096, d.block);
    }
}
