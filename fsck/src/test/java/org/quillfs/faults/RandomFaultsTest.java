package org.quillfs.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.file.DataMode;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.TestFormats;
import org.quillfs.fs.Caller;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.FsOptions;
import org.quillfs.fs.OpenFile;
import org.quillfs.fs.OpenFlags;
import org.quillfs.fsck.FsckOnDevice;
import org.quillfs.txn.MetadataStore;
import org.quillfs.volume.FaultyBlockDevice;
import org.quillfs.volume.FaultyBlockDevice.BlockFilter;
import org.quillfs.volume.FaultyBlockDevice.Fault;
import org.quillfs.volume.FaultyBlockDevice.Op;
import org.quillfs.volume.MemoryBlockDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One fault at a random point of random work, many times (docs/TESTING.md, "Faults"): an EIO on
 * the Nth read, write or flush, an ENOSPC on the Nth write, or a metadata block corrupted on its
 * Nth read, once or from then on, while files are created, overwritten, renamed and removed with
 * and without fsync, and checkpoints run every 20 ms. Every case must hold:
 *
 * <ul>
 *   <li>every failure the facade gives is an {@link FsException} (EIO, ENOSPC or EROFS), and
 *       nothing hangs;
 *   <li>once the filesystem has turned read-only, no change succeeds;
 *   <li>after the device is healed, a mount recovers every file whose last change was made
 *       durable (fsync or sync returned) with exactly its contents, and none whose removal was;
 *   <li>fsck -fy then exits 0, and fsck -fn after it exits 0.
 * </ul>
 *
 * {@code -Dquillfs.faults.cases=N -Dquillfs.faults.seed=S} run more (or other) cases; a
 * failure names the case's seed, and {@code -Dquillfs.faults.case=SEED} runs that one alone.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class RandomFaultsTest {

    private static final Caller CALLER = new Caller(1000, 1000);
    private static final Set<Errno> DEVICE_ERRNOS = Set.of(Errno.EIO, Errno.ENOSPC, Errno.EROFS);

    @Test
    void aFaultAtAnyPointFailsCleanlyAndLosesNothingDurable() {
        String one = System.getProperty("quillfs.faults.case");
        List<Long> seeds = new ArrayList<>();
        if (one != null && !one.isBlank()) {
            seeds.add(Long.parseLong(one));
        } else {
            SplittableRandom random = new SplittableRandom(Long.getLong("quillfs.faults.seed", 20261124L));
            for (int i = 0; i < Integer.getInteger("quillfs.faults.cases", 300); i++) {
                seeds.add(random.nextLong());
            }
        }
        List<String> failed = new ArrayList<>();
        int stopped = 0;
        for (long seed : seeds) {
            FaultCase c = new FaultCase(seed);
            String problem = c.run();
            stopped += c.stopped ? 1 : 0;
            if (problem != null) {
                failed.add("fault case " + seed + " (" + c.fault + "): " + problem
                        + "\n  replay: mvn -pl fsck test -Dtest=RandomFaultsTest -Dquillfs.faults.case=" + seed);
            }
        }
        System.out.printf("random faults: %d cases, %d turned the filesystem read-only, %d failed%n", seeds.size(),
                stopped, failed.size());
        assertThat(failed).isEmpty();
    }

    /** One case: a filesystem, one fault rule, random work, then the checks. */
    private static final class FaultCase {
        private final SplittableRandom random;
        private final MemoryBlockDevice disk;
        private final FaultyBlockDevice faulty;
        private final FileSystem fs;
        private final Map<String, byte[]> durable = new LinkedHashMap<>();
        private final Set<String> removed = new HashSet<>();
        private final List<String> names = new ArrayList<>();
        String fault;
        boolean stopped;
        private int made;

        FaultCase(long seed) {
            random = new SplittableRandom(seed);
            int blockSize = random.nextBoolean() ? 4096 : 1024;
            FormatOptions format = TestFormats.options(blockSize, 16L << 20);
            disk = new MemoryBlockDevice("random-faults", format.blockSize(), format.blockCount());
            Formatter.format(disk, format);
            faulty = new FaultyBlockDevice(disk);
            DataMode data = random.nextInt(4) == 0 ? DataMode.JOURNAL : DataMode.ORDERED;
            fs = FileSystem.open(faulty, FsOptions.defaults().withAtime(FsOptions.AtimeMode.NOATIME).withData(data)
                    .withStore(new MetadataStore.Options(1L << 20, Duration.ofHours(1), Duration.ofMillis(20))));
        }

        /** Null if the case passes; else what went wrong. */
        String run() {
            try {
                injectOneFault();
                String problem = work();
                if (problem != null) {
                    return problem;
                }
                stopped = fs.failure().isPresent();
                try {
                    fs.close();
                } catch (FsException e) {
                    if (!DEVICE_ERRNOS.contains(e.errno())) {
                        return "unmount failed with " + e.getMessage();
                    }
                }
                return recovered();
            } catch (RuntimeException | AssertionError e) {
                return "unexpected " + e;
            } finally {
                fs.halt();
            }
        }

        private void injectOneFault() {
            BlockFilter metadata = (nr, contents) -> BlockHeader.magic(contents) == BlockHeader.MAGIC;
            FaultyBlockDevice.Rule rule = switch (random.nextInt(5)) {
                case 0 -> faulty.inject(Op.READ, Fault.EIO, BlockFilter.any()).skipping(random.nextInt(40));
                case 1 -> faulty.inject(Op.WRITE, Fault.EIO, BlockFilter.any()).skipping(random.nextInt(120));
                case 2 -> faulty.inject(Op.WRITE, Fault.ENOSPC, BlockFilter.any()).skipping(random.nextInt(120));
                case 3 -> faulty.inject(Op.FLUSH, Fault.EIO, BlockFilter.any()).skipping(random.nextInt(30));
                default -> faulty.inject(Op.READ, Fault.CORRUPT, metadata).skipping(random.nextInt(20));
            };
            if (random.nextBoolean()) {
                rule.times(1);
            }
            fault = rule.toString();
        }

        /** Random operations; null if every one behaved, else what did not. */
        private String work() {
            for (int i = 0; i < 60; i++) {
                boolean readOnlyBefore = fs.failure().isPresent();
                int kind = names.isEmpty() ? 0 : random.nextInt(6);
                String what = "operation " + i;
                try {
                    switch (kind) {
                        case 0, 1 -> {
                            what = "create";
                            create("f" + made++, random.nextInt(20_000), random.nextBoolean());
                        }
                        case 2 -> {
                            what = "overwrite";
                            overwrite(pick());
                        }
                        case 3 -> {
                            what = "rename";
                            rename(pick(), "f" + made++);
                        }
                        case 4 -> {
                            what = "unlink";
                            unlink(pick());
                        }
                        default -> {
                            what = "read";
                            String name = pick();
                            byte[] expected = durable.get(name);
                            byte[] got = read(name);
                            if (expected != null && !Arrays.equals(got, expected)) {
                                return "reading " + name + " gave other bytes than it holds";
                            }
                            continue;
                        }
                    }
                    if (readOnlyBefore) {
                        return what + " succeeded after the filesystem turned read-only";
                    }
                } catch (FsException e) {
                    if (!DEVICE_ERRNOS.contains(e.errno())) {
                        return what + " failed with " + e.getMessage();
                    }
                    if (readOnlyBefore && kind != 5 && e.errno() != Errno.EROFS && e.errno() != Errno.EIO) {
                        return what + " after the filesystem turned read-only failed with " + e.getMessage();
                    }
                }
            }
            return null;
        }

        private String pick() {
            return names.get(random.nextInt(names.size()));
        }

        /** Names are listed once the call that makes (or removes) them returns: a failed one changed nothing. */
        private void create(String name, int size, boolean fsync) {
            byte[] content = new byte[size];
            random.nextBytes(content);
            OpenFile f = fs.create(FileSystem.ROOT, name.getBytes(), 0644, OpenFlags.O_RDWR, CALLER);
            names.add(name);
            try {
                write(f.handle(), content);
                if (fsync) {
                    fs.fsync(f.handle(), false);
                    durable.put(name, content);
                }
            } finally {
                fs.release(f.handle());
            }
        }

        private void overwrite(String name) {
            durable.remove(name); // its contents are uncertain from now until an fsync returns
            long inode = fs.lookup(FileSystem.ROOT, name.getBytes()).inode();
            long h = fs.open(inode, OpenFlags.O_RDWR | OpenFlags.O_TRUNC);
            try {
                byte[] content = new byte[random.nextInt(20_000)];
                random.nextBytes(content);
                write(h, content);
                fs.fsync(h, false);
                durable.put(name, content);
            } finally {
                fs.release(h);
            }
        }

        private void rename(String from, String to) {
            byte[] content = durable.remove(from);
            fs.rename(FileSystem.ROOT, from.getBytes(), FileSystem.ROOT, to.getBytes(), 0);
            names.remove(from);
            names.add(to);
            fs.sync();
            removed.add(from);
            if (content != null) {
                durable.put(to, content);
            }
        }

        private void unlink(String name) {
            durable.remove(name);
            fs.unlink(FileSystem.ROOT, name.getBytes());
            names.remove(name);
            fs.sync();
            removed.add(name);
        }

        private void write(long handle, byte[] content) {
            WholeFiles.write(fs, handle, content);
        }

        private byte[] read(String name) {
            return readFrom(fs, name);
        }

        private static byte[] readFrom(FileSystem fs, String name) {
            return WholeFiles.read(fs, fs.lookup(FileSystem.ROOT, name.getBytes()).inode());
        }

        /** Heals, mounts (recovery), checks what was durable, unmounts, runs fsck; null if all is well. */
        private String recovered() {
            faulty.heal();
            try (FileSystem again = FileSystem.open(disk, FsOptions.defaults())) {
                for (Map.Entry<String, byte[]> e : durable.entrySet()) {
                    if (!Arrays.equals(readFrom(again, e.getKey()), e.getValue())) {
                        return "after recovery, durable file " + e.getKey() + " does not hold what was fsync'd";
                    }
                }
                for (String name : removed) {
                    if (durable.containsKey(name)) {
                        continue; // made again since
                    }
                    try {
                        again.lookup(FileSystem.ROOT, name.getBytes());
                        return "after recovery, " + name + ", whose removal was made durable, is there";
                    } catch (FsException e) {
                        if (e.errno() != Errno.ENOENT) {
                            throw e;
                        }
                    }
                }
            } catch (FsException e) {
                return "after recovery: " + e.getMessage();
            }
            FsckOnDevice.Result repair = FsckOnDevice.repair(disk);
            if (repair.exitCode() != 0) {
                return "fsck -fy exits " + repair.exitCode() + ":\n" + repair.output();
            }
            FsckOnDevice.Result check = FsckOnDevice.checkReadOnly(disk);
            if (check.exitCode() != 0) {
                return "fsck -fn after fsck -fy exits " + check.exitCode() + ":\n" + check.output();
            }
            return null;
        }
    }
}
