package org.quillfs.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
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
 * A fault that hits while several threads work at once (docs/TESTING.md, "Faults"): four
 * threads create, write, fsync, rename and remove files in directories of their own and share
 * one, while the device fails. No thread may hang (a transaction that cannot log its rollback
 * must still give up its page locks, a reservation waiting for log space must end), every
 * failure is an errno, and after healing every fsync'd file is there and fsck is clean.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConcurrentFaultsTest {

    private static final Caller CALLER = new Caller(1000, 1000);
    private static final int THREADS = 4;
    private static final Set<Errno> DEVICE_ERRNOS = Set.of(Errno.EIO, Errno.ENOSPC, Errno.EROFS);

    @Test
    void threadsWorkingWhenTheDeviceFailsAllEndWithAnErrnoAndNothingDurableIsLost() throws Exception {
        SplittableRandom seeds = new SplittableRandom(20261124L);
        for (int round = 0; round < Integer.getInteger("quillfs.faults.rounds", 24); round++) {
            runRound(seeds.nextLong(), round);
        }
    }

    private void runRound(long seed, int round) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        FormatOptions format = TestFormats.options(round % 2 == 0 ? 4096 : 1024, 32L << 20);
        MemoryBlockDevice disk = new MemoryBlockDevice("concurrent-faults", format.blockSize(), format.blockCount());
        Formatter.format(disk, format);
        FaultyBlockDevice faulty = new FaultyBlockDevice(disk);
        FileSystem fs = FileSystem.open(faulty, FsOptions.defaults().withAtime(FsOptions.AtimeMode.NOATIME)
                .withStore(new MetadataStore.Options(1L << 20, Duration.ofMillis(50), Duration.ofMillis(20))));
        Map<String, byte[]> durable = new ConcurrentHashMap<>();
        List<String> wrong = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (int t = 0; t < THREADS; t++) {
                fs.mkdir(FileSystem.ROOT, ("t" + t).getBytes(), 0755, CALLER);
            }
            fs.mkdir(FileSystem.ROOT, "shared".getBytes(), 0755, CALLER);
            List<Future<?>> threads = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                long threadSeed = random.nextLong();
                threads.add(pool.submit(() -> work(fs, thread, threadSeed, durable, wrong)));
            }
            Thread.sleep(random.nextInt(5, 80));
            FaultyBlockDevice.Rule rule = switch (round % 4) {
                case 0 -> faulty.inject(Op.WRITE, Fault.EIO, BlockFilter.any());
                case 1 -> faulty.inject(Op.FLUSH, Fault.EIO, BlockFilter.any()).times(1);
                case 2 -> faulty.inject(Op.WRITE, Fault.ENOSPC, BlockFilter.any());
                default -> faulty.inject(Op.READ, Fault.EIO, BlockFilter.any()).times(3);
            };
            for (Future<?> f : threads) {
                f.get(60, TimeUnit.SECONDS); // a thread stuck on a lock or a reservation fails here
            }
            assertThat(wrong).as("round %d (%s): what the threads saw", round, rule).isEmpty();
            try {
                fs.close();
            } catch (FsException e) {
                assertThat(e.errno()).isIn(DEVICE_ERRNOS);
            }
        } finally {
            pool.shutdownNow();
            fs.halt();
        }
        faulty.heal();
        try (FileSystem again = FileSystem.open(disk, FsOptions.defaults())) {
            durable.forEach((path, content) -> assertThat(read(again, path)).as("round %d: fsync'd %s", round, path)
                    .isEqualTo(content));
        }
        FsckOnDevice.Result repair = FsckOnDevice.repair(disk);
        assertThat(repair.exitCode()).as("round %d: fsck -fy:\n%s", round, repair.output()).isZero();
        FsckOnDevice.Result check = FsckOnDevice.checkReadOnly(disk);
        assertThat(check.exitCode()).as("round %d: fsck -fn:\n%s", round, check.output()).isZero();
    }

    /** One thread's work until 150 operations are done or the filesystem has turned read-only. */
    private static void work(FileSystem fs, int thread, long seed, Map<String, byte[]> durable, List<String> wrong) {
        SplittableRandom random = new SplittableRandom(seed);
        long dir = fs.lookup(FileSystem.ROOT, ("t" + thread).getBytes()).inode();
        long shared = fs.lookup(FileSystem.ROOT, "shared".getBytes()).inode();
        for (int i = 0; i < 150 && fs.failure().isEmpty(); i++) {
            String name = "f" + i;
            try {
                byte[] content = new byte[random.nextInt(12_000)];
                random.nextBytes(content);
                OpenFile f = fs.create(dir, name.getBytes(), 0644, OpenFlags.O_RDWR, CALLER);
                try {
                    ByteBuffer src = ByteBuffer.wrap(content);
                    while (src.hasRemaining()) {
                        fs.write(f.handle(), src.position(), src);
                    }
                    if (random.nextInt(3) == 0) {
                        fs.fsync(f.handle(), false);
                        durable.put("/t" + thread + "/" + name, content);
                    }
                } finally {
                    fs.release(f.handle());
                }
                if (random.nextInt(4) == 0 && !durable.containsKey("/t" + thread + "/" + name)) {
                    byte[] shareName = ("s" + thread + "-" + i).getBytes();
                    fs.rename(dir, name.getBytes(), shared, shareName, 0);
                    fs.unlink(shared, shareName);
                }
            } catch (FsException e) {
                if (!DEVICE_ERRNOS.contains(e.errno())) {
                    wrong.add("thread " + thread + ", " + name + ": " + e.getMessage());
                }
            } catch (RuntimeException e) {
                wrong.add("thread " + thread + ", " + name + ": not an errno: " + e);
            }
        }
    }

    private static byte[] read(FileSystem fs, String path) {
        return WholeFiles.read(fs, fs.resolve(path, true));
    }
}
