package org.quillfs.crash;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.file.DataMode;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Limits;
import org.quillfs.fs.Caller;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.FsOptions;
import org.quillfs.fs.OpenFlags;
import org.quillfs.journal.LogWriter;
import org.quillfs.txn.MetadataStore;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.MemoryBlockDevice;
import org.quillfs.volume.RecordingBlockDevice;

/**
 * One recorded run of a workload: a copy of the workload's starting image behind a
 * {@link RecordingBlockDevice}, the filesystem mounted on it (noatime, so that reading a tree for
 * the oracle writes nothing; commit interval and checkpoint interval an hour, so that no timer
 * writes behind the workload's back and a run does the same each time), the operations, and the
 * clean unmount at the end. Everything from the mount to the end of the unmount is recorded, so
 * crash states cover the mount, the operations and the unmount's write-back of every dirty block.
 */
final class LiveRun {

    static final Caller CALLER = new Caller(1000, 1000);
    static final UUID UUID = java.util.UUID.fromString("c7a5e0d1-2b3c-4d5e-8f90-a1b2c3d4e5f6");
    static final Instant FORMAT_TIME = Instant.parse("2026-11-23T12:00:00Z");

    /** The filesystem a workload runs on. */
    record Config(String name, int blockSize, long bytes, long journalBlocks, DataMode data) {

        static final Config ORDERED_4K = new Config("4k", 4096, 8L << 20, 256, DataMode.ORDERED);
        static final Config ORDERED_1K = new Config("1k", 1024, 8L << 20, 512, DataMode.ORDERED);
        static final Config JOURNALED_4K = new Config("4k-journal", 4096, 8L << 20, 384, DataMode.JOURNAL);
        /**
         * Small logs for soaks, which wrap them and checkpoint often; not so small that an operation
         * cannot reserve its worst case (a rename of a directory over another asks for up to 300 KB
         * of log with 4 KiB blocks; one transaction may take half the log).
         */
        static final Config SMALL_LOG_4K = new Config("4k-smalllog", 4096, 8L << 20, 168, DataMode.ORDERED);
        static final Config SMALL_LOG_1K = new Config("1k-smalllog", 1024, 8L << 20, 512, DataMode.ORDERED);

        static Config named(String name) {
            return List.of(ORDERED_4K, ORDERED_1K, JOURNALED_4K, SMALL_LOG_4K, SMALL_LOG_1K).stream().filter(c -> c.name.equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no filesystem configuration " + name));
        }

        FsOptions options() {
            return FsOptions.defaults().withAtime(FsOptions.AtimeMode.NOATIME).withData(data);
        }
    }

    /** Formatted and set-up images, by configuration and setup: each made once, copied for every run. */
    private static final Map<String, MemoryBlockDevice> BASES = new ConcurrentHashMap<>();

    final Config config;
    final RecordingBlockDevice recording;
    final FileSystem fs;
    final RunHistory history = new RunHistory();

    private LiveRun(Config config, DeviceLayout layout, MemoryBlockDevice image) {
        this.config = config;
        this.recording = new RecordingBlockDevice(image);
        FsOptions o = config.options();
        this.fs = FileSystem.open(layout.filesystemOn(recording), new FsOptions(o.readOnly(), o.atime(), o.data(),
                new MetadataStore.Options(MetadataStore.Options.defaults().cacheBytes(), Duration.ofHours(1),
                        Duration.ofHours(1))));
    }

    /**
     * Starts a run on a copy of the image {@code setup} leaves on a fresh {@code config}
     * filesystem laid out as {@code layout} (made once and kept under {@code setupName}); the
     * lanes are the directories named.
     */
    static LiveRun start(Config config, DeviceLayout layout, String setupName, Consumer<FileSystem> setup,
            List<String> lanePaths) {
        MemoryBlockDevice base = BASES.computeIfAbsent(config.name + "/" + setupName + "/" + layout, k -> {
            MemoryBlockDevice image = layout.newDevice("crash-" + config.name, config.blockSize,
                    config.bytes / config.blockSize);
            BlockDevice device = layout.filesystemOn(image);
            Formatter.format(device, new FormatOptions(config.blockSize, config.bytes / config.blockSize,
                    config.journalBlocks, 0, Limits.DEFAULT_BYTES_PER_INODE, "crash", UUID, 1000, 1000, FORMAT_TIME,
                    new Random(7)));
            FileSystem fs = FileSystem.open(device, config.options());
            setup.accept(fs);
            fs.close();
            return image;
        });
        LiveRun run = new LiveRun(config, layout, base.copy("crash-" + config.name));
        for (String path : lanePaths) {
            RunHistory.Lane lane = new RunHistory.Lane(path, run.fs.resolve(path, false), config.blockSize);
            lane.states.add(TreeState.of(run.fs, lane.inode, path));
            run.history.lanes.add(lane);
        }
        run.history.outside = outside(TreeState.of(run.fs), lanePaths);
        return run;
    }

    /** The part of {@code whole} that no lane covers. */
    static TreeState outside(TreeState whole, List<String> lanePaths) {
        TreeState rest = whole.copy();
        rest.nodes.keySet().removeIf(p -> lanePaths.stream().anyMatch(l -> l.equals("/") || p.equals(l)
                || p.startsWith(l + "/")));
        return rest;
    }

    /** Records that {@code lane}'s next operation, {@code what}, has returned: the lane's tree now. */
    void completed(RunHistory.Lane lane, String what) {
        completed(lane, what, 0);
    }

    /** As {@link #completed(RunHistory.Lane, String)}, for an operation that wrote data to inode {@code wroteTo}. */
    void completed(RunHistory.Lane lane, String what, long wroteTo) {
        TreeState now = TreeState.of(fs, lane.inode, lane.path);
        lane.completedAt.add(history.tick());
        lane.states.add(now);
        lane.operations.add(what);
        lane.wroteTo.add(wroteTo);
    }

    /** The inode {@code path} names, or 0 if none. */
    long inodeOrZero(String path) {
        try {
            return inode(path);
        } catch (FsException e) {
            return 0;
        }
    }

    /** What the workloads ask for after an operation. */
    enum Persistence {
        NONE("nothing"), FSYNC("fsync"), FDATASYNC("fdatasync"), SYNC("sync"), COMMIT_INTERVAL("commit interval");

        final String label;

        Persistence(String label) {
            this.label = label;
        }
    }

    /**
     * Makes completed work durable as {@code p} says: fsync or fdatasync through a handle on
     * {@code inode} (a directory is opened read-only), sync, or what the commit-interval timer
     * does when it fires ({@code LogWriter.forceAll}). Records it as a sync point.
     */
    void persist(Persistence p, long inode) {
        if (p == Persistence.NONE) {
            return;
        }
        long start = history.tick();
        switch (p) {
            case FSYNC, FDATASYNC -> {
                long h = fs.open(inode, fs.getattr(inode).isDirectory() ? OpenFlags.O_RDONLY : OpenFlags.O_WRONLY);
                try {
                    fs.fsync(h, p == Persistence.FDATASYNC);
                } finally {
                    fs.release(h);
                }
            }
            case SYNC -> fs.sync();
            case COMMIT_INTERVAL -> logOf(fs).forceAll();
            default -> throw new IllegalStateException();
        }
        history.synced(start, recording.flushes(), p.label);
    }

    /** The clean unmount that ends the run: it makes everything durable. */
    void finish() {
        long start = history.tick();
        fs.close();
        history.synced(start, recording.flushes(), "unmount");
    }

    /** The log writer of {@code fs}: what its commit-interval timer forces (the facade does not expose it). */
    static LogWriter logOf(FileSystem fs) {
        try {
            Field layersField = FileSystem.class.getDeclaredField("layers");
            layersField.setAccessible(true);
            Object layers = layersField.get(fs);
            Field storeField = layers.getClass().getDeclaredField("store");
            storeField.setAccessible(true);
            return ((MetadataStore) storeField.get(layers)).log();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the crash campaign reaches FileSystem.layers.store.log() to act as the "
                    + "commit-interval timer; that path changed: " + e, e);
        }
    }

    // ------------------------------------------------------------------ helpers for operations

    /** The inode {@code path} names (not following a symlink at its end). */
    long inode(String path) {
        return fs.resolve(path, false);
    }

    long parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash == 0 ? FileSystem.ROOT : fs.resolve(path.substring(0, slash), false);
    }

    static byte[] leaf(String path) {
        return path.substring(path.lastIndexOf('/') + 1).getBytes(StandardCharsets.UTF_8);
    }

    /** Writes {@code data} at {@code offset} of the file at {@code path}, through a handle of its own. */
    void write(String path, long offset, byte[] data) {
        long h = fs.open(inode(path), OpenFlags.O_WRONLY);
        try {
            int n = fs.write(h, offset, ByteBuffer.wrap(data));
            if (n != data.length) {
                throw new FsException(Errno.ENOSPC, "short write: " + n + " of " + data.length);
            }
        } finally {
            fs.release(h);
        }
    }

    void fallocate(String path, int mode, long offset, long length) {
        long h = fs.open(inode(path), OpenFlags.O_WRONLY);
        try {
            fs.fallocate(h, mode, offset, length);
        } finally {
            fs.release(h);
        }
    }

    /** Bytes no other write of the campaign makes (nearly): random from {@code seed}, never all zero. */
    static byte[] pattern(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed * 0x9E3779B97F4A7C15L + 17).nextBytes(b);
        for (int i = 0; i < length; i += 64) {
            b[i] |= 1;
        }
        return b;
    }
}
