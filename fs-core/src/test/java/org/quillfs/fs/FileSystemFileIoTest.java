package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.FileSystem.FALLOC_FL_KEEP_SIZE;
import static org.quillfs.fs.FileSystem.FALLOC_FL_PUNCH_HOLE;
import static org.quillfs.fs.FileSystem.ROOT;
import static org.quillfs.fs.TestFileSystems.CALLER;
import static org.quillfs.fs.TestFileSystems.errnoOf;
import static org.quillfs.fs.TestFileSystems.name;
import static org.quillfs.fs.TestFileSystems.random;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quillfs.errno.Errno;
import org.quillfs.format.Inode;

/**
 * open, read, write, truncate (setattr size), fallocate and release: holes, sparse writes,
 * O_APPEND, O_TRUNC, handles opened without the right access, directories, st_blocks and the
 * free-block count.
 */
class FileSystemFileIoTest {

    private static final int BLOCK = 4096;

    private TestFileSystems t;
    private long dir;

    @BeforeEach
    void setUp() {
        t = TestFileSystems.standard();
        dir = t.mkdir(ROOT, "d");
    }

    @AfterEach
    void tearDown() {
        t.close();
    }

    private long emptyFile(String n) {
        return t.file(dir, n, new byte[0]);
    }

    private void truncate(long inode, long size) {
        t.fs.setattr(inode, AttributeChanges.size(size));
    }

    private long dataBlocks(long inode) {
        return t.fs.getattr(inode).blocks() * 512 / BLOCK;
    }

    // ------------------------------------------------------------------ reads and writes

    @Test
    void writtenBytesReadBackAcrossBlockAndChunkBoundaries() {
        long f = emptyFile("f");
        byte[] data = random(3 * (1 << 20) + 12345, 7); // several 1 MiB write transactions
        t.write(f, 777, data);
        assertThat(t.fs.getattr(f).size()).isEqualTo(777 + data.length);
        byte[] all = t.read(f);
        assertThat(Arrays.copyOfRange(all, 0, 777)).containsOnly(0);
        assertThat(Arrays.copyOfRange(all, 777, all.length)).isEqualTo(data);
        assertThat(t.read(f, 4000, 200)).isEqualTo(Arrays.copyOfRange(data, 4000 - 777, 4200 - 777));
    }

    @Test
    void wholeBlocksAndPartBlocksLandAtTheBuffersPositionAndNothingElseChanges() {
        long f = emptyFile("f");
        byte[] data = random(8 * BLOCK, 9);
        t.write(f, 0, data);
        long h = t.fs.open(f, OpenFlags.O_RDONLY);
        for (ByteBuffer buf : new ByteBuffer[] {ByteBuffer.allocate(5 * BLOCK), ByteBuffer.allocateDirect(5 * BLOCK)}) {
            for (int i = 0; i < buf.capacity(); i++) {
                buf.put(i, (byte) 0x55);
            }
            buf.position(100).limit(100 + 3 * BLOCK); // three whole blocks, read straight into buf
            assertThat(t.fs.read(h, 2 * BLOCK, buf)).isEqualTo(3 * BLOCK);
            assertThat(buf.position()).isEqualTo(100 + 3 * BLOCK);
            byte[] got = new byte[5 * BLOCK];
            buf.duplicate().clear().get(got);
            assertThat(Arrays.copyOfRange(got, 100, 100 + 3 * BLOCK)).isEqualTo(Arrays.copyOfRange(data, 2 * BLOCK, 5 * BLOCK));
            assertThat(Arrays.copyOfRange(got, 0, 100)).containsOnly(0x55);
            assertThat(Arrays.copyOfRange(got, 100 + 3 * BLOCK, got.length)).containsOnly(0x55);

            buf.clear().position(7).limit(7 + BLOCK + 10); // a block and a piece: through a buffer
            assertThat(t.fs.read(h, BLOCK - 5, buf)).isEqualTo(BLOCK + 10);
            buf.duplicate().clear().get(got);
            assertThat(Arrays.copyOfRange(got, 7, 7 + BLOCK + 10)).isEqualTo(Arrays.copyOfRange(data, BLOCK - 5, 2 * BLOCK + 5));
            assertThat(Arrays.copyOfRange(got, 0, 7)).containsOnly(0x55);
        }
        t.fs.release(h);
    }

    @Test
    void readAtOrPastTheEndReturnsNothingAndNearItReturnsWhatIsLeft() {
        long f = t.file(dir, "f", "0123456789");
        long h = t.fs.open(f, OpenFlags.O_RDONLY);
        assertThat(t.fs.read(h, 10, ByteBuffer.allocate(5))).isZero();
        assertThat(t.fs.read(h, 1 << 30, ByteBuffer.allocate(5))).isZero();
        ByteBuffer buf = ByteBuffer.allocate(5);
        assertThat(t.fs.read(h, 7, buf)).isEqualTo(3);
        assertThat(Arrays.copyOf(buf.array(), 3)).isEqualTo(name("789"));
        t.fs.release(h);
    }

    @Test
    void overwritingInTheMiddleKeepsTheRest() {
        long f = t.file(dir, "f", "aaaaaaaaaa");
        t.write(f, 3, name("XYZ"));
        assertThat(t.read(f)).isEqualTo(name("aaaXYZaaaa"));
        assertThat(t.fs.getattr(f).size()).isEqualTo(10);
    }

    @Test
    void negativeOffsetsAreEinval() {
        long f = t.file(dir, "f", "abc");
        long h = t.fs.open(f, OpenFlags.O_RDWR);
        assertThat(errnoOf(() -> t.fs.write(h, -1, ByteBuffer.wrap(name("x"))))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> t.fs.read(h, -1, ByteBuffer.allocate(1)))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> truncate(f, -1))).isEqualTo(Errno.EINVAL);
        t.fs.release(h);
        assertThat(t.read(f)).isEqualTo(name("abc"));
    }

    // ------------------------------------------------------------------ holes, truncate

    /** The buffer a read fills may hold anything: holes before, between and after data read as zeros. */
    @Test
    void holesAroundAndBetweenDataReadAsZerosOverWhateverTheBufferHeld() {
        long f = emptyFile("f");
        byte[] one = random(BLOCK, 3);
        byte[] two = random(BLOCK + 100, 4);
        t.write(f, 2 * BLOCK, one); // blocks 0-1 a hole, 2 data, 3 a hole
        t.write(f, 4 * BLOCK, two); // 4 and part of 5 data
        truncate(f, 8 * BLOCK); // 5's rest and 6-7 past the data
        long h = t.fs.open(f, OpenFlags.O_RDONLY);
        for (ByteBuffer buf : new ByteBuffer[] {ByteBuffer.allocate(9 * BLOCK), ByteBuffer.allocateDirect(9 * BLOCK)}) {
            for (int i = 0; i < buf.capacity(); i++) {
                buf.put(i, (byte) 0x55);
            }
            buf.position(10);
            assertThat(t.fs.read(h, 10, buf)).isEqualTo(8 * BLOCK - 10);
            byte[] expected = new byte[8 * BLOCK];
            System.arraycopy(one, 0, expected, 2 * BLOCK, BLOCK);
            System.arraycopy(two, 0, expected, 4 * BLOCK, two.length);
            byte[] got = new byte[9 * BLOCK];
            buf.duplicate().clear().get(got);
            assertThat(Arrays.copyOfRange(got, 10, 8 * BLOCK)).isEqualTo(Arrays.copyOfRange(expected, 10, 8 * BLOCK));
            assertThat(Arrays.copyOfRange(got, 0, 10)).containsOnly(0x55);
            assertThat(Arrays.copyOfRange(got, 8 * BLOCK, got.length)).containsOnly(0x55);
        }
        t.fs.release(h);
    }

    @Test
    void aWriteFarPastTheEndLeavesAHoleThatReadsZeroAndOwnsNoBlocks() {
        long f = t.file(dir, "f", "head");
        long far = 1L << 30;
        t.write(f, far, name("tail"));
        Attributes a = t.fs.getattr(f);
        assertThat(a.size()).isEqualTo(far + 4);
        assertThat(dataBlocks(f)).as("two data blocks, the hole none").isEqualTo(2);
        assertThat(t.read(f, 0, 8)).isEqualTo(new byte[] {'h', 'e', 'a', 'd', 0, 0, 0, 0});
        assertThat(t.read(f, far / 2, 65536)).containsOnly(0);
        assertThat(t.read(f, far - 3, 7)).isEqualTo(new byte[] {0, 0, 0, 't', 'a', 'i', 'l'});
    }

    @Test
    void truncateGrowsWithZerosWithoutAllocating() {
        long f = t.file(dir, "f", "abc");
        long free = t.fs.statfs().freeBlocks();
        truncate(f, 10 * BLOCK + 5);
        assertThat(t.fs.getattr(f).size()).isEqualTo(10 * BLOCK + 5);
        assertThat(t.fs.statfs().freeBlocks()).isEqualTo(free);
        byte[] all = t.read(f);
        assertThat(Arrays.copyOf(all, 3)).isEqualTo(name("abc"));
        assertThat(Arrays.copyOfRange(all, 3, all.length)).containsOnly(0);
    }

    @Test
    void bytesPastAShrinkReadZeroWhenTheFileGrowsAgain() {
        long f = t.file(dir, "f", random(3 * BLOCK, 1));
        truncate(f, 100);
        truncate(f, 3 * BLOCK);
        byte[] all = t.read(f);
        assertThat(Arrays.copyOf(all, 100)).isEqualTo(Arrays.copyOf(random(3 * BLOCK, 1), 100));
        assertThat(Arrays.copyOfRange(all, 100, all.length)).containsOnly(0);
    }

    @Test
    void bytesPastAShrinkReadZeroWhenAWritePastTheEndGrowsItAgain() {
        long f = t.file(dir, "f", random(2 * BLOCK, 2));
        truncate(f, 1000);
        t.write(f, BLOCK + 10, name("z"));
        byte[] all = t.read(f);
        assertThat(all).hasSize(BLOCK + 11);
        assertThat(Arrays.copyOfRange(all, 1000, BLOCK + 10)).containsOnly(0);
        assertThat(all[BLOCK + 10]).isEqualTo((byte) 'z');
    }

    @Test
    void shrinkingFreesTheBlocksPastTheNewEndExactly() {
        long f = emptyFile("f");
        long free = t.fs.statfs().freeBlocks();
        t.write(f, 0, random(20 * BLOCK, 3));
        assertThat(free - t.fs.statfs().freeBlocks()).isEqualTo(20);
        truncate(f, 5 * BLOCK + 1);
        assertThat(free - t.fs.statfs().freeBlocks()).isEqualTo(6);
        truncate(f, 0);
        assertThat(t.fs.statfs().freeBlocks()).isEqualTo(free);
        assertThat(t.read(f)).isEmpty();
    }

    @Test
    void stBlocksFollowsAShrink() {
        long f = t.file(dir, "f", random(20 * BLOCK, 3));
        assertThat(dataBlocks(f)).isEqualTo(20);
        truncate(f, 5 * BLOCK + 1);
        assertThat(dataBlocks(f)).isEqualTo(6);
        truncate(f, 0);
        assertThat(dataBlocks(f)).isZero();
    }

    /** A file of 300 separate extents: more than the inode holds, so an extent tree with leaf blocks. */
    private long fileWithExtentTree(int extents) {
        long f = emptyFile("f");
        long h = t.fs.open(f, OpenFlags.O_RDWR);
        for (int i = 0; i < extents; i++) {
            t.fs.write(h, 2L * i * BLOCK, ByteBuffer.wrap(random(BLOCK, i)));
        }
        t.fs.release(h);
        return f;
    }

    @Test
    void truncatingAFileWithAnExtentTreeToZeroFreesEveryBlockItHad() {
        t.reopen(); // a checkpoint: nothing freed earlier is still held
        long free = t.fs.statfs().freeBlocks() - 1; // the directory's leaf for "f"
        long f = fileWithExtentTree(300);
        assertThat(free - t.fs.statfs().freeBlocks()).as("300 data blocks and the tree's").isGreaterThan(300);
        assertThat(dataBlocks(f)).as("st_blocks counts the tree's blocks too, as ext4")
                .isEqualTo(free - t.fs.statfs().freeBlocks());
        truncate(f, 0);
        t.reopen();
        assertThat(t.fs.statfs().freeBlocks()).isEqualTo(free);
    }

    @Test
    void truncatingAFileWithAnExtentTreeHalfWayFreesWhatLiesPast() {
        t.reopen();
        long free = t.fs.statfs().freeBlocks() - 1; // the directory's leaf for "f"
        long f = fileWithExtentTree(300);
        truncate(f, 2L * 150 * BLOCK);
        assertThat(t.read(f, 2L * 149 * BLOCK, BLOCK)).isEqualTo(random(BLOCK, 149));
        assertThat(t.fs.getattr(f).size()).isEqualTo(2L * 150 * BLOCK);
        t.reopen();
        assertThat(free - t.fs.statfs().freeBlocks()).as("150 data blocks and at most a few tree blocks")
                .isBetween(150L, 153L);
        t.fs.unlink(dir, name("f"));
        t.reopen();
        assertThat(t.fs.statfs().freeBlocks()).isEqualTo(free + 1);
    }

    @Test
    void truncateOfADirectoryIsEisdir() {
        assertThat(errnoOf(() -> truncate(dir, 0))).isEqualTo(Errno.EISDIR);
    }

    @Test
    void truncateOfASymlinkOrAFifoIsEinval() {
        // As ftruncate(2) of anything but a regular file. The kernel never sends this for a
        // symlink (truncate(2) follows it), but the facade must not call it damage (EIO).
        long inline = t.fs.symlink(dir, name("l"), name("target"), CALLER).inode();
        long stored = t.fs.symlink(dir, name("long"), TestFileSystems.longName(1000), CALLER).inode();
        long fifo = t.fs.mknod(dir, name("p"), Inode.S_IFIFO | 0644, 0, CALLER).inode();
        assertThat(errnoOf(() -> truncate(inline, 0))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> truncate(stored, 0))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> truncate(fifo, 0))).isEqualTo(Errno.EINVAL);
        assertThat(t.fs.readlink(inline)).isEqualTo(name("target"));
    }

    @Test
    void truncateSurvivesReopenAndCrash() {
        long f = t.file(dir, "f", random(5 * BLOCK, 4));
        truncate(f, 2 * BLOCK + 7);
        t.reopen();
        assertThat(t.read(f)).isEqualTo(Arrays.copyOf(random(5 * BLOCK, 4), 2 * BLOCK + 7));
        truncate(f, 9 * BLOCK);
        t.syncAndCrash();
        byte[] all = t.read(f);
        assertThat(all).hasSize(9 * BLOCK);
        assertThat(Arrays.copyOf(all, 2 * BLOCK + 7)).isEqualTo(Arrays.copyOf(random(5 * BLOCK, 4), 2 * BLOCK + 7));
        assertThat(Arrays.copyOfRange(all, 2 * BLOCK + 7, all.length)).containsOnly(0);
    }

    // ------------------------------------------------------------------ flags

    @Test
    void appendWritesAtTheEndWhateverTheOffset() {
        long f = t.file(dir, "f", "start");
        long h = t.fs.open(f, OpenFlags.O_WRONLY | OpenFlags.O_APPEND);
        assertThat(t.fs.write(h, 0, ByteBuffer.wrap(name("-one")))).isEqualTo(4);
        t.write(f, 9, name("|")); // another handle extends the file meanwhile
        assertThat(t.fs.write(h, 2, ByteBuffer.wrap(name("-two")))).isEqualTo(4);
        t.fs.release(h);
        assertThat(new String(t.read(f))).isEqualTo("start-one|-two");
    }

    @Test
    void createWithAppendAppendsToo() {
        OpenFile o = t.fs.create(dir, name("f"), 0644, OpenFlags.O_RDWR | OpenFlags.O_APPEND, CALLER);
        t.fs.write(o.handle(), 0, ByteBuffer.wrap(name("ab")));
        t.fs.write(o.handle(), 0, ByteBuffer.wrap(name("cd")));
        t.fs.release(o.handle());
        assertThat(t.read(o.attributes().inode())).isEqualTo(name("abcd"));
    }

    @Test
    void openWithTruncEmptiesTheFileAndFreesItsBlocks() {
        long f = emptyFile("f");
        long free = t.fs.statfs().freeBlocks();
        t.write(f, 0, random(8 * BLOCK, 5));
        long h = t.fs.open(f, OpenFlags.O_WRONLY | OpenFlags.O_TRUNC);
        assertThat(t.fs.getattr(f).size()).isZero();
        assertThat(t.fs.statfs().freeBlocks()).isEqualTo(free);
        t.fs.write(h, 0, ByteBuffer.wrap(name("new")));
        t.fs.release(h);
        assertThat(t.read(f)).isEqualTo(name("new"));
    }

    @Test
    void openWithTruncForReadingOnlyLeavesTheFile() {
        // The facade truncates only when opened for writing (docs/FILESYSTEM.md); through FUSE the
        // kernel truncates with setattr before it opens.
        long f = t.file(dir, "f", "abc");
        long h = t.fs.open(f, OpenFlags.O_RDONLY | OpenFlags.O_TRUNC);
        t.fs.release(h);
        assertThat(t.read(f)).isEqualTo(name("abc"));
    }

    // ------------------------------------------------------------------ handles

    @Test
    void writeThroughAReadOnlyHandleAndReadThroughAWriteOnlyOneAreEbadf() {
        long f = t.file(dir, "f", "abc");
        long ro = t.fs.open(f, OpenFlags.O_RDONLY);
        long wo = t.fs.open(f, OpenFlags.O_WRONLY);
        assertThat(errnoOf(() -> t.fs.write(ro, 0, ByteBuffer.wrap(name("x"))))).isEqualTo(Errno.EBADF);
        assertThat(errnoOf(() -> t.fs.read(wo, 0, ByteBuffer.allocate(3)))).isEqualTo(Errno.EBADF);
        assertThat(errnoOf(() -> t.fs.fallocate(ro, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 1)))
                .isEqualTo(Errno.EBADF);
        t.fs.release(ro);
        t.fs.release(wo);
        assertThat(t.read(f)).isEqualTo(name("abc"));
    }

    @Test
    void unknownAndReleasedHandlesAreEbadf() {
        long f = t.file(dir, "f", "abc");
        long h = t.fs.open(f, OpenFlags.O_RDWR);
        t.fs.release(h);
        assertThat(errnoOf(() -> t.fs.read(h, 0, ByteBuffer.allocate(1)))).isEqualTo(Errno.EBADF);
        assertThat(errnoOf(() -> t.fs.write(h, 0, ByteBuffer.wrap(name("x"))))).isEqualTo(Errno.EBADF);
        assertThat(errnoOf(() -> t.fs.fsync(h, false))).isEqualTo(Errno.EBADF);
        assertThat(errnoOf(() -> t.fs.release(h))).isEqualTo(Errno.EBADF);
        assertThat(errnoOf(() -> t.fs.read(987654321L, 0, ByteBuffer.allocate(1)))).isEqualTo(Errno.EBADF);
        assertThat(errnoOf(() -> t.fs.release(987654321L))).isEqualTo(Errno.EBADF);
    }

    @Test
    void handlesOfOneFileAreIndependentAndSeeEachOthersWrites() {
        long f = t.file(dir, "f", "abc");
        long h1 = t.fs.open(f, OpenFlags.O_RDWR);
        long h2 = t.fs.open(f, OpenFlags.O_RDONLY);
        assertThat(h1).isNotEqualTo(h2);
        t.fs.write(h1, 3, ByteBuffer.wrap(name("def")));
        assertThat(t.readHandle(h2, 0, 10)).isEqualTo(name("abcdef"));
        t.fs.release(h1);
        assertThat(t.readHandle(h2, 0, 10)).isEqualTo(name("abcdef"));
        t.fs.release(h2);
    }

    @Test
    void directoriesOpenForReadingOnlyAndCannotBeReadAsBytes() {
        assertThat(errnoOf(() -> t.fs.open(dir, OpenFlags.O_WRONLY))).isEqualTo(Errno.EISDIR);
        assertThat(errnoOf(() -> t.fs.open(dir, OpenFlags.O_RDWR))).isEqualTo(Errno.EISDIR);
        long h = t.fs.open(dir, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY);
        assertThat(errnoOf(() -> t.fs.read(h, 0, ByteBuffer.allocate(10)))).isEqualTo(Errno.EISDIR);
        assertThat(errnoOf(() -> t.fs.write(h, 0, ByteBuffer.wrap(name("x"))))).isEqualTo(Errno.EBADF);
        t.fs.release(h);
    }

    @Test
    void openingASymlinkIsEloop() {
        long l = t.fs.symlink(dir, name("l"), name("x"), CALLER).inode();
        assertThat(errnoOf(() -> t.fs.open(l, OpenFlags.O_RDONLY))).isEqualTo(Errno.ELOOP);
    }

    @Test
    void stBlocksCountsWholeDataBlocksAndNotHoles() {
        long f = emptyFile("f");
        assertThat(t.fs.getattr(f).blocks()).isZero();
        t.write(f, 0, name("x"));
        assertThat(t.fs.getattr(f).blocks()).isEqualTo(BLOCK / 512);
        t.write(f, 10L * BLOCK, name("y"));
        assertThat(t.fs.getattr(f).blocks()).isEqualTo(2 * BLOCK / 512);
        assertThat(t.fs.getattr(f).blockSize()).isEqualTo(BLOCK);
    }

    @Test
    void fsyncOfAHandleMakesItsWritesSurviveACrash() {
        long f = emptyFile("f");
        long h = t.fs.open(f, OpenFlags.O_WRONLY);
        t.fs.write(h, 0, ByteBuffer.wrap(random(100_000, 9)));
        t.fs.fsync(h, false);
        t.crashAndReopen();
        assertThat(t.read(f)).isEqualTo(random(100_000, 9));
    }

    @Test
    void fdatasyncOfAHandleMakesItsWritesSurviveACrash() {
        long f = emptyFile("f");
        long h = t.fs.open(f, OpenFlags.O_WRONLY);
        t.fs.write(h, 5000, ByteBuffer.wrap(random(3000, 10)));
        t.fs.fsync(h, true);
        t.crashAndReopen();
        assertThat(t.fs.getattr(f).size()).isEqualTo(8000);
        assertThat(t.read(f, 5000, 3000)).isEqualTo(random(3000, 10));
    }

    @Test
    void readAndWriteOnAFifoAreEinval() {
        long fifo = t.fs.mknod(dir, name("p"), Inode.S_IFIFO | 0644, 0, CALLER).inode();
        long h = t.fs.open(fifo, OpenFlags.O_RDWR);
        assertThat(errnoOf(() -> t.fs.read(h, 0, ByteBuffer.allocate(1)))).isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> t.fs.write(h, 0, ByteBuffer.wrap(name("x"))))).isEqualTo(Errno.EINVAL);
        t.fs.release(h);
    }

    // ------------------------------------------------------------------ fallocate

    @Test
    void punchHoleReadsZerosAndFreesTheWholeBlocksInside() {
        long f = t.file(dir, "f", random(10 * BLOCK, 11));
        long free = t.fs.statfs().freeBlocks();
        long h = t.fs.open(f, OpenFlags.O_RDWR);
        t.fs.fallocate(h, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 2 * BLOCK + 100, 4 * BLOCK);
        t.fs.release(h);
        byte[] expected = random(10 * BLOCK, 11);
        Arrays.fill(expected, 2 * BLOCK + 100, 6 * BLOCK + 100, (byte) 0);
        assertThat(t.read(f)).isEqualTo(expected);
        assertThat(t.fs.getattr(f).size()).isEqualTo(10 * BLOCK);
        assertThat(t.fs.statfs().freeBlocks() - free).as("blocks 3, 4 and 5 wholly inside the hole").isEqualTo(3);
    }

    @Test
    void stBlocksFollowsAPunchedHole() {
        long f = t.file(dir, "f", random(10 * BLOCK, 11));
        long h = t.fs.open(f, OpenFlags.O_RDWR);
        t.fs.fallocate(h, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 2 * BLOCK + 100, 4 * BLOCK);
        t.fs.release(h);
        assertThat(dataBlocks(f)).isEqualTo(7);
    }

    @Test
    void punchHoleWithoutKeepSizeIsEnotsupAndBadRangesEinval() {
        long f = t.file(dir, "f", "abc");
        long h = t.fs.open(f, OpenFlags.O_RDWR);
        assertThat(errnoOf(() -> t.fs.fallocate(h, FALLOC_FL_PUNCH_HOLE, 0, 1))).isEqualTo(Errno.ENOTSUP);
        assertThat(errnoOf(() -> t.fs.fallocate(h, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, -1, 1)))
                .isEqualTo(Errno.EINVAL);
        assertThat(errnoOf(() -> t.fs.fallocate(h, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 0)))
                .isEqualTo(Errno.EINVAL);
        t.fs.release(h);
    }
}
