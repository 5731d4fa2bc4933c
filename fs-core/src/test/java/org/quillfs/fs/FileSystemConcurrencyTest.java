package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.FileSystem.ROOT;
import static org.quillfs.fs.TestFileSystems.CALLER;
import static org.quillfs.fs.TestFileSystems.name;
import static org.quillfs.fs.TestFileSystems.random;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.Inode;

/**
 * Many threads on one facade ("thread-safe: many threads may call the facade at once"): the
 * end state must be one that the operations, run one after another in some order, give —
 * names, link counts, contents, free counts — with no deadlock and no exception but the
 * errnos the races allow.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FileSystemConcurrencyTest {

    private static final int THREADS = 4;

    private TestFileSystems t;
    private ExecutorService pool;

    @BeforeEach
    void setUp() {
        t = TestFileSystems.standard();
        pool = Executors.newFixedThreadPool(THREADS);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        t.close();
    }

    /** Runs {@code body(thread)} on every thread at once and waits for all; rethrows the first failure. */
    private void onAllThreads(ThreadBody body) throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            int thread = i;
            futures.add(pool.submit(() -> {
                start.await();
                body.run(thread);
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(100, TimeUnit.SECONDS);
        }
    }

    private interface ThreadBody {
        void run(int thread) throws Exception;
    }

    @Test
    void createsAndUnlinksInOneSharedDirectoryAndInPrivateOnes() throws Exception {
        long shared = t.mkdir(ROOT, "shared");
        long[] own = new long[THREADS];
        for (int i = 0; i < THREADS; i++) {
            own[i] = t.mkdir(ROOT, "own" + i);
        }
        t.reopen();
        FsStats before = t.fs.statfs();
        onAllThreads(thread -> {
            for (int i = 0; i < 1500; i++) {
                long dir = i % 2 == 0 ? shared : own[thread];
                t.fs.mknod(dir, name("t" + thread + "-" + i), Inode.S_IFREG | 0644, 0, CALLER);
                if (i % 3 == 0) {
                    t.fs.unlink(dir, name("t" + thread + "-" + i));
                }
            }
        });
        Set<String> expectedShared = new HashSet<>();
        for (int thread = 0; thread < THREADS; thread++) {
            Set<String> expectedOwn = new HashSet<>();
            for (int i = 0; i < 1500; i++) {
                if (i % 3 != 0) {
                    (i % 2 == 0 ? expectedShared : expectedOwn).add("t" + thread + "-" + i);
                }
            }
            assertThat(TreeSnapshot.names(t.fs, own[thread])).containsExactlyInAnyOrderElementsOf(expectedOwn);
        }
        assertThat(TreeSnapshot.names(t.fs, shared)).containsExactlyInAnyOrderElementsOf(expectedShared);
        assertThat(t.fs.statfs().freeInodes()).isEqualTo(before.freeInodes() - THREADS * 1000L);
        Map<String, TreeSnapshot.Node> snapshot = TreeSnapshot.of(t);
        t.syncAndCrash();
        assertThat(TreeSnapshot.of(t)).isEqualTo(snapshot);
    }

    @Test
    void racingCreatesOfOneNameLeaveExactlyOneWinner() throws Exception {
        long dir = t.mkdir(ROOT, "d");
        ConcurrentLinkedQueue<Long> winners = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Errno> losers = new ConcurrentLinkedQueue<>();
        onAllThreads(thread -> {
            for (int i = 0; i < 300; i++) {
                try {
                    winners.add(t.fs.mkdir(dir, name("n" + i), 0755, CALLER).inode());
                } catch (FsException e) {
                    losers.add(e.errno());
                }
            }
        });
        assertThat(winners).hasSize(300);
        assertThat(losers).hasSize(300 * (THREADS - 1)).containsOnly(Errno.EEXIST);
        assertThat(t.fs.getattr(dir).links()).isEqualTo(2 + 300);
        for (int i = 0; i < 300; i++) {
            assertThat(winners).contains(t.fs.lookup(dir, name("n" + i)).inode());
        }
    }

    @Test
    void renamesOfDirectoriesIntoEachOtherNeverMakeALoop() throws Exception {
        // Thread pairs try to move p into q and q into p at once: one may win, never both.
        long p = t.mkdir(ROOT, "p");
        long q = t.mkdir(ROOT, "q");
        ConcurrentLinkedQueue<Errno> errnos = new ConcurrentLinkedQueue<>();
        onAllThreads(thread -> {
            Random random = new Random(thread);
            for (int i = 0; i < 400; i++) {
                long mover = thread % 2 == 0 ? p : q;
                long other = thread % 2 == 0 ? q : p;
                String moverName = thread % 2 == 0 ? "p" : "q";
                try {
                    long from = t.fs.lookup(mover, name("..")).inode();
                    if (random.nextBoolean()) {
                        t.fs.rename(from, name(moverName), other, name(moverName), 0);
                    } else {
                        t.fs.rename(from, name(moverName), ROOT, name(moverName), 0);
                    }
                } catch (FsException e) {
                    errnos.add(e.errno());
                }
            }
        });
        assertThat(errnos).allMatch(e -> e == Errno.EINVAL || e == Errno.ENOENT);
        // Both are reachable from the root by walking '..' up, without a loop.
        for (long dir : new long[] {p, q}) {
            long at = dir;
            int steps = 0;
            while (at != ROOT) {
                at = t.fs.lookup(at, name("..")).inode();
                assertThat(++steps).as("'..' chain from " + dir + " loops").isLessThan(10);
            }
        }
        boolean qInP = t.fs.lookup(q, name("..")).inode() == p;
        boolean pInQ = t.fs.lookup(p, name("..")).inode() == q;
        assertThat(qInP && pInQ).isFalse();
        assertThat(t.fs.lookup(qInP ? p : ROOT, name("q")).inode()).isEqualTo(q);
        assertThat(t.fs.lookup(pInQ ? q : ROOT, name("p")).inode()).isEqualTo(p);
        assertThat(t.fs.getattr(ROOT).links()).isEqualTo(3 + (qInP ? 0 : 1) + (pInQ ? 0 : 1));
        assertThat(t.fs.getattr(p).links()).isEqualTo(2 + (qInP ? 1 : 0));
        assertThat(t.fs.getattr(q).links()).isEqualTo(2 + (pInQ ? 1 : 0));
        Map<String, TreeSnapshot.Node> snapshot = TreeSnapshot.of(t);
        assertThat(snapshot).hasSize(4);
        t.syncAndCrash();
        assertThat(TreeSnapshot.of(t)).isEqualTo(snapshot);
    }

    @Test
    void writersOfDifferentFilesAndOneFileInDifferentRangesKeepEveryByte() throws Exception {
        long dir = t.mkdir(ROOT, "d");
        long shared = t.file(dir, "shared", new byte[0]);
        long[] own = new long[THREADS];
        for (int i = 0; i < THREADS; i++) {
            own[i] = t.file(dir, "f" + i, new byte[0]);
        }
        onAllThreads(thread -> {
            long h = t.fs.open(own[thread], OpenFlags.O_RDWR);
            long hs = t.fs.open(shared, OpenFlags.O_RDWR);
            for (int i = 0; i < 100; i++) {
                t.fs.write(h, (long) i * 5000, ByteBuffer.wrap(random(5000, thread * 1000L + i)));
                t.fs.write(hs, ((long) i * THREADS + thread) * 4096, ByteBuffer.wrap(random(4096, thread * 1000L + i)));
            }
            t.fs.release(h);
            t.fs.release(hs);
        });
        for (int thread = 0; thread < THREADS; thread++) {
            byte[] all = t.read(own[thread]);
            assertThat(all).hasSize(100 * 5000);
            for (int i = 0; i < 100; i++) {
                assertThat(java.util.Arrays.copyOfRange(all, i * 5000, (i + 1) * 5000))
                        .isEqualTo(random(5000, thread * 1000L + i));
            }
        }
        byte[] all = t.read(shared);
        assertThat(all).hasSize(100 * THREADS * 4096);
        for (int i = 0; i < 100; i++) {
            for (int thread = 0; thread < THREADS; thread++) {
                int at = (i * THREADS + thread) * 4096;
                assertThat(java.util.Arrays.copyOfRange(all, at, at + 4096)).isEqualTo(random(4096, thread * 1000L + i));
            }
        }
    }

    @Test
    void appendsFromManyHandlesAllLandWhole() throws Exception {
        long f = t.file(ROOT, "log", new byte[0]);
        onAllThreads(thread -> {
            long h = t.fs.open(f, OpenFlags.O_WRONLY | OpenFlags.O_APPEND);
            for (int i = 0; i < 200; i++) {
                byte[] record = new byte[100];
                java.util.Arrays.fill(record, (byte) ('A' + thread));
                record[99] = '\n';
                t.fs.write(h, 0, ByteBuffer.wrap(record));
            }
            t.fs.release(h);
        });
        byte[] all = t.read(f);
        assertThat(all).hasSize(THREADS * 200 * 100);
        int[] perThread = new int[THREADS];
        for (int r = 0; r < all.length; r += 100) {
            byte first = all[r];
            for (int k = 0; k < 99; k++) {
                assertThat(all[r + k]).as("record at " + r + " is whole").isEqualTo(first);
            }
            perThread[first - 'A']++;
        }
        assertThat(perThread).containsOnly(200);
    }

    @Test
    void readdirWhileOthersCreateAndRemoveNeverRepeatsOrSkipsAStableName() throws Exception {
        long dir = t.mkdir(ROOT, "d");
        for (int i = 0; i < 1000; i++) {
            t.fs.mknod(dir, name("stable" + i), Inode.S_IFREG | 0644, 0, CALLER);
        }
        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        onAllThreads(thread -> {
            if (thread == 0) {
                for (int pass = 0; pass < 20; pass++) {
                    List<String> seen = new ArrayList<>();
                    long offset = 0;
                    while (true) {
                        List<DirectoryEntry> page = t.fs.readdir(dir, offset, 7);
                        if (page.isEmpty()) {
                            break;
                        }
                        page.forEach(e -> seen.add(new String(e.name())));
                        offset = page.get(page.size() - 1).nextOffset();
                    }
                    Set<String> unique = new HashSet<>(seen);
                    if (unique.size() != seen.size()) {
                        problems.add("pass " + pass + ": a name came twice");
                    }
                    for (int i = 0; i < 1000; i++) {
                        if (!unique.contains("stable" + i)) {
                            problems.add("pass " + pass + ": stable" + i + " skipped");
                        }
                    }
                }
                done.set(true);
            } else {
                int i = 0;
                while (!done.get()) {
                    byte[] n = name("churn" + thread + "-" + i++);
                    t.fs.mknod(dir, n, Inode.S_IFREG | 0644, 0, CALLER);
                    t.fs.unlink(dir, n);
                }
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void openUnlinkAndReleaseRacesFreeTheInodeExactlyOnce() throws Exception {
        long dir = t.mkdir(ROOT, "d");
        t.file(dir, "keep", "x");
        t.reopen();
        FsStats before = t.fs.statfs();
        for (int round = 0; round < 30; round++) {
            long seed = round;
            long f = t.file(dir, "victim", random(20_000, seed));
            onAllThreads(thread -> {
                if (thread == 0) {
                    t.fs.unlink(dir, name("victim"));
                    return;
                }
                long h;
                try {
                    h = t.fs.open(f, OpenFlags.O_RDONLY);
                } catch (FsException e) {
                    assertThat(e.errno()).isEqualTo(Errno.ENOENT); // gone before this open
                    return;
                }
                byte[] got = t.readHandle(h, 0, 20_000);
                assertThat(got).isEqualTo(random(20_000, seed));
                t.fs.release(h);
            });
        }
        assertThat(t.fs.statfs().freeInodes()).isEqualTo(before.freeInodes());
        t.reopen();
        assertThat(t.fs.statfs()).isEqualTo(before);
    }
}
