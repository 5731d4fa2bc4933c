package org.quillfs.crash;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.quillfs.errno.FsException;
import org.quillfs.fs.AttributeChanges;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.OpenFile;
import org.quillfs.fs.OpenFlags;

/**
 * A random soak in the style of fsstress: {@code threads} threads, each doing {@code ops} random
 * operations in a directory of its own ({@code /t0}, {@code /t1}, ...: a lane of the oracle, whose
 * tree only that thread changes), on a filesystem with a small journal, so that checkpoints run
 * and the log wraps many times while they work. Operations pick among a few names per directory,
 * so they meet each other's results; a thread may keep a file open across operations and unlink
 * it (the orphan list). After each operation: fsync, fdatasync, sync, the end of a commit
 * interval, or (mostly) nothing.
 *
 * <p>Threads interleave as the scheduler decides, so a replay runs the same operations per
 * thread but may record a different run: a soak's crash point is meaningful only in the run
 * that found it (the crashed image is kept); the replay checks its own run's crash points.
 */
record Soak(LiveRun.Config config, int threads, int ops, long seed) implements Workload {

    private static final String[] FILES = {"f0", "f1", "f2", "f3", "d0/f4", "d0/f5", "d1/e0/f6"};
    private static final String[] DIRS = {"d0", "d1", "d1/e0", "d2", "w"};
    private static final int MAX_WRITE = 24 * 1024;
    /** Operations the facade refused because their worst case needs more than half the log. */
    static final java.util.concurrent.atomic.LongAdder REFUSED_FOR_LOG_SPACE = new java.util.concurrent.atomic.LongAdder();
    /** A soak takes seconds; one still running after this has hung. */
    private static final java.time.Duration HANG_LIMIT = java.time.Duration.ofSeconds(120);

    static Soak parse(String spec) {
        String[] p = spec.split(":");
        return new Soak(LiveRun.Config.named(p[1]), Integer.parseInt(value(p[2], "threads")),
                Integer.parseInt(value(p[3], "ops")), Long.parseLong(value(p[4], "seed")));
    }

    private static String value(String part, String key) {
        if (!part.startsWith(key + "=")) {
            throw new IllegalArgumentException("expected " + key + "=..., not " + part);
        }
        return part.substring(key.length() + 1);
    }

    @Override
    public String spec() {
        return "soak:" + config.name() + ":threads=" + threads + ":ops=" + ops + ":seed=" + seed;
    }

    private List<String> lanes() {
        List<String> lanes = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            lanes.add("/t" + t);
        }
        return lanes;
    }

    @Override
    public LiveRun record(DeviceLayout layout) {
        LiveRun run = LiveRun.start(config, layout, "soak-" + threads, fs -> {
            for (int t = 0; t < threads; t++) {
                fs.mkdir(FileSystem.ROOT, FileSetOperations.bytes("t" + t), 0755, LiveRun.CALLER);
            }
        }, lanes());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            RunHistory.Lane lane = run.history.lanes.get(t);
            long laneSeed = seed * 1_000_003L + t * 7919L;
            Thread worker = new Thread(() -> {
                try {
                    new Worker(run, lane, new Random(laneSeed), laneSeed).work(ops);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "soak-" + t);
            workers.add(worker);
            worker.start();
        }
        long deadline = System.nanoTime() + HANG_LIMIT.toNanos();
        for (Thread w : workers) {
            try {
                w.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (w.isAlive()) {
                StringBuilder stacks = new StringBuilder();
                Thread.getAllStackTraces().forEach((t, trace) -> {
                    if (t.getName().startsWith("soak-") || t.getName().startsWith("quillfs-")) {
                        stacks.append("  ").append(t.getName()).append(" (").append(t.getState()).append(")\n");
                        for (StackTraceElement e : trace) {
                            stacks.append("      at ").append(e).append('\n');
                        }
                    }
                });
                workers.forEach(Thread::interrupt);
                throw new IllegalStateException(spec() + ": the live run hung (no progress in " + HANG_LIMIT.toSeconds()
                        + " s)" + (failure.get() == null ? "" : " after a thread failed: " + failure.get())
                        + "; threads:\n" + stacks);
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException(spec() + ": the live run failed: " + failure.get(), failure.get());
        }
        run.finish();
        return run;
    }

    /** One thread's operations in its lane. */
    private static final class Worker {
        private final LiveRun run;
        private final FileSystem fs;
        private final RunHistory.Lane lane;
        private final Random random;
        private final long seedBase;
        /** A handle kept open across operations (its file may be unlinked meanwhile), or -1. */
        private long held = -1;
        private long heldInode;
        /** The inode the current operation writes data to, or 0. */
        private long wroteTo;
        private int step;

        Worker(LiveRun run, RunHistory.Lane lane, Random random, long seedBase) {
            this.run = run;
            this.fs = run.fs;
            this.lane = lane;
            this.random = random;
            this.seedBase = seedBase;
        }

        void work(int ops) {
            for (int i = 0; i < ops; i++) {
                step = i;
                String what;
                wroteTo = 0;
                try {
                    what = operation();
                    what += " (ok)";
                } catch (FsException e) {
                    what = last + " (" + e.errno() + ")";
                } catch (IllegalArgumentException e) {
                    // docs/FILESYSTEM.md, "Known limits": one transaction may reserve at most half
                    // the log; a rename over a directory on these small logs can ask for more. The
                    // facade refuses it before changing anything (but with this exception, not an errno).
                    if (!String.valueOf(e.getMessage()).contains("of log space asked")) {
                        throw e;
                    }
                    REFUSED_FOR_LOG_SPACE.increment();
                    what = last + " (refused: " + e.getMessage() + ")";
                }
                run.completed(lane, what, wroteTo);
                if (held >= 0) {
                    noteHeld();
                }
                int p = random.nextInt(100);
                LiveRun.Persistence after = p < 10 ? LiveRun.Persistence.FSYNC : p < 15 ? LiveRun.Persistence.FDATASYNC
                        : p < 20 ? LiveRun.Persistence.SYNC : p < 30 ? LiveRun.Persistence.COMMIT_INTERVAL
                        : LiveRun.Persistence.NONE;
                run.persist(after, lane.inode);
            }
            if (held >= 0) {
                fs.release(held);
                run.completed(lane, "release the held handle");
            }
        }

        private String last = "";

        /** Records what the held file holds now, for the oracle (it may have no name). */
        private void noteHeld() {
            long size = fs.getattr(heldInode).size();
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining() && fs.read(held, buf.position(), buf) > 0) {
                // read on
            }
            lane.held.computeIfAbsent(lane.states.size() - 1, k -> new ArrayList<>()).add(
                    new RunHistory.HeldFile(heldInode, fs.getattr(heldInode).generation(), buf.array()));
        }

        private String path(String relative) {
            return lane.path + "/" + relative;
        }

        private String anyFile() {
            return FILES[random.nextInt(FILES.length)];
        }

        private String anyDir() {
            return DIRS[random.nextInt(DIRS.length)];
        }

        private String operation() {
            long seed = seedBase * 65_537L + step;
            int kind = random.nextInt(25);
            String f = anyFile();
            switch (kind) {
                case 0, 1 -> {
                    last = "creat " + f;
                    OpenFile o = fs.create(run.parent(path(f)), LiveRun.leaf(f), 0644, OpenFlags.O_RDWR, LiveRun.CALLER);
                    fs.release(o.handle());
                }
                case 2, 20, 21 -> {
                    String d = anyDir();
                    last = "mkdir " + d;
                    fs.mkdir(run.parent(path(d)), LiveRun.leaf(d), 0755, LiveRun.CALLER);
                }
                case 3, 4, 5 -> {
                    int offset = random.nextInt(3) == 0 ? random.nextInt(64 * 1024) : random.nextInt(4) * 4096;
                    int length = 1 + random.nextInt(MAX_WRITE);
                    last = "write " + f + " " + offset + "+" + length;
                    wroteTo = run.inodeOrZero(path(f));
                    run.write(path(f), offset, LiveRun.pattern(length, seed));
                }
                case 6 -> {
                    int length = 1 + random.nextInt(MAX_WRITE / 2);
                    last = "append " + f + " +" + length;
                    wroteTo = run.inodeOrZero(path(f));
                    long h = fs.open(run.inode(path(f)), OpenFlags.O_WRONLY | OpenFlags.O_APPEND);
                    try {
                        fs.write(h, 0, ByteBuffer.wrap(LiveRun.pattern(length, seed)));
                    } finally {
                        fs.release(h);
                    }
                }
                case 7 -> {
                    int size = random.nextInt(48 * 1024);
                    last = "truncate " + f + " " + size;
                    wroteTo = run.inodeOrZero(path(f));
                    fs.setattr(run.inode(path(f)), AttributeChanges.size(size));
                }
                case 8 -> {
                    int mode = random.nextInt(3);
                    int offset = random.nextInt(16) * 2048;
                    int length = 1 + random.nextInt(32 * 1024);
                    int flags = mode == 0 ? 0 : mode == 1 ? FileSystem.FALLOC_FL_KEEP_SIZE
                            : FileSystem.FALLOC_FL_PUNCH_HOLE | FileSystem.FALLOC_FL_KEEP_SIZE;
                    last = (mode == 2 ? "punch " : mode == 1 ? "fallocate keep-size " : "fallocate ") + f + " " + offset
                            + "+" + length;
                    wroteTo = run.inodeOrZero(path(f));
                    run.fallocate(path(f), flags, offset, length);
                }
                case 9 -> {
                    String to = anyFile();
                    last = "link " + f + " " + to;
                    fs.link(run.inode(path(f)), run.parent(path(to)), LiveRun.leaf(to));
                }
                case 10, 11 -> {
                    last = "unlink " + f;
                    fs.unlink(run.parent(path(f)), LiveRun.leaf(f));
                }
                case 12, 13 -> {
                    boolean dir = random.nextInt(3) == 0;
                    String from = dir ? anyDir() : f;
                    String to = dir ? anyDir() : anyFile();
                    last = "rename " + from + " " + to;
                    fs.rename(run.parent(path(from)), LiveRun.leaf(from), run.parent(path(to)), LiveRun.leaf(to), 0);
                }
                case 14 -> {
                    f = "l" + random.nextInt(2);
                    String target = random.nextBoolean() ? "../f0" : "long/".repeat(40) + "target";
                    last = "symlink " + f + " -> " + (target.length() > 10 ? target.length() + " bytes" : target);
                    fs.symlink(run.parent(path(f)), LiveRun.leaf(f), FileSetOperations.bytes(target), LiveRun.CALLER);
                }
                case 15 -> {
                    String name = "user.a" + random.nextInt(3);
                    int length = random.nextBoolean() ? random.nextInt(40) : random.nextInt(1500);
                    String on = random.nextBoolean() ? f : anyDir();
                    last = "setxattr " + on + " " + name + " " + length;
                    fs.setxattr(run.inode(path(on)), name, LiveRun.pattern(length, seed), 0);
                }
                case 16 -> {
                    String name = "user.a" + random.nextInt(3);
                    String on = random.nextBoolean() ? f : anyDir();
                    last = "removexattr " + on + " " + name;
                    fs.removexattr(run.inode(path(on)), name);
                }
                case 22, 23, 24 -> {
                    // Many long names in one directory: its tree grows past one leaf (DIR_NODE blocks).
                    String name = "w/" + (char) ('a' + random.nextInt(26)) + "-" + "long-name-".repeat(18) + random.nextInt(6);
                    if (kind == 24) {
                        last = "unlink " + name.substring(0, 3) + "...";
                        fs.unlink(run.parent(path(name)), LiveRun.leaf(name));
                    } else {
                        last = "creat " + name.substring(0, 3) + "...";
                        OpenFile o = fs.create(run.parent(path(name)), LiveRun.leaf(name), 0644, OpenFlags.O_RDWR,
                                LiveRun.CALLER);
                        fs.release(o.handle());
                    }
                }
                case 17 -> {
                    String d = anyDir();
                    last = "rmdir " + d;
                    fs.rmdir(run.parent(path(d)), LiveRun.leaf(d));
                }
                case 18 -> {
                    if (held >= 0) {
                        last = "release the held handle";
                        fs.release(held);
                        held = -1;
                    } else {
                        last = "open and hold " + f;
                        heldInode = run.inode(path(f));
                        held = fs.open(heldInode, OpenFlags.O_RDWR);
                    }
                }
                default -> {
                    if (held < 0) {
                        last = "nothing held to write";
                        return last;
                    }
                    int length = 1 + random.nextInt(MAX_WRITE);
                    last = "write through the held handle " + length;
                    wroteTo = heldInode;
                    fs.write(held, random.nextInt(8) * 4096, ByteBuffer.wrap(LiveRun.pattern(length, seed)));
                }
            }
            return last;
        }
    }
}
