package org.quillfs.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quillfs.alloc.Reservation;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.ExtentEntry;
import org.quillfs.format.ExtentRoot;
import org.quillfs.format.Inode;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.format.Timestamp;
import org.quillfs.inode.InodeStore;
import org.quillfs.journal.LogRecordCodec;
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
            InodeStore inodes = new InodeStore(fs.g, fs.superblock.uuid());
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
    void orderedModeDataAndAFlushReachTheDeviceBeforeTheCommitIsLogged() {
        MemoryBlockDevice memory = new MemoryBlockDevice("fs", 1024, (8L << 20) / 1024);
        Superblock superblock = TestFiles.format(memory);
        RecordingBlockDevice recording = new RecordingBlockDevice(memory);
        try (TestFiles fs = new TestFiles(memory, recording, superblock)) {
            byte[] content = bytes(5000, 3);
            Transaction txn = fs.store.transactions().begin(fs.data.logBytesForWrite(TestFiles.EMPTY, 100, content.length));
            Reservation r = fs.allocator.reserve(txn, fs.data.blocksForWrite(TestFiles.EMPTY, 100, content.length), 0);
            ExtentRoot root = fs.data.write(txn, r, TestFiles.EMPTY, 100, ByteBuffer.wrap(content), fs.goal());
            List<DeviceEvent> beforeCommit = recording.events();
            long commitLsn = txn.commit();
            fs.store.transactions().force(commitLsn);
            List<DeviceEvent> all = recording.events();

            List<Long> dataBlocks = fs.map(root, 0, 10).stream()
                    .flatMap(e -> java.util.stream.LongStream.range(e.physical(), e.physical() + e.length()).boxed())
                    .toList();
            assertThat(dataBlocks).hasSize(5);
            int lastDataWrite = -1;
            for (int i = 0; i < beforeCommit.size(); i++) {
                if (beforeCommit.get(i) instanceof DeviceEvent.Write w && covers(w, dataBlocks, 1024)) {
                    lastDataWrite = i;
                }
            }
            assertThat(lastDataWrite).as("the data was written before the commit").isNotNegative();
            assertThat(beforeCommit.subList(lastDataWrite, beforeCommit.size()))
                    .as("and flushed").anyMatch(e -> e instanceof DeviceEvent.Flush);
            for (long block : dataBlocks) {
                assertThat(beforeCommit).as("block %d written before the commit", block)
                        .anyMatch(e -> e instanceof DeviceEvent.Write w && covers(w, List.of(block), 1024));
            }
            long logStart = superblock.geometry().journalStart();
            long logEnd = logStart + superblock.geometry().journalBlocks();
            assertThat(all.subList(beforeCommit.size(), all.size())).as("the commit went to the log afterwards")
                    .anyMatch(e -> e instanceof DeviceEvent.Write w && w.firstBlock() >= logStart && w.firstBlock() < logEnd);
            assertThat(fs.read(root, 5100, 100, 5000)).isEqualTo(content);
        }
    }

    @Test
    void blocksFreedByACommitNotYetDurableGetNewDataOnlyAfterThatCommitIsInTheLog() {
        MemoryBlockDevice memory = new MemoryBlockDevice("fs", 1024, (8L << 20) / 1024);
        Superblock superblock = TestFiles.format(memory);
        RecordingBlockDevice recording = new RecordingBlockDevice(memory);
        try (TestFiles fs = new TestFiles(memory, recording, superblock)) {
            ExtentRoot old = fs.write(TestFiles.EMPTY, 0, bytes(8 * 1024, 1));
            long reused = fs.map(old, 0, 1).get(0).physical();
            Transaction truncate;
            try (ReadOnlyTransaction look = fs.store.transactions().beginReadOnly()) {
                truncate = fs.store.transactions().begin(fs.data.logBytesForTruncate(look, old, 0));
            }
            fs.data.truncate(truncate, old, 8 * 1024, 0);
            truncate.commit(); // not forced: the free is not durable yet
            int mark = recording.events().size();

            ExtentRoot fresh = fs.write(TestFiles.EMPTY, 0, bytes(1024, 2));
            assertThat(fs.map(fresh, 0, 1).get(0).physical()).as("the freed block is reused").isEqualTo(reused);
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

    private static boolean covers(DeviceEvent.Write w, List<Long> blocks, int blockSize) {
        return blocks.stream().anyMatch(b -> b >= w.firstBlock() && b < w.firstBlock() + w.blocks(blockSize));
    }
}
