package org.quillfs.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.quillfs.alloc.Reservation;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.ExtentEntry;
import org.quillfs.format.ExtentRoot;
import org.quillfs.journal.LogRecord;
import org.quillfs.format.Inode;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.format.Timestamp;
import org.quillfs.inode.InodeStore;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.txn.LogBudgetExceededException;
import org.quillfs.txn.ReadOnlyTransaction;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.DeviceEvent;
import org.quillfs.volume.MemoryBlockDevice;
import org.quillfs.volume.RecordingBlockDevice;

class FileDataTest {

    static final long TIB = 1L << 40;

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void aWriteAtSixteenTebibytesOnASmallFilesystemIsRefusedOnlyForLackOfSpace() {
        try (TestFiles fs = new TestFiles(4096, 16L << 20)) {
            byte[] tail = "the end of a very sparse file".getBytes(StandardCharsets.UTF_8);
            long offset = 16 * TIB + 5; // logical block 2^32: past what a u32 block number could name
            ExtentRoot root = fs.write(TestFiles.EMPTY, offset, tail);
            long size = offset + tail.length;
            assertThat(fs.map(root, 0, Long.MAX_VALUE / 2)).singleElement()
                    .satisfies(e -> assertThat(e.logical()).isEqualTo(1L << 32));
            assertThat(fs.read(root, size, offset, 100)).isEqualTo(tail);
            assertThat(fs.read(root, size, offset - 4096, 4096)).containsOnly(0);
            assertThat(fs.read(root, size, 0, 4096)).containsOnly(0);

            // Fill the filesystem but for a few blocks; the sparse file then runs out of space, not of offsets.
            ExtentRoot filler = TestFiles.EMPTY;
            long filled = 0;
            while (fs.allocator.freeBlocks() > 40) {
                filler = fs.write(filler, filled, new byte[32 * 4096]);
                filled += 32 * 4096;
            }
            long free = fs.allocator.freeBlocks();
            ExtentRoot before = root;
            assertThatThrownBy(() -> fs.write(before, 16 * TIB + 8192, new byte[(int) (free + 1) * 4096]))
                    .isInstanceOf(FsException.class)
                    .satisfies(e -> assertThat(((FsException) e).errno()).isEqualTo(Errno.ENOSPC));
            assertThat(fs.allocator.freeBlocks()).as("the refused write changed nothing").isEqualTo(free);

            byte[] fits = bytes((int) (free - 4) * 4096, 1);
            root = fs.write(root, 64 * TIB, fits);
            assertThat(fs.read(root, 64 * TIB + fits.length, 64 * TIB, fits.length)).isEqualTo(fits);
            assertThat(fs.read(root, 64 * TIB + fits.length, offset, tail.length)).isEqualTo(tail);
            assertThatThrownBy(() -> fs.write(before, Long.MAX_VALUE - 10, new byte[20])).isInstanceOf(FsException.class)
                    .satisfies(e -> assertThat(((FsException) e).errno()).isEqualTo(Errno.EFBIG));
            fs.truncate(root, 64 * TIB + fits.length, 0);
            fs.truncate(filler, filled, 0);
        }
    }

    @Test
    void newBlocksNeverShowTheOldBytesOfAFreedFile() {
        try (TestFiles fs = new TestFiles(1024, 8L << 20)) {
            byte[] secret = new byte[64 * 1024];
            Arrays.fill(secret, (byte) 0x5A);
            ExtentRoot old = fs.write(TestFiles.EMPTY, 0, secret);
            long firstBlock = fs.map(old, 0, 1).get(0).physical();
            assertThat(fs.truncate(old, secret.length, 0)).isEqualTo(TestFiles.EMPTY);
            fs.store.log().forceAll(); // the free is durable: its blocks may be handed out again

            ExtentRoot fresh = fs.write(TestFiles.EMPTY, 1500, new byte[] {1, 2, 3});
            fresh = fs.write(fresh, 10 * 1024 + 7, new byte[] {4});
            assertThat(fs.map(fresh, 0, 100)).extracting(ExtentEntry::physical).as("the freed blocks were reused")
                    .contains(firstBlock + 1);
            byte[] expected = new byte[10 * 1024 + 8];
            expected[1500] = 1;
            expected[1501] = 2;
            expected[1502] = 3;
            expected[10 * 1024 + 7] = 4;
            assertThat(fs.read(fresh, expected.length, 0, expected.length)).isEqualTo(expected);
            // And past the end of the file, inside its last block, after a shrink and a regrowth.
            fresh = fs.truncate(fresh, expected.length, 1501);
            fresh = fs.write(fresh, 2000, new byte[] {9});
            byte[] regrown = new byte[2001];
            regrown[1500] = 1;
            regrown[2000] = 9;
            assertThat(fs.read(fresh, 2001, 0, 2001)).isEqualTo(regrown);
        }
    }

    @Test
    void dataSurvivesCloseAndReopenThroughItsInode() {
        try (TestFiles fs = new TestFiles(1024, 8L << 20)) {
            InodeStore inodes = new InodeStore(fs.superblock);
            byte[] content = bytes(300_000, 7);
            Transaction txn = fs.store.transactions().begin(fs.allocator.logBytesPerInode()
                    + LogRecordCodec.updateSize(Limits.INODE_SIZE) + fs.data.logBytesForWrite(TestFiles.EMPTY, 0, 100_000));
            Reservation r = fs.allocator.reserve(txn, fs.data.blocksForWrite(TestFiles.EMPTY, 0, 100_000), 1);
            long number = fs.allocator.allocateInode(txn, r, Limits.ROOT_INODE, false);
            ExtentRoot root = fs.data.write(txn, r, TestFiles.EMPTY, 0, ByteBuffer.wrap(content, 0, 100_000),
                    fs.g.firstDataBlock(fs.g.groupOfInode(number)));
            inodes.write(txn, number, inode(100_000, root));
            txn.commit();
            root = fs.write(root, 100_000, Arrays.copyOfRange(content, 100_000, 300_000));
            Transaction resize = fs.store.transactions().begin(LogRecordCodec.updateSize(Limits.INODE_SIZE));
            inodes.write(resize, number, inode(content.length, root));
            resize.commit();

            fs.reopen();
            Inode stored;
            try (ReadOnlyTransaction read = fs.store.transactions().beginReadOnly()) {
                stored = inodes.read(read, number).orElseThrow();
            }
            assertThat(ExtentRoot.problem(stored.data())).isEmpty();
            ExtentRoot reread = ExtentRoot.decode(stored.data());
            assertThat(reread).isEqualTo(root);
            assertThat(fs.read(reread, stored.size(), 0, content.length)).isEqualTo(content);
        }
    }

    static Inode inode(long size, ExtentRoot root) {
        Timestamp t = Timestamp.of(Instant.parse("2026-11-23T10:00:00Z"));
        return new Inode(Inode.S_IFREG | 0644, 1000, 1000, 1, size, 0, t, t, t, t, 1, 0, 0, 0, 0, 0, root.encode());
    }

    @Test
    void orderedWritesFlushNothingUntilAForceWhichFlushesTheirDataBeforeTheLogThatCommitsThem() {
        MemoryBlockDevice memory = new MemoryBlockDevice("fs", 1024, (8L << 20) / 1024);
        Superblock superblock = TestFiles.format(memory);
        RecordingBlockDevice recording = new RecordingBlockDevice(memory);
        try (TestFiles fs = new TestFiles(memory, recording, superblock, DataMode.ORDERED, TestFiles.QUIET)) {
            int mark = recording.events().size();
            ExtentRoot root = TestFiles.EMPTY;
            int writes = 20;
            for (int i = 0; i < writes; i++) {
                root = fs.write(root, i * 3000L, bytes(3000, i)); // each its own transaction, committed, not forced
            }
            List<DeviceEvent> beforeForce = recording.events().subList(mark, recording.events().size());
            assertThat(beforeForce).as("no device flush for %d committed writes", writes)
                    .noneMatch(e -> e instanceof DeviceEvent.Flush);
            long logStart = superblock.geometry().journalStart();
            long logEnd = logStart + superblock.geometry().journalBlocks();
            assertThat(beforeForce).as("and no log write: every COMMIT is still in memory")
                    .noneMatch(e -> e instanceof DeviceEvent.Write w && w.firstBlock() >= logStart && w.firstBlock() < logEnd);

            fs.store.log().forceAll();
            List<DeviceEvent> run = recording.events().subList(mark, recording.events().size());
            List<Long> dataBlocks = fs.map(root, 0, 1000).stream()
                    .flatMap(e -> LongStream.range(e.physical(), e.physical() + e.length()).boxed()).toList();
            assertThat(dataBlocks).hasSize((writes * 3000 + 1023) / 1024);
            int lastData = -1;
            int firstLog = -1;
            int flushBetween = -1;
            for (int i = 0; i < run.size(); i++) {
                DeviceEvent e = run.get(i);
                if (e instanceof DeviceEvent.Write w && covers(w, dataBlocks, 1024)) {
                    lastData = i;
                } else if (e instanceof DeviceEvent.Write w && w.firstBlock() >= logStart && w.firstBlock() < logEnd
                        && firstLog < 0) {
                    firstLog = i;
                } else if (e instanceof DeviceEvent.Flush && firstLog < 0 && i > lastData) {
                    flushBetween = i;
                }
            }
            for (long block : dataBlocks) {
                assertThat(run).as("block %d written", block)
                        .anyMatch(e -> e instanceof DeviceEvent.Write w && covers(w, List.of(block), 1024));
            }
            assertThat(firstLog).as("the force wrote the log").isPositive();
            assertThat(lastData).as("every data write comes before the log write with the COMMITs").isLessThan(firstLog);
            assertThat(flushBetween).as("with a flush between them").isGreaterThan(lastData).isLessThan(firstLog);
            assertThat(run.get(run.size() - 1)).as("and the log write is flushed").isInstanceOf(DeviceEvent.Flush.class);
            assertThat(run.stream().filter(e -> e instanceof DeviceEvent.Flush).count()).as("two flushes in all")
                    .isEqualTo(2);
            assertThat(fs.read(root, writes * 3000L, 0, 3000)).isEqualTo(bytes(3000, 0));
        }
    }

    @Test
    void anOverwriteOfWrittenBlocksBelowTheSizeIsNotOrderedBeforeTheLogButASyncStillFlushesIt() {
        MemoryBlockDevice memory = new MemoryBlockDevice("fs", 1024, (8L << 20) / 1024);
        Superblock superblock = TestFiles.format(memory);
        RecordingBlockDevice recording = new RecordingBlockDevice(memory);
        try (TestFiles fs = new TestFiles(memory, recording, superblock, DataMode.ORDERED, TestFiles.QUIET)) {
            ExtentRoot root = fs.write(TestFiles.EMPTY, 0, bytes(8 * 1024, 1));
            fs.store.log().forceAll();
            long logStart = superblock.geometry().journalStart();
            long logEnd = logStart + superblock.geometry().journalBlocks();

            int mark = recording.events().size();
            root = fs.writeInto(root, 8 * 1024, 2048, bytes(2048, 2)); // blocks 2 and 3, written before: no metadata changes
            assertThat(recording.events().subList(mark, recording.events().size()))
                    .as("the overwrite is written at once, with no flush")
                    .extracting(e -> kind(e, logStart, logEnd)).containsExactly("data");
            fs.store.log().forceAll(); // what FileSystem.sync does
            fs.store.log().flushDataIfAnnounced();
            assertThat(recording.events().subList(mark, recording.events().size()))
                    .as("no log to write, so the sync flushes for the data")
                    .extracting(e -> kind(e, logStart, logEnd)).containsExactly("data", "flush");

            mark = recording.events().size();
            root = fs.writeInto(root, 8 * 1024, 7 * 1024, bytes(2048, 3)); // block 7 overwritten, block 8 new
            fs.store.log().forceAll();
            fs.store.log().flushDataIfAnnounced();
            assertThat(recording.events().subList(mark, recording.events().size()))
                    .as("a write into a new block is ordered: data, flush, then the COMMIT that maps it")
                    .extracting(e -> kind(e, logStart, logEnd)).containsExactly("data", "flush", "log", "flush");
            assertThat(fs.read(root, 9 * 1024, 2048, 2048)).isEqualTo(bytes(2048, 2));

            mark = recording.events().size();
            root = fs.writeInto(root, 8 * 1024 + 100, 8 * 1024 + 100, bytes(500, 4)); // block 8 held, past the size
            // This harness keeps no inode: stand in for the caller's COMMIT that grows the file.
            fs.store.log().force(fs.store.log().append(new LogRecord.Commit(1_000_000, 0)));
            assertThat(recording.events().subList(mark, recording.events().size()))
                    .as("bytes past the size are ordered, though their block is the file's: the COMMIT grows the file")
                    .extracting(e -> kind(e, logStart, logEnd)).containsExactly("data", "flush", "log", "flush");
        }
    }

    /** "flush", "log" for a write into the log region {@code logStart .. logEnd - 1}, else "data". */
    static String kind(DeviceEvent event, long logStart, long logEnd) {
        if (event instanceof DeviceEvent.Write w) {
            return w.firstBlock() >= logStart && w.firstBlock() < logEnd ? "log" : "data";
        }
        return "flush";
    }

    @Test
    void onAFullFilesystemBlocksFreedByACommitNotYetDurableGetNewDataOnlyAfterThatCommitIsInTheLog() {
        MemoryBlockDevice memory = new MemoryBlockDevice("fs", 1024, (8L << 20) / 1024);
        Superblock superblock = TestFiles.format(memory);
        RecordingBlockDevice recording = new RecordingBlockDevice(memory);
        try (TestFiles fs = new TestFiles(memory, recording, superblock, DataMode.ORDERED, TestFiles.QUIET)) {
            ExtentRoot old = fs.write(TestFiles.EMPTY, 0, bytes(8 * 1024, 1));
            long reused = fs.map(old, 0, 1).get(0).physical();
            fillUp(fs);
            fs.store.log().forceAll();
            Transaction truncate;
            try (ReadOnlyTransaction look = fs.store.transactions().beginReadOnly()) {
                truncate = fs.store.transactions().begin(fs.data.logBytesForTruncate(look, old, 0));
            }
            fs.data.truncate(truncate, old, 8 * 1024, 0);
            long commit = truncate.commit(); // not forced: the free is not durable yet
            assertThat(fs.allocator.freeBlocks()).as("counted free at commit").isEqualTo(8);
            int mark = recording.events().size();

            ExtentRoot fresh = fs.write(TestFiles.EMPTY, 0, bytes(1024, 2));
            assertThat(fs.map(fresh, 0, 1).get(0).physical()).as("the freed block is reused").isEqualTo(reused);
            assertThat(fs.store.log().durableLsn()).as("once its free was durable").isGreaterThan(commit);
            List<DeviceEvent> after = recording.events().subList(mark, recording.events().size());
            long logStart = superblock.geometry().journalStart();
            long logEnd = logStart + superblock.geometry().journalBlocks();
            int dataWrite = -1;
            for (int i = 0; i < after.size() && dataWrite < 0; i++) {
                if (after.get(i) instanceof DeviceEvent.Write w && covers(w, List.of(reused), 1024)) {
                    dataWrite = i;
                }
            }
            assertThat(dataWrite).isNotNegative();
            List<DeviceEvent> before = after.subList(0, dataWrite);
            int logWrite = -1;
            for (int i = 0; i < before.size(); i++) {
                if (before.get(i) instanceof DeviceEvent.Write w && w.firstBlock() >= logStart && w.firstBlock() < logEnd) {
                    logWrite = i;
                }
            }
            assertThat(logWrite).as("the log was written before the data").isNotNegative();
            assertThat(before.subList(logWrite, before.size())).as("and flushed").anyMatch(e -> e instanceof DeviceEvent.Flush);
        }
    }

    @Test
    void inJournalModeAWriteGoesToTheLogAndHomeOnlyOnceItsCommitIsDurableAndAnAbortLeavesTheOldData() {
        MemoryBlockDevice memory = new MemoryBlockDevice("fs", 1024, (8L << 20) / 1024);
        Superblock superblock = TestFiles.format(memory);
        RecordingBlockDevice recording = new RecordingBlockDevice(memory);
        try (TestFiles fs = new TestFiles(memory, recording, superblock, DataMode.JOURNAL, TestFiles.QUIET)) {
            byte[] first = bytes(5000, 1);
            ExtentRoot root = fs.write(TestFiles.EMPTY, 0, first);
            List<Long> dataBlocks = fs.map(root, 0, 10).stream()
                    .flatMap(e -> LongStream.range(e.physical(), e.physical() + e.length()).boxed()).toList();
            long logStart = superblock.geometry().journalStart();
            long logEnd = logStart + superblock.geometry().journalBlocks();

            int mark = recording.events().size();
            byte[] second = bytes(3000, 2);
            Transaction txn = fs.store.transactions().begin(fs.data.logBytesForWrite(root, 1000, second.length));
            Reservation r = fs.allocator.reserve(txn, fs.data.blocksForWrite(root, 1000, second.length), 0);
            assertThat(fs.data.write(txn, r, root, 1000, ByteBuffer.wrap(second), fs.goal())).isEqualTo(root);
            byte[] expected = first.clone();
            System.arraycopy(second, 0, expected, 1000, second.length);
            ByteBuffer seen = ByteBuffer.allocate(5000);
            fs.data.read(txn, root, 5000, 0, seen);
            assertThat(seen.array()).as("the transaction reads its own journaled blocks").isEqualTo(expected);
            assertThat(recording.events().subList(mark, recording.events().size())).as("nothing went to the device")
                    .isEmpty();
            long commit = txn.commit();
            List<DeviceEvent> run = recording.events().subList(mark, recording.events().size());
            int firstHome = -1;
            int logFlush = -1;
            for (int i = 0; i < run.size(); i++) {
                if (run.get(i) instanceof DeviceEvent.Write w && covers(w, dataBlocks, 1024) && firstHome < 0) {
                    firstHome = i;
                } else if (run.get(i) instanceof DeviceEvent.Flush && firstHome < 0) {
                    logFlush = i;
                }
            }
            assertThat(fs.store.log().durableLsn()).as("commit returned with its COMMIT durable").isGreaterThan(commit);
            assertThat(firstHome).as("the blocks went home").isPositive();
            assertThat(run.subList(0, Math.max(0, logFlush))).as("after the log with the data was written")
                    .anyMatch(e -> e instanceof DeviceEvent.Write w && w.firstBlock() >= logStart && w.firstBlock() < logEnd);
            assertThat(logFlush).as("and flushed").isNotNegative().isLessThan(firstHome);
            assertThat(fs.read(root, 5000, 0, 5000)).isEqualTo(expected);

            mark = recording.events().size();
            Transaction aborted = fs.store.transactions().begin(fs.data.logBytesForWrite(root, 0, 5000));
            fs.data.write(aborted, fs.allocator.reserve(aborted, 0, 0), root, 0, ByteBuffer.wrap(bytes(5000, 3)), fs.goal());
            aborted.abort();
            assertThat(fs.read(root, 5000, 0, 5000)).as("an aborted overwrite leaves the old data").isEqualTo(expected);
            assertThat(recording.events().subList(mark, recording.events().size())).as("and never touched it")
                    .noneMatch(e -> e instanceof DeviceEvent.Write w && covers(w, dataBlocks, 1024));
        }
    }

    @Test
    void inJournalModeFreedDataBlocksWaitForACheckpointBeforeReuseInOrderedModeOnlyForTheirCommit() {
        for (DataMode mode : DataMode.values()) {
            try (TestFiles fs = new TestFiles(1024, 8L << 20, mode)) {
                long free = fs.freeBlocksAfterCheckpoint();
                ExtentRoot old = fs.write(TestFiles.EMPTY, 0, bytes(8 * 1024, 1));
                long first = fs.map(old, 0, 1).get(0).physical();
                fs.truncate(old, 8 * 1024, 0);
                fs.store.log().forceAll(); // the free is durable
                ExtentRoot next = fs.write(TestFiles.EMPTY, 0, bytes(1024, 2), first);
                long got = fs.map(next, 0, 1).get(0).physical();
                if (mode == DataMode.ORDERED) {
                    assertThat(got).as("ordered: reused once the free is durable").isEqualTo(first);
                    continue;
                }
                assertThat(got).as("journal: old data records could still be replayed into it").isNotEqualTo(first);
                assertThat(fs.allocator.freeBlocks()).as("counted free at commit").isEqualTo(free - 1);
                assertThat(fs.freeBlocksAfterCheckpoint()).isEqualTo(free - 1);
                ExtentRoot after = fs.write(TestFiles.EMPTY, 0, bytes(1024, 3), first);
                assertThat(fs.map(after, 0, 1).get(0).physical()).as("reused once the tail has passed the free")
                        .isEqualTo(first);
            }
        }
    }

    @Test
    void journalModeBudgetsCountTheDataAndWriteStepsFitTheirBudget() {
        try (TestFiles journal = new TestFiles(1024, 8L << 20, DataMode.JOURNAL);
                TestFiles ordered = new TestFiles(1024, 8L << 20, DataMode.ORDERED)) {
            long length = 10 * 1024;
            assertThat(journal.data.logBytesForWrite(TestFiles.EMPTY, 0, length)).isEqualTo(
                    ordered.data.logBytesForWrite(TestFiles.EMPTY, 0, length) + 10 * LogRecordCodec.dataBlockSize(1024));
            Transaction txn = journal.store.transactions().begin(ordered.data.logBytesForWrite(TestFiles.EMPTY, 0, length));
            Reservation r = journal.allocator.reserve(txn, journal.data.blocksForWrite(TestFiles.EMPTY, 0, length), 0);
            assertThatThrownBy(() -> journal.data.write(txn, r, TestFiles.EMPTY, 0, ByteBuffer.wrap(new byte[(int) length]),
                    journal.goal())).as("a budget without the data is too small").isInstanceOf(LogBudgetExceededException.class);
            txn.abort();

            long max = journal.maxUpdateBytes();
            long offset = 300;
            long big = 200 * 1024;
            long step = journal.data.writeStepLength(TestFiles.EMPTY, offset, big, max);
            assertThat(step).isPositive().isLessThan(big);
            assertThat((offset + step) % 1024).as("the next step starts on a block boundary").isZero();
            assertThat(journal.data.logBytesForWrite(TestFiles.EMPTY, offset, step)).isLessThanOrEqualTo(max);
            assertThat(journal.data.logBytesForWrite(TestFiles.EMPTY, offset, step + 1024)).as("and it is the largest")
                    .isGreaterThan(max);
            assertThat(journal.data.writeStepLength(TestFiles.EMPTY, offset, 100, max)).as("a small write fits whole")
                    .isEqualTo(100);
            assertThat(ordered.data.writeStepLength(TestFiles.EMPTY, offset, big, max)).as("ordered mode logs no data")
                    .isGreaterThan(step);
            assertThatThrownBy(() -> journal.data.writeStepLength(TestFiles.EMPTY, 0, big, 1000))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** Allocates every free block (as nobody's data): the filesystem is full. */
    static void fillUp(TestFiles fs) {
        while (fs.allocator.freeBlocks() > 0) {
            Transaction txn = fs.store.transactions().begin(fs.allocator.logBytesPerBlockRun(4096));
            Reservation r = fs.allocator.reserve(txn, Math.min(4096, fs.allocator.freeBlocks()), 0);
            fs.allocator.allocateBlocks(txn, r, 0, 4096);
            txn.commit();
        }
    }

    /** {@link FileData#overwriteInPlace} in a read-only transaction; when it declines, nothing may have changed. */
    private static boolean overwriteInPlace(TestFiles fs, ExtentRoot root, long size, long offset, byte[] bytes) {
        byte[] before = fs.read(root, size, 0, (int) size);
        ByteBuffer src = ByteBuffer.wrap(bytes);
        boolean done;
        try (ReadOnlyTransaction txn = fs.store.transactions().beginReadOnly()) {
            done = fs.data.overwriteInPlace(txn, root, offset, src, size);
        }
        if (!done) {
            assertThat(src.position()).as("declined: src untouched").isZero();
            assertThat(fs.read(root, size, 0, (int) size)).as("declined: the file unchanged").isEqualTo(before);
        } else {
            assertThat(src.hasRemaining()).as("done: src consumed").isFalse();
        }
        return done;
    }

    @Test
    void anOverwriteInPlaceTakesOnlyWholeWrittenBlocksBelowTheSize() {
        try (TestFiles fs = new TestFiles(4096, 16L << 20)) {
            int b = 4096;
            // blocks 0-1 and 2-3 in two extents apart (2-3 written first, so that nothing precedes
            // 0-1 and they go to the goal), 4-5 a hole, 6 written, the size inside block 6
            ExtentRoot root = fs.write(TestFiles.EMPTY, 2 * b, bytes(2 * b, 2), fs.goal() + 1000);
            root = fs.write(root, 0, bytes(2 * b, 1), fs.goal());
            root = fs.write(root, 6 * b, bytes(b - 100, 3));
            long size = 7 * b - 100;
            assertThat(fs.map(root, 0, 4)).as("the layout the test needs").hasSize(2);

            byte[] across = bytes(2 * b, 4);
            assertThat(overwriteInPlace(fs, root, size, b, across)).as("blocks 1-2, across two extents").isTrue();
            assertThat(fs.read(root, size, b, 2 * b)).isEqualTo(across);

            assertThat(overwriteInPlace(fs, root, size, 10, bytes(b, 5))).as("not block-aligned").isFalse();
            assertThat(overwriteInPlace(fs, root, size, 0, bytes(b + 1, 6))).as("not whole blocks").isFalse();
            assertThat(overwriteInPlace(fs, root, size, 3 * b, bytes(2 * b, 7))).as("into the hole").isFalse();
            assertThat(overwriteInPlace(fs, root, size, 6 * b, bytes(b, 8))).as("past the size").isFalse();
            assertThat(overwriteInPlace(fs, root, size, 0, new byte[0])).as("nothing").isFalse();
        }
        try (TestFiles journaled = new TestFiles(4096, 16L << 20, DataMode.JOURNAL)) {
            ExtentRoot root = journaled.write(TestFiles.EMPTY, 0, bytes(2 * 4096, 9));
            assertThat(overwriteInPlace(journaled, root, 2 * 4096, 0, bytes(4096, 10)))
                    .as("data=journal: data goes through the log").isFalse();
        }
    }

    private static boolean covers(DeviceEvent.Write w, List<Long> blocks, int blockSize) {
        return blocks.stream().anyMatch(b -> b >= w.firstBlock() && b < w.firstBlock() + w.blocks(blockSize));
    }
}
