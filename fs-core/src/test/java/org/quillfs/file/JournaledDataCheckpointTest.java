package org.quillfs.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.quillfs.alloc.Allocator;
import org.quillfs.format.ExtentRoot;
import org.quillfs.format.Superblock;
import org.quillfs.txn.Checkpointer;
import org.quillfs.txn.MetadataStore;
import org.quillfs.txn.ReadOnlyTransaction;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.CrashState;
import org.quillfs.volume.CrashStates;
import org.quillfs.volume.ForwardingBlockDevice;
import org.quillfs.volume.MemoryBlockDevice;
import org.quillfs.volume.RecordingBlockDevice;

/**
 * Checkpoints and journaled data: the tail never passes a data record whose block is not home
 * and durable, or recovery would neither replay it nor find it home.
 */
class JournaledDataCheckpointTest {

    static final int BLOCK = 1024;
    static final int SIZE = 4 * BLOCK;

    final MemoryBlockDevice memory = new MemoryBlockDevice("fs", BLOCK, (8L << 20) / BLOCK);
    final Superblock superblock = TestFiles.format(memory);

    static byte[] content(int version) {
        byte[] b = new byte[SIZE];
        new Random(version).nextBytes(b);
        return b;
    }

    @Test
    void aCheckpointKeepsTheTailBeforeAnOpenTransactionsDataAndPassesItOnceTheDataIsHome() {
        try (TestFiles fs = new TestFiles(memory, memory, superblock, DataMode.JOURNAL, TestFiles.QUIET)) {
            ExtentRoot root = fs.write(TestFiles.EMPTY, 0, content(1));
            fs.store.checkpointer().checkpoint();
            long dataAt = fs.store.log().appendedLsn();
            Transaction txn = overwrite(fs, root, 2);
            Checkpointer.Stats during = fs.store.checkpointer().checkpoint();
            assertThat(during.newTail()).as("the open transaction's data records are still needed").isLessThanOrEqualTo(dataAt);
            assertThat(recoverAndRead(memory.copy("crash while open"), root)).as("uncommitted: not replayed")
                    .isEqualTo(content(1));

            txn.commit();
            Checkpointer.Stats after = fs.store.checkpointer().checkpoint();
            assertThat(after.newTail()).as("home now: the tail passes them").isGreaterThan(dataAt);
            assertThat(recoverAndRead(memory.copy("crash after the checkpoint"), root)).isEqualTo(content(2));
        }
    }

    /**
     * The other order: a journaled transaction has made its COMMIT durable and is writing its
     * blocks home when a whole checkpoint runs. The transaction is still in the active table
     * until its blocks are home, so the tail stays before its records.
     */
    @Test
    void aCheckpointWhileCommittedDataIsGoingHomeKeepsTheTailBeforeIt() throws Exception {
        RecordingBlockDevice recording = new RecordingBlockDevice(memory);
        PausingDevice device = new PausingDevice(recording, superblock, "commit under test", false);
        try (TestFiles fs = new TestFiles(memory, device, superblock, DataMode.JOURNAL, TestFiles.QUIET)) {
            ExtentRoot root = fs.write(TestFiles.EMPTY, 0, content(1));
            fs.store.checkpointer().checkpoint();
            long dataAt = fs.store.log().appendedLsn();
            Transaction txn = overwrite(fs, root, 2);
            Thread commit = new Thread(txn::commit, "commit under test");
            commit.start();
            assertThat(device.paused.await(10, TimeUnit.SECONDS)).as("the commit is writing home").isTrue();
            assertThat(fs.store.log().durableLsn()).as("after its COMMIT was durable").isGreaterThan(dataAt);
            Checkpointer.Stats stats = fs.store.checkpointer().checkpoint();
            assertThat(stats.newTail()).as("the records of data not yet home are still needed").isLessThanOrEqualTo(dataAt);
            device.resume.countDown();
            commit.join(10_000);
            assertThat(fs.store.checkpointer().checkpoint().newTail()).isGreaterThan(dataAt);
        }
    }

    /**
     * The race the checkpoint's device flush closes: a checkpoint has written its dirty blocks
     * home and flushed, a journaled transaction then commits and writes its blocks home (no
     * flush), ends, and the checkpoint computes a tail past its records. Unless the device is
     * flushed before the master moves the tail, a crash can keep the master and lose the blocks.
     */
    @Test
    void dataWrittenHomeWhileACheckpointRunsIsDurableBeforeItsMasterMovesTheTail() throws Exception {
        ExtentRoot root;
        try (TestFiles setUp = new TestFiles(memory, memory, superblock, DataMode.JOURNAL, TestFiles.QUIET)) {
            root = setUp.write(TestFiles.EMPTY, 0, content(1));
        }
        RecordingBlockDevice recording = new RecordingBlockDevice(memory);
        PausingDevice device = new PausingDevice(recording, superblock, "checkpoint under test", true);
        TestFiles fs = new TestFiles(memory, device, superblock, DataMode.JOURNAL, TestFiles.QUIET);
        fs.write(TestFiles.EMPTY, 0, content(3)); // another file: dirty bitmap blocks for the checkpoint to write home
        Transaction txn = overwrite(fs, root, 2);
        Thread checkpoint = new Thread(() -> fs.store.checkpointer().checkpoint(), "checkpoint under test");
        checkpoint.start();
        assertThat(device.paused.await(10, TimeUnit.SECONDS)).as("the checkpoint wrote home and flushed").isTrue();
        txn.commit(); // durable, home, ended: the paused checkpoint's tail will pass its records
        int durableAt = recording.flushes();
        device.resume.countDown();
        checkpoint.join(10_000);
        fs.store.halt(); // the crash

        CrashStates states = new CrashStates(recording);
        Random random = new Random(51);
        int checked = 0;
        for (int k = 0; k <= states.flushes(); k++) {
            for (int r = 0; r < 30; r++) {
                CrashState crash = states.reordered(k, random);
                byte[] found = recoverAndRead(crash.device(), root);
                assertThat(Arrays.equals(found, content(1)) || Arrays.equals(found, content(2)))
                        .as("%s: a whole version", crash).isTrue();
                if (k >= durableAt) {
                    assertThat(found).as("%s: the commit was durable", crash).isEqualTo(content(2));
                }
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(100);
    }

    Transaction overwrite(TestFiles fs, ExtentRoot root, int version) {
        Transaction txn = fs.store.transactions().begin(fs.data.logBytesForWrite(root, 0, SIZE));
        fs.data.write(txn, fs.allocator.reserve(txn, 0, 0), root, 0, ByteBuffer.wrap(content(version)), fs.goal());
        return txn;
    }

    /** Recovers {@code device} (a crash image) and reads the file at {@code root} from it. */
    byte[] recoverAndRead(MemoryBlockDevice device, ExtentRoot root) {
        MetadataStore store = MetadataStore.open(device, superblock, TestFiles.QUIET);
        try {
            Allocator allocator = Allocator.open(superblock, store);
            FileData data = new FileData(device, new ExtentTree(superblock.geometry(), superblock.uuid(), allocator),
                    store.log());
            ByteBuffer bytes = ByteBuffer.allocate(SIZE);
            try (ReadOnlyTransaction txn = store.transactions().beginReadOnly()) {
                data.read(txn, root, SIZE, 0, bytes);
            }
            return bytes.array();
        } finally {
            store.halt();
        }
    }

    /**
     * Passes everything to a recording device, but stops the thread named {@code thread} once,
     * until {@link #resume} opens: before its first write outside the journal region (a block
     * going home), or, {@code afterFlush}, right after the first flush that follows such a write.
     */
    static final class PausingDevice extends ForwardingBlockDevice {
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        private final long journalStart;
        private final long journalEnd;
        private final String thread;
        private final boolean afterFlush;
        private volatile boolean wroteHome;

        PausingDevice(RecordingBlockDevice inner, Superblock superblock, String thread, boolean afterFlush) {
            super(inner);
            this.journalStart = superblock.geometry().journalStart();
            this.journalEnd = journalStart + superblock.geometry().journalBlocks();
            this.thread = thread;
            this.afterFlush = afterFlush;
        }

        @Override
        public void write(long firstBlock, ByteBuffer... srcs) {
            if (Thread.currentThread().getName().equals(thread) && (firstBlock < journalStart || firstBlock >= journalEnd)) {
                wroteHome = true;
                if (!afterFlush) {
                    pauseOnce();
                }
            }
            super.write(firstBlock, srcs);
        }

        @Override
        public void flush() {
            super.flush();
            if (afterFlush && Thread.currentThread().getName().equals(thread) && wroteHome) {
                pauseOnce();
            }
        }

        private void pauseOnce() {
            if (paused.getCount() == 0) {
                return;
            }
            paused.countDown();
            try {
                resume.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
