package org.quillfs.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quillfs.alloc.Allocator;
import org.quillfs.alloc.Reservation;
import org.quillfs.format.ExtentRoot;
import org.quillfs.format.Inode;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.inode.InodeStore;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.txn.MetadataStore;
import org.quillfs.txn.ReadOnlyTransaction;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.CrashState;
import org.quillfs.volume.CrashStates;
import org.quillfs.volume.MemoryBlockDevice;
import org.quillfs.volume.RecordingBlockDevice;

/**
 * Journal mode across crashes: a few files are overwritten whole, in place, over and over, each
 * write one transaction that commits or aborts; now and then a file is truncated to nothing and
 * written anew (new blocks, the old ones freed), and checkpoints run while the small log wraps.
 * At every crash point of the recorded run ({@link FileCrashPoints}), recovery must leave each
 * file holding exactly one of the states it passed through: one transaction's whole write
 * (never a mix of two, never an aborted or unfinished one's), or empty after a truncate; and no
 * state older than the newest one whose COMMIT was durable at the crash.
 */
class JournaledDataCrashTest {

    static final int BLOCK = 1024;
    static final int FILES = 3;
    /** Each write: six blocks, the last one partial. */
    static final int SIZE = 6 * BLOCK - 100;

    /** A state a file passed through: a version written (0 = empty), and the flushes after which its COMMIT was durable. */
    record State(int version, boolean committed, int flushesWhenDurable) {
    }

    final MemoryBlockDevice memory = new MemoryBlockDevice("fs", BLOCK, (8L << 20) / BLOCK);
    final Superblock superblock = TestFiles.format(memory);
    final long[] inodes = new long[FILES];
    final List<List<State>> histories = new ArrayList<>();
    /** Versions written by transactions that aborted or never finished: never to be seen. */
    final List<List<Integer>> lost = new ArrayList<>();


    static byte[] content(int file, int version) {
        byte[] b = new byte[SIZE];
        new Random(file * 100_003L + version).nextBytes(b);
        return b;
    }

    @Test
    void everyCrashPointRecoversEachFileToOneWholeTransactionsWriteNoOlderThanTheLastDurable() {
        setUp();
        RecordingBlockDevice recording = new RecordingBlockDevice(memory);
        TestFiles fs = new TestFiles(memory, recording, superblock, DataMode.JOURNAL, TestFiles.QUIET);
        runWorkload(fs, recording, new Random(41), 70);
        assertThat(fs.store.checkpointer().completed()).as("checkpoints ran").isGreaterThan(3);
        fs.store.halt(); // the crash

        CrashStates states = new CrashStates(recording);
        List<CrashState> crashes = FileCrashPoints.of(states, new Random(42), 3);
        assertThat(crashes.size()).isGreaterThan(300);
        for (CrashState crash : crashes) {
            int durable = durableFlushes(states, crash);
            checkFiles(crash, durable);
        }
    }

    void setUp() {
        try (TestFiles fs = new TestFiles(memory, memory, superblock, DataMode.JOURNAL, TestFiles.QUIET)) {
            InodeStore store = new InodeStore(superblock);
            for (int i = 0; i < FILES; i++) {
                Transaction txn = fs.store.transactions().begin(fs.allocator.logBytesPerInode()
                        + LogRecordCodec.updateSize(Limits.INODE_SIZE));
                inodes[i] = fs.allocator.allocateInode(txn, fs.allocator.reserve(txn, 0, 1), Limits.ROOT_INODE, false);
                store.write(txn, inodes[i], FileDataTest.inode(0, TestFiles.EMPTY));
                txn.commit();
                histories.add(new ArrayList<>(List.of(new State(0, true, 0))));
                lost.add(new ArrayList<>());
            }
        }
    }

    void runWorkload(TestFiles fs, RecordingBlockDevice recording, Random random, int count) {
        InodeStore store = new InodeStore(superblock);
        ExtentRoot[] roots = new ExtentRoot[FILES];
        Arrays.fill(roots, TestFiles.EMPTY);
        long[] sizes = new long[FILES];
        for (int version = 1; version <= count; version++) {
            int i = random.nextInt(FILES);
            if (sizes[i] > 0 && random.nextInt(6) == 0) {
                roots[i] = truncate(fs, store, i, roots[i], sizes[i]);
                sizes[i] = 0;
                histories.get(i).add(new State(0, true, Integer.MAX_VALUE)); // not forced: durable with a later commit
            }
            Transaction txn = fs.store.transactions().begin(fs.data.logBytesForWrite(roots[i], 0, SIZE)
                    + LogRecordCodec.updateSize(Limits.INODE_SIZE));
            Reservation r = fs.allocator.reserve(txn, fs.data.blocksForWrite(roots[i], 0, SIZE), 0);
            ExtentRoot after = fs.data.write(txn, r, roots[i], 0, ByteBuffer.wrap(content(i, version)), fs.goal());
            store.write(txn, inodes[i], FileDataTest.inode(SIZE, after));
            if (version == count) {
                lost.get(i).add(version); // open at the crash
                break;
            }
            if (random.nextInt(5) == 0) {
                txn.abort();
                lost.get(i).add(version);
            } else {
                txn.commit(); // journal mode: returns once the COMMIT is durable
                roots[i] = after;
                sizes[i] = SIZE;
                histories.get(i).add(new State(version, true, recording.flushes()));
            }
            if (random.nextInt(6) == 0) {
                fs.store.checkpointer().checkpoint();
            }
        }
    }

    ExtentRoot truncate(TestFiles fs, InodeStore store, int i, ExtentRoot root, long size) {
        long budget;
        try (ReadOnlyTransaction look = fs.store.transactions().beginReadOnly()) {
            budget = fs.data.logBytesForTruncate(look, root, 0) + LogRecordCodec.updateSize(Limits.INODE_SIZE);
        }
        Transaction txn = fs.store.transactions().begin(budget);
        ExtentRoot after = fs.data.truncate(txn, root, size, 0);
        store.write(txn, inodes[i], FileDataTest.inode(0, after));
        txn.commit();
        return after;
    }

    void checkFiles(CrashState crash, int durableFlushes) {
        MemoryBlockDevice device = crash.device();
        MetadataStore store = MetadataStore.open(device, superblock, TestFiles.QUIET);
        try {
            Allocator allocator = Allocator.open(superblock, store);
            FileData data = new FileData(device, new ExtentTree(superblock.geometry(), superblock.uuid(), allocator),
                    store.log());
            InodeStore inodeStore = new InodeStore(superblock);
            try (ReadOnlyTransaction txn = store.transactions().beginReadOnly()) {
                for (int i = 0; i < FILES; i++) {
                    Inode inode = inodeStore.read(txn, inodes[i]).orElseThrow();
                    ByteBuffer bytes = ByteBuffer.allocate((int) inode.size());
                    data.read(txn, ExtentRoot.decode(inode.data()), inode.size(), 0, bytes);
                    checkFile(crash, i, bytes.array(), durableFlushes);
                }
            }
        } finally {
            store.halt();
        }
    }

    void checkFile(CrashState crash, int i, byte[] found, int durableFlushes) {
        String what = crash + ": file " + i;
        for (int version : lost.get(i)) {
            assertThat(Arrays.equals(found, content(i, version))).as(what + " shows version %d, which never committed", version)
                    .isFalse();
        }
        List<State> history = histories.get(i);
        int newestDurable = 0;
        for (int at = 0; at < history.size(); at++) {
            if (history.get(at).flushesWhenDurable() <= durableFlushes) {
                newestDurable = at;
            }
        }
        for (int at = history.size() - 1; at >= newestDurable; at--) {
            State s = history.get(at);
            if (s.version() == 0 ? found.length == 0 : Arrays.equals(found, content(i, s.version()))) {
                return;
            }
        }
        throw new AssertionError(what + " (" + found.length + " bytes) is none of its states from the newest durable one,"
                + " version " + history.get(newestDurable).version() + ", on: a mix, or lost data");
    }

    /** The flushes whose preceding writes the crash keeps, from its name ("after write n", "after flush k"). */
    static int durableFlushes(CrashStates states, CrashState crash) {
        String name = crash.name();
        if (name.startsWith("after flush ")) {
            return Integer.parseInt(name.substring("after flush ".length(), name.indexOf(' ', "after flush ".length())));
        }
        if (name.startsWith("from the start")) {
            return 0;
        }
        int n = Integer.parseInt(name.substring("after write ".length(), name.indexOf(' ', "after write ".length())));
        if (name.contains("torn")) {
            n--; // the torn write is not whole
        }
        int k = 0;
        while (k < states.flushes() && states.writesBefore(k + 1) <= n) {
            k++;
        }
        return k;
    }
}
