package org.quillfs.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quillfs.alloc.Allocator;
import org.quillfs.alloc.Reservation;
import org.quillfs.format.ExtentEntry;
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
 * Ordered mode across crashes: files on a nearly full filesystem are truncated and rewritten
 * over and over, each step its own transaction, committed without a force (some forced), so
 * the blocks one file frees are soon written with another file's data. At every crash point of
 * the recorded run ({@link FileCrashPoints}), recovery must leave every file holding only its
 * own bytes: never another file's, never a block that its data did not reach. Each file's bytes
 * are all one value, its tag.
 *
 * <p>Either ordering rule broken fails it: a block handed out before its free is durable lets a
 * crash give it back to its old file with the new file's bytes; a COMMIT durable before its
 * data lets the new file map a block that still holds the old file's bytes.
 */
class OrderedDataCrashTest {

    static final int BLOCK = 1024;
    static final int FILES = 3;
    static final int FREE_LEFT = 30;

    final MemoryBlockDevice memory = new MemoryBlockDevice("fs", BLOCK, (8L << 20) / BLOCK);
    final Superblock superblock = TestFiles.format(memory);
    final long[] inodes = new long[FILES];


    static byte tag(int file) {
        return (byte) (0xA1 + 0x11 * file);
    }

    @Test
    void noCrashPointShowsAFileAnotherFilesBytes() {
        setUp();
        RecordingBlockDevice recording = new RecordingBlockDevice(memory);
        TestFiles fs = new TestFiles(memory, recording, superblock, DataMode.ORDERED, TestFiles.QUIET);
        int reused = runWorkload(fs, new Random(31), 60);
        fs.store.halt(); // the crash
        assertThat(reused).as("blocks went from one file to another").isGreaterThan(20);

        CrashStates states = new CrashStates(recording);
        List<CrashState> crashes = FileCrashPoints.of(states, new Random(32), 3);
        assertThat(crashes.size()).isGreaterThan(200);
        for (CrashState crash : crashes) {
            checkFiles(crash);
        }
    }

    /** Formats, makes the files (empty) and fills all but {@link #FREE_LEFT} blocks; closes cleanly. */
    void setUp() {
        try (TestFiles fs = new TestFiles(memory, memory, superblock, DataMode.ORDERED, TestFiles.QUIET)) {
            InodeStore store = new InodeStore(superblock);
            for (int i = 0; i < FILES; i++) {
                Transaction txn = fs.store.transactions().begin(fs.allocator.logBytesPerInode()
                        + LogRecordCodec.updateSize(Limits.INODE_SIZE));
                Reservation r = fs.allocator.reserve(txn, 0, 1);
                inodes[i] = fs.allocator.allocateInode(txn, r, Limits.ROOT_INODE, false);
                store.write(txn, inodes[i], FileDataTest.inode(0, TestFiles.EMPTY));
                txn.commit();
            }
            while (fs.allocator.freeBlocks() > FREE_LEFT) {
                Transaction txn = fs.store.transactions().begin(fs.allocator.logBytesPerBlockRun(4096));
                Reservation r = fs.allocator.reserve(txn, Math.min(4096, fs.allocator.freeBlocks() - FREE_LEFT), 0);
                fs.allocator.allocateBlocks(txn, r, 0, 4096);
                txn.commit();
            }
        }
    }

    /** Rounds of "truncate a file to nothing, write it anew"; returns how many blocks changed file. */
    int runWorkload(TestFiles fs, Random random, int rounds) {
        InodeStore store = new InodeStore(superblock);
        ExtentRoot[] roots = new ExtentRoot[FILES];
        long[] sizes = new long[FILES];
        java.util.Arrays.fill(roots, TestFiles.EMPTY);
        Map<Long, Integer> owner = new HashMap<>();
        int reused = 0;
        for (int round = 0; round < rounds; round++) {
            int i = random.nextInt(FILES);
            roots[i] = truncate(fs, store, i, roots[i], sizes[i]);
            sizes[i] = 1 + random.nextInt(8 * BLOCK);
            byte[] content = new byte[(int) sizes[i]];
            java.util.Arrays.fill(content, tag(i));
            roots[i] = write(fs, store, i, roots[i], content);
            for (ExtentEntry e : fs.map(roots[i], 0, 100)) {
                for (long b = e.physical(); b < e.physical() + e.length(); b++) {
                    Integer before = owner.put(b, i);
                    if (before != null && before != i) {
                        reused++;
                    }
                }
            }
            if (random.nextInt(4) == 0) {
                fs.store.log().forceAll(); // fsync
            }
        }
        return reused;
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

    ExtentRoot write(TestFiles fs, InodeStore store, int i, ExtentRoot root, byte[] content) {
        Transaction txn = fs.store.transactions().begin(fs.data.logBytesForWrite(root, 0, content.length)
                + LogRecordCodec.updateSize(Limits.INODE_SIZE));
        Reservation r = fs.allocator.reserve(txn, fs.data.blocksForWrite(root, 0, content.length), 0);
        ExtentRoot after = fs.data.write(txn, r, root, 0, ByteBuffer.wrap(content), fs.goal());
        store.write(txn, inodes[i], FileDataTest.inode(content.length, after));
        txn.commit();
        return after;
    }

    /** Recovers a copy of the crash and reads every file: each byte must be the file's tag. */
    void checkFiles(CrashState crash) {
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
                    for (int at = 0; at < bytes.capacity(); at++) {
                        if (bytes.get(at) != tag(i)) {
                            throw new AssertionError(crash + ": file " + i + " holds " + String.format("%02x", bytes.get(at))
                                    + " at byte " + at + " of " + inode.size() + ", not its tag "
                                    + String.format("%02x", tag(i)));
                        }
                    }
                }
            }
        } finally {
            store.halt();
        }
    }
}
