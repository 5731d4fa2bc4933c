package org.quillfs.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.quillfs.cache.CachedBlock;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.Formatter;
import org.quillfs.format.Geometry;
import org.quillfs.format.Superblock;
import org.quillfs.format.TestFormats;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.journal.Recovery;
import org.quillfs.journal.RecoveryReport;
import org.quillfs.volume.CrashStates;
import org.quillfs.volume.RecordingBlockDevice;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.ForwardingBlockDevice;
import org.quillfs.volume.MemoryBlockDevice;

class MetadataStoreTest {

    static final int BLOCK = 4096;
    /** Where a block's bytes after the header's LSN and checksum begin: what updates may change. */
    static final int BLOCK_BODY = BlockHeader.LSN_END;

    final MemoryBlockDevice device = new MemoryBlockDevice("fs", BLOCK, (64L << 20) / BLOCK);
    final Superblock superblock = Formatter.format(device, TestFormats.options(BLOCK, 64L << 20));
    final List<MetadataStore> opened = new ArrayList<>();

    MetadataStore open(BlockDevice on, MetadataStore.Options options) {
        MetadataStore store = MetadataStore.open(on, superblock, options);
        opened.add(store);
        return store;
    }

    MetadataStore open() {
        return open(device, MetadataStore.Options.defaults());
    }

    @AfterEach
    void closeAll() {
        for (MetadataStore store : opened) {
            store.close();
        }
    }

    /** A data block of group 0 that no structure uses: free for tests to scribble on. */
    long scratch(int i) {
        Geometry g = superblock.geometry();
        return g.firstDataBlock(0) + 10 + i;
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    byte[] onDisk(long block, int offset, int n) {
        ByteBuffer b = ByteBuffer.allocate(BLOCK);
        device.read(block, b);
        byte[] out = new byte[n];
        b.get(offset, out);
        return out;
    }

    @Test
    void aCommittedTransactionIsHomeAfterCloseAndTheNextOpenRecoversNothing() {
        MetadataStore store = open();
        Transaction txn = store.transactions().begin(2 * LogRecordCodec.updateSize(100));
        txn.update(scratch(0), 100, bytes(100, 1));
        txn.update(scratch(1), 2000, bytes(100, 2));
        store.transactions().force(txn.commit());
        store.close();

        assertThat(onDisk(scratch(0), 100, 100)).isEqualTo(bytes(100, 1));
        assertThat(onDisk(scratch(1), 2000, 100)).isEqualTo(bytes(100, 2));
        assertThat(open().recovery().didNothing()).isTrue();
    }

    @Test
    void updateChangedLogsEachRunOfChangedBytesAndNothingForTheSameBytes() {
        MetadataStore store = open();
        long block = scratch(3);
        byte[] after;
        try (CachedBlock cached = store.cache().pin(block)) {
            after = cached.copy(BLOCK_BODY, BLOCK - BLOCK_BODY);
        }
        byte[] original = after.clone();
        after[10] ^= 1; // a run at each end of the block, far apart
        after[11] ^= 1;
        after[after.length - 1] ^= 1;
        Transaction txn = store.transactions().begin(LogRecordCodec.updateSize(after.length));
        long before = store.log().appendedLsn();
        txn.updateChanged(block, BLOCK_BODY, original);
        assertThat(store.log().appendedLsn()).as("nothing changes, nothing is logged").isEqualTo(before);

        txn.updateChanged(block, BLOCK_BODY, after);

        assertThat(store.log().appendedLsn() - before).isEqualTo(LogRecordCodec.updateSize(2) + LogRecordCodec.updateSize(1));
        try (CachedBlock cached = store.cache().pin(block)) {
            assertThat(cached.copy(BLOCK_BODY, after.length)).isEqualTo(after);
        }
        txn.abort();
        try (CachedBlock cached = store.cache().pin(block)) {
            assertThat(cached.copy(BLOCK_BODY, after.length)).isEqualTo(original);
        }
    }

    @Test
    void updateChangedLogsChangesCloseTogetherAsOneRecord() {
        MetadataStore store = open();
        long block = scratch(4);
        byte[] after;
        try (CachedBlock cached = store.cache().pin(block)) {
            after = cached.copy(BLOCK_BODY, 100);
        }
        after[0] ^= 1;
        after[5] ^= 1; // 4 unchanged bytes between: cheaper inside one record than as a second record
        Transaction txn = store.transactions().begin(LogRecordCodec.updateSize(100));
        long before = store.log().appendedLsn();

        txn.updateChanged(block, BLOCK_BODY, after);

        assertThat(store.log().appendedLsn() - before).isEqualTo(LogRecordCodec.updateSize(6));
        txn.abort();
    }

    @Test
    void aMostlyDirtyCacheIsWrittenHomeByACheckpointBeforeTheLogFills() throws Exception {
        int cacheBlocks = 64;
        MetadataStore store = open(device, new MetadataStore.Options(cacheBlocks * BLOCK, Duration.ofHours(1),
                Duration.ofHours(1)));
        long before = store.checkpointer().completed();
        for (int i = 0; i < cacheBlocks / 2; i++) { // small changes: the log stays nearly empty
            Transaction txn = store.transactions().begin(LogRecordCodec.updateSize(8));
            txn.update(scratch(10 + i), 100, bytes(8, i));
            txn.commit();
        }
        assertThat(store.cache().mostlyDirty()).isTrue();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.checkpointer().completed() == before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }

        assertThat(store.checkpointer().completed()).as("a checkpoint ran").isGreaterThan(before);
        assertThat(store.cache().mostlyDirty()).isFalse();
        assertThat(onDisk(scratch(10), 100, 8)).isEqualTo(bytes(8, 0));
    }

    @Test
    void abortLeavesNothingBehind() {
        MetadataStore store = open();
        byte[] original = onDisk(scratch(2), 500, 300);
        Transaction txn = store.transactions().begin(3 * LogRecordCodec.updateSize(300));
        txn.update(scratch(2), 500, bytes(300, 3));
        txn.update(scratch(2), 600, bytes(300, 4));
        txn.abort();
        try (CachedBlock block = store.cache().pin(scratch(2))) {
            assertThat(block.copy(500, 300)).isEqualTo(original);
        }
        store.close();
        assertThat(onDisk(scratch(2), 500, 300)).isEqualTo(original);
        assertThatThrownBy(txn::commit).isInstanceOf(IllegalStateException.class).hasMessageContaining("after it aborted");
    }

    @Test
    void workNobodyFsyncedIsDurableWithinTheCommitInterval() throws Exception {
        RecordingBlockDevice recording = new RecordingBlockDevice(device);
        MetadataStore store = open(recording, new MetadataStore.Options(64L << 20, Duration.ofMillis(200), Duration.ofHours(1)));
        Transaction txn = store.transactions().begin(LogRecordCodec.updateSize(64));
        txn.update(scratch(7), 128, bytes(64, 7));
        txn.commit(); // no force
        int flushes = recording.flushes();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (recording.flushes() == flushes && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        MemoryBlockDevice crashed = new CrashStates(recording).atWrite(recording.writes()).device();
        Recovery.run(crashed, superblock);
        ByteBuffer block = ByteBuffer.allocate(BLOCK);
        crashed.read(scratch(7), block);
        byte[] found = new byte[64];
        block.get(128, found);
        assertThat(found).as("committed, never forced, recovered after the interval").isEqualTo(bytes(64, 7));
    }

    @Test
    void reopeningAfterACrashRecoversAndReportsWhatItDid() {
        RecordingBlockDevice recording = new RecordingBlockDevice(device);
        MetadataStore crashing = MetadataStore.open(recording, superblock, MetadataStore.Options.defaults());
        Transaction committed = crashing.transactions().begin(LogRecordCodec.updateSize(32));
        committed.update(scratch(8), 64, bytes(32, 8));
        crashing.transactions().force(committed.commit());
        Transaction unfinished = crashing.transactions().begin(LogRecordCodec.updateSize(32));
        unfinished.update(scratch(9), 64, bytes(32, 9));
        crashing.log().forceAll();
        crashing.halt();
        MemoryBlockDevice crashed = new CrashStates(recording).atWrite(recording.writes()).device();

        MetadataStore reopened = open(crashed, MetadataStore.Options.defaults());
        RecoveryReport report = reopened.recovery();
        assertThat(report.rolledForward()).isEqualTo(1);
        assertThat(report.rolledBack()).isEqualTo(1);
        assertThat(report.recordsRead()).isGreaterThanOrEqualTo(4);
        assertThat(report.blocksWritten()).isEqualTo(2);
        assertThat(report.toString()).startsWith("journal recovery: 1 transactions rolled forward, 1 rolled back");
        try (CachedBlock a = reopened.cache().pin(scratch(8)); CachedBlock b = reopened.cache().pin(scratch(9))) {
            assertThat(a.copy(64, 32)).isEqualTo(bytes(32, 8));
            assertThat(b.copy(64, 32)).containsOnly(0);
        }
    }

    @Test
    void initialisingAFixedBlockLogsWhatDiffersFromTheDeviceAndRecoveryRebuildsTheImage() {
        long zeros = scratch(10);
        long garbage = scratch(11);
        device.write(garbage, ByteBuffer.wrap(bytes(BLOCK, 11)));
        byte[] image = new byte[BLOCK]; // a header around the LSN and checksum, zeros after it
        Arrays.fill(image, 0, BlockHeader.LSN_START, (byte) 0x5a);
        Arrays.fill(image, BlockHeader.LSN_END, BlockHeader.LSN_END + 12, (byte) 0xa5);
        RecordingBlockDevice recording = new RecordingBlockDevice(device);
        MetadataStore crashing = MetadataStore.open(recording, superblock, MetadataStore.Options.defaults());
        Transaction txn = crashing.transactions().begin(2 * LogRecordCodec.updateSize(BLOCK));

        long start = crashing.log().appendedLsn();
        txn.initialiseFixedBlock(zeros, image);
        long overZeros = crashing.log().appendedLsn() - start;
        txn.initialiseFixedBlock(garbage, image);
        long overGarbage = crashing.log().appendedLsn() - start - overZeros;
        crashing.transactions().force(txn.commit());
        crashing.halt();

        assertThat(overZeros).as("over zeros, only the header is logged")
                .isEqualTo(LogRecordCodec.updateSize(BlockHeader.LSN_START) + LogRecordCodec.updateSize(12));
        assertThat(overGarbage).as("over other bytes, every byte that differs")
                .isGreaterThan(2L * (BLOCK - BlockHeader.LSN_END) * 9 / 10);
        MemoryBlockDevice crashed = new CrashStates(recording).atWrite(recording.writes()).device();
        open(crashed, MetadataStore.Options.defaults()).close();
        for (long block : new long[] {zeros, garbage}) {
            ByteBuffer home = ByteBuffer.allocate(BLOCK);
            crashed.read(block, home);
            byte[] recovered = home.array();
            assertThat(Arrays.copyOfRange(recovered, 0, BlockHeader.LSN_START))
                    .isEqualTo(Arrays.copyOfRange(image, 0, BlockHeader.LSN_START));
            assertThat(Arrays.copyOfRange(recovered, BlockHeader.LSN_END, BLOCK))
                    .as("block %d after recovery", block)
                    .isEqualTo(Arrays.copyOfRange(image, BlockHeader.LSN_END, BLOCK));
        }
    }

    @Test
    void anUnloggedChangeFailsLoudly() {
        MetadataStore store = open();
        try (CachedBlock block = store.cache().pin(scratch(3))) {
            assertThatThrownBy(() -> block.apply(100, new byte[4], store.log().appendedLsn() + 1000))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("unlogged");
            assertThatThrownBy(() -> block.contents().put(0, (byte) 1)).isInstanceOf(java.nio.ReadOnlyBufferException.class);
        }
    }

    @Test
    void aMillionReadOnlyTransactionsReuseAHandfulOfObjects() throws Exception {
        MetadataStore store = open();
        long headBefore = store.log().appendedLsn();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < 250_000; i++) {
                    try (ReadOnlyTransaction txn = store.transactions().beginReadOnly()) {
                        if (i % 1000 == 0) {
                            try (CachedBlock block = txn.read(scratch(4))) {
                                assertThat(block.blockNr()).isEqualTo(scratch(4));
                            }
                        }
                    }
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(store.transactions().readOnlyObjectsCreated()).isLessThan(100);
        assertThat(store.log().appendedLsn()).as("read-only transactions log nothing").isEqualTo(headBefore);
    }

    @Test
    void aReadWriteTransactionObjectIsReusedAndCarriesNothingOverFromItsLastUse() {
        MetadataStore store = open();
        TransactionManager manager = store.transactions();
        long budget = LogRecordCodec.updateSize(8);
        AtomicInteger firstEnded = new AtomicInteger();
        AtomicInteger firstBeforeCommit = new AtomicInteger();

        Transaction first = manager.begin(budget);
        first.update(scratch(20), 100, bytes(8, 1)); // takes the whole budget, locks scratch(20) exclusive
        first.onEnd(committed -> firstEnded.incrementAndGet());
        first.beforeCommit(firstBeforeCommit::incrementAndGet);
        long firstId = first.id();
        first.commit();
        assertThatThrownBy(() -> first.update(scratch(20), 100, bytes(8, 2)))
                .as("an ended transaction stays unusable while it waits in the pool")
                .isInstanceOf(IllegalStateException.class);

        Transaction second = manager.begin(budget);
        assertThat(second).as("the pool hands the same object out again").isSameAs(first);
        assertThat(second.id()).isNotEqualTo(firstId);
        assertThat(manager.activeTable()).as("it has logged nothing yet: not in the table with the last use's LSNs")
                .isEmpty();
        try (CachedBlock block = second.readForUpdate(scratch(20))) {
            assertThat(block.blockNr()).isEqualTo(scratch(20));
        }
        assertThat(manager.locks().held(second.id()))
                .as("it takes the lock again rather than remember the last use's exclusive lock")
                .containsExactly(new PageLockManager.HeldLock(scratch(20), true));
        second.update(scratch(20), 200, bytes(8, 3)); // the whole budget again: the last use's bytes do not count
        assertThat(manager.activeTable()).singleElement()
                .satisfies(t -> assertThat(t.txn()).isEqualTo(second.id()));
        second.abort();

        assertThat(firstEnded).as("the last use's end action ran once, at its own end").hasValue(1);
        assertThat(firstBeforeCommit).hasValue(1);
        try (CachedBlock block = store.cache().pin(scratch(20))) {
            assertThat(block.copy(100, 8)).as("the abort undid its own change, not the last use's").isEqualTo(bytes(8, 1));
            assertThat(block.copy(200, 8)).isEqualTo(new byte[8]);
        }
    }

    @Test
    void blockCopiesToChangeAreReusedByTheNextUseAndHoldOnlyTheBlockCopied() {
        MetadataStore store = open();
        TransactionManager manager = store.transactions();
        long budget = 2 * LogRecordCodec.updateSize(8);
        Transaction first = manager.begin(budget);
        first.update(scratch(30), 100, bytes(8, 1));
        first.update(scratch(31), 100, bytes(8, 2));
        byte[] copy;
        try (CachedBlock block = first.readForUpdate(scratch(30))) {
            copy = first.copyToChange(block);
        }
        copy[300] = 7; // a change the first use never logs
        first.commit();

        Transaction second = manager.begin(budget);
        try (CachedBlock y = second.readForUpdate(scratch(31)); CachedBlock x = second.readForUpdate(scratch(30))) {
            byte[] again = second.copyToChange(y);
            assertThat(again).as("the next use gets the same array back").isSameAs(copy);
            assertThat(again).as("holding the block it copies, nothing of the last use").isEqualTo(y.copy(0, BLOCK));
            byte[] other = second.copyToChange(x);
            assertThat(other).as("two copies in one use are two arrays").isNotSameAs(again);
            assertThat(other).isEqualTo(x.copy(0, BLOCK));
        }
        second.commit();
    }

    @Test
    void readWriteTransactionsFromManyThreadsReuseAHandfulOfObjects() throws Exception {
        MetadataStore store = open();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            long block = scratch(21 + t);
            done.add(pool.submit(() -> {
                for (int i = 0; i < 20_000; i++) {
                    Transaction txn = store.transactions().begin(LogRecordCodec.updateSize(4));
                    txn.update(block, 100, ByteBuffer.allocate(4).putInt(i).array());
                    txn.commit();
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(store.transactions().readWriteObjectsCreated()).isLessThan(100);
        for (int t = 0; t < 4; t++) {
            try (CachedBlock block = store.cache().pin(scratch(21 + t))) {
                assertThat(ByteBuffer.wrap(block.copy(100, 4)).getInt()).isEqualTo(19_999);
            }
        }
    }

    @Test
    void aDeadlockVictimAbortsReplaysAndBothFinish() throws Exception {
        MetadataStore store = open();
        CountDownLatch bothHoldOne = new CountDownLatch(2);
        AtomicInteger victims = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            long first = scratch(5 + t);
            long second = scratch(6 - t);
            int seed = t;
            done.add(pool.submit(() -> {
                boolean firstTry = true;
                while (true) {
                    Transaction txn = store.transactions().begin(2 * LogRecordCodec.updateSize(8));
                    try {
                        txn.update(first, 64 + 8 * seed, bytes(8, seed));
                        if (firstTry) {
                            firstTry = false;
                            bothHoldOne.countDown();
                            bothHoldOne.await(10, TimeUnit.SECONDS);
                        }
                        txn.update(second, 64 + 8 * seed, bytes(8, seed));
                        txn.commit();
                        return null;
                    } catch (DeadlockException e) {
                        victims.incrementAndGet();
                        txn.abort(); // and replay the operation
                    }
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(victims.get()).isEqualTo(1);
        try (CachedBlock a = store.cache().pin(scratch(5)); CachedBlock b = store.cache().pin(scratch(6))) {
            assertThat(a.copy(64, 8)).isEqualTo(bytes(8, 0));
            assertThat(b.copy(72, 8)).isEqualTo(bytes(8, 1));
        }
    }

    @Test
    void aVictimsReplayTakesItsLocksBackInBlockOrderAndSeesWhetherTheyChanged() {
        MetadataStore store = open();
        long read = scratch(9);
        long written = scratch(3);
        Transaction victim = store.transactions().begin(LogRecordCodec.updateSize(8));
        victim.read(read).close();
        victim.update(written, 64, bytes(8, 1));
        ReadSet locks = victim.abortForReplay();
        assertThat(locks.locks()).extracting(PageLockManager.HeldLock::blockNr).containsExactly(written, read);
        assertThat(locks.locks()).extracting(PageLockManager.HeldLock::exclusive).containsExactly(true, false);

        Transaction sameState = store.transactions().begin(LogRecordCodec.updateSize(8));
        assertThat(sameState.relock(locks)).as("nothing changed since the abort").isFalse();
        assertThat(store.transactions().locks().holdsExclusive(sameState.id(), written)).isTrue();
        assertThat(store.transactions().locks().holdsShared(sameState.id(), read)).isTrue();
        sameState.commit();

        Transaction other = store.transactions().begin(LogRecordCodec.updateSize(8));
        other.update(read, 64, bytes(8, 2));
        other.commit();
        Transaction conflicting = store.transactions().begin(LogRecordCodec.updateSize(8));
        assertThat(conflicting.relock(locks)).as("a block the victim read changed").isTrue();
        conflicting.commit();
    }

    @Test
    void aSmallLogWrapsManyTimesUnderCheckpointsAndNothingIsLost() {
        MetadataStore store = open(device, new MetadataStore.Options(1 << 20, Duration.ofSeconds(5), Duration.ofHours(1)));
        long capacity = store.log().region().capacity();
        long written = 0;
        int i = 0;
        while (written < 10 * capacity) {
            Transaction txn = store.transactions().begin(LogRecordCodec.updateSize(1000));
            txn.update(scratch(10 + i % 50), 1000, bytes(1000, i));
            store.transactions().force(txn.commit());
            written += LogRecordCodec.updateSize(1000);
            i++;
        }
        assertThat(store.checkpointer().completed()).isGreaterThan(5);
        store.close();
        for (int k = i - 50; k < i; k++) {
            assertThat(onDisk(scratch(10 + k % 50), 1000, 1000)).as("last write of block %d", k % 50).isEqualTo(bytes(1000, k));
        }
    }

    @Test
    void aCheckpointFlushingThousandsOfBlocksDoesNotStopCommits() throws Exception {
        SlowDevice slow = new SlowDevice(device);
        MetadataStore store = open(slow, new MetadataStore.Options(64L << 20, Duration.ofSeconds(5), Duration.ofHours(1)));
        int dirtyBlocks = 3000;
        for (int i = 0; i < dirtyBlocks; i += 100) {
            Transaction txn = store.transactions().begin(100L * LogRecordCodec.updateSize(16));
            for (int j = i; j < i + 100; j++) {
                txn.update(scratch(100 + j), 512, bytes(16, j));
            }
            txn.commit();
        }
        slow.writeDelay = true;
        AtomicBoolean checkpointing = new AtomicBoolean(true);
        AtomicLong commitsDuringCheckpoint = new AtomicLong();
        Thread worker = new Thread(() -> {
            int k = 0;
            while (checkpointing.get()) {
                Transaction txn = store.transactions().begin(LogRecordCodec.updateSize(16));
                txn.update(scratch(50 + k % 10), 0x300, bytes(16, k));
                txn.commit();
                k++;
                commitsDuringCheckpoint.incrementAndGet();
            }
        });
        Checkpointer.Stats[] stats = new Checkpointer.Stats[1];
        Thread checkpoint = new Thread(() -> stats[0] = store.checkpointer().checkpoint());
        checkpoint.start();
        worker.start();
        checkpoint.join(120_000);
        checkpointing.set(false);
        worker.join(10_000);
        slow.writeDelay = false;

        assertThat(stats[0].dirtyBlocks()).isGreaterThanOrEqualTo(dirtyBlocks);
        assertThat(commitsDuringCheckpoint.get()).as("transactions committed while the checkpoint flushed").isGreaterThan(100);
        assertThat(stats[0].pauseNanos()).as("the snapshot pause").isLessThan(TimeUnit.MILLISECONDS.toNanos(500));
    }

    /** A device whose block writes each take about 0.5 ms once {@code writeDelay} is set. */
    static final class SlowDevice extends ForwardingBlockDevice {
        volatile boolean writeDelay;

        SlowDevice(BlockDevice inner) {
            super(inner);
        }

        @Override
        public String name() {
            return "slow " + super.name();
        }

        @Override
        public void write(long firstBlock, ByteBuffer... srcs) {
            if (writeDelay) {
                try {
                    TimeUnit.MICROSECONDS.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            super.write(firstBlock, srcs);
        }
    }
}
