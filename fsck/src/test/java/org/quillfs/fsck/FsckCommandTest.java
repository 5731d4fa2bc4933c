package org.quillfs.fsck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.Geometry;
import org.quillfs.format.Inode;
import org.quillfs.format.InodeChecksum;
import org.quillfs.format.Superblock;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.FsOptions;
import org.quillfs.volume.MemoryBlockDevice;

/** The command line: modes, exit codes, refusals, and what each mode does to a damaged image. */
class FsckCommandTest {

    private static final int BLOCK_SIZE = 1024;

    @TempDir Path tmp;

    private MemoryBlockDevice device;
    private long file;
    private long fifo;

    @BeforeEach
    void makeFilesystem() {
        device = TestImages.format(BLOCK_SIZE, 10L << 20);
        FileSystem fs = FileSystem.open(device, FsOptions.defaults());
        TestImages.populate(fs, BLOCK_SIZE);
        file = TestImages.file(fs, FileSystem.ROOT, "victim", TestImages.bytes(100, 1));
        fifo = fs.mknod(FileSystem.ROOT, TestImages.name("pipe"), 0010644, 0, TestImages.CALLER).inode();
        fs.close();
    }

    private Path image() throws Exception {
        Path image = tmp.resolve("image");
        TestImages.save(device, image);
        return image;
    }

    /** Rewrites inode {@code ino} (with a correct checksum): damage that only a check finds. */
    private void changeInode(long ino, UnaryOperator<Inode> change) {
        ByteBuffer sbBlock = ByteBuffer.allocate(BLOCK_SIZE);
        device.read(0, sbBlock);
        Superblock sb = Superblock.decode(sbBlock.clear());
        Geometry g = sb.geometry();
        ByteBuffer block = ByteBuffer.allocate(BLOCK_SIZE);
        device.read(g.inodeBlock(ino), block);
        block.clear();
        change.apply(Inode.decode(block, g.inodeOffset(ino))).encode(block, g.inodeOffset(ino), ino, InodeChecksum.of(sb));
        BlockHeader.seal(block, sb.uuid());
        device.write(g.inodeBlock(ino), block);
    }

    @Test
    void helpPrintsUsage() {
        FsckRun run = FsckRun.answering(List.of(), "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: fsck.quillfs").contains("-n").contains("-p").contains("-y");
    }

    @Test
    void twoModesAreAUsageError() throws Exception {
        FsckRun run = FsckRun.of(image(), "-n", "-y");
        assertThat(run.exitCode()).isEqualTo(16);
        assertThat(run.err()).isEqualTo("fsck.quillfs: only one of -n, -p (-a) and -y may be given\n");
    }

    @Test
    void anUnknownOptionIsAUsageError() throws Exception {
        FsckRun run = FsckRun.of(image(), "-Z");
        assertThat(run.exitCode()).isEqualTo(16);
        assertThat(run.err()).startsWith("fsck.quillfs: Unknown option: '-Z'");
    }

    @Test
    void aMissingImageIsAnOperationalError() {
        FsckRun run = FsckRun.of(tmp.resolve("nothing.img"), "-n");
        assertThat(run.exitCode()).isEqualTo(8);
        assertThat(run.err()).isEqualTo("fsck.quillfs: " + tmp.resolve("nothing.img") + " does not exist\n");
    }

    @Test
    void somethingElseThanQuillfsIsAnOperationalError() throws Exception {
        Path junk = tmp.resolve("junk.img");
        byte[] bytes = new byte[1 << 20];
        Arrays.fill(bytes, (byte) 0x5A);
        Files.write(junk, bytes);
        FsckRun run = FsckRun.of(junk, "-fy");
        assertThat(run.exitCode()).isEqualTo(8);
        assertThat(run.err()).startsWith("fsck.quillfs: " + junk + ": no usable quillfs superblock").doesNotContain("\tat ");
        assertThat(Files.readAllBytes(junk)).isEqualTo(bytes);
    }

    @Test
    void withoutAModeItNeedsATerminal() throws Exception {
        FsckRun run = FsckRun.of(image());
        assertThat(run.exitCode()).isEqualTo(8);
        assertThat(run.err()).isEqualTo("fsck.quillfs: need a terminal to ask about repairs: give -n, -p or -y\n");
    }

    @Test
    void aCleanFilesystemIsSkippedUnlessForced() throws Exception {
        Path image = image();
        FsckRun skipped = FsckRun.of(image, "-y");
        assertThat(skipped.exitCode()).isZero();
        assertThat(skipped.out()).matches(image + ": clean, \\d+/\\d+ files, \\d+/\\d+ blocks\n");
        FsckRun forced = FsckRun.of(image, "-fy");
        assertThat(forced.exitCode()).isZero();
        assertThat(forced.out()).contains("Pass 1: Checking inodes, blocks, and sizes")
                .contains("Pass 5: Checking group summary information").doesNotContain("MODIFIED");
    }

    @Test
    void dashNChangesNothingAndExits4() throws Exception {
        changeInode(file, i -> i.withLinks(3));
        Path image = image();
        byte[] before = Files.readAllBytes(image);
        FsckRun run = FsckRun.of(image, "-fn");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(4);
        assertThat(run.out()).contains("Inode " + file + " ref count is 3, should be 1.  Fix? no")
                .contains("***** WARNING: Filesystem still has errors *****");
        assertThat(Files.readAllBytes(image)).isEqualTo(before);
    }

    @Test
    void dashYRepairsExits1AndASecondRunIsClean() throws Exception {
        changeInode(file, i -> i.withLinks(3));
        Path image = image();
        FsckRun run = FsckRun.of(image, "-fy");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).contains("Inode " + file + " ref count is 3, should be 1.  Fix? yes")
                .contains("***** FILE SYSTEM WAS MODIFIED *****");
        FsckRun again = FsckRun.of(image, "-y");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("clean");
    }

    @Test
    void preenFixesWhatIsSafeWithoutAsking() throws Exception {
        changeInode(file, i -> i.withLinks(3));
        Path image = image();
        FsckRun run = FsckRun.of(image, "-fp");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).contains(image + ": Inode " + file + " ref count is 3, should be 1.  FIXED.")
                .doesNotContain("Pass 1");
    }

    @Test
    void preenStopsAtWhatNeedsAHuman() throws Exception {
        changeInode(fifo, i -> i.withMode(0170644));
        Path image = image();
        FsckRun run = FsckRun.of(image, "-fa");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(4);
        assertThat(run.out()).contains(image + ": Inode " + fifo + " has an illegal mode 0170644.")
                .contains(image + ": UNEXPECTED INCONSISTENCY; RUN fsck MANUALLY.");
        FsckRun next = FsckRun.of(image, "-p");
        assertThat(next.exitCode()).as("the stopped run marked the filesystem as having errors: %s", next)
                .isEqualTo(4);
        assertThat(next.out()).doesNotContain("clean");
    }

    @Test
    void interactiveAnswersAreFollowed() throws Exception {
        changeInode(file, i -> i.withLinks(3));
        Path image = image();
        FsckRun no = FsckRun.answering(List.of("n"), "-f", image.toString());
        assertThat(no.exitCode()).as(no.toString()).isEqualTo(4);
        assertThat(no.out()).contains("ref count is 3, should be 1.  Fix<y>? ");
        FsckRun yes = FsckRun.answering(List.of("y"), "-f", image.toString());
        assertThat(yes.exitCode()).as(yes.toString()).isEqualTo(1);
        assertThat(FsckRun.of(image, "-fn").exitCode()).isZero();
    }

    @Test
    void quittingCancels() throws Exception {
        changeInode(file, i -> i.withLinks(3));
        FsckRun run = FsckRun.answering(List.of("q"), "-f", image().toString());
        assertThat(run.exitCode() & 32).as(run.toString()).isEqualTo(32);
        assertThat(run.out()).contains("check cancelled");
    }

    @Test
    void anImageInUseIsNotCheckedReadWrite() throws Exception {
        Path image = image();
        try (FileChannel holder = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileLock lock = holder.lock()) {
            FsckRun run = FsckRun.of(image, "-fy");
            assertThat(run.exitCode()).isEqualTo(8);
            assertThat(run.err()).contains("is in use by another process");
            assertThat(FsckRun.of(image, "-fn").exitCode()).as("a read-only check needs no lock").isZero();
        }
    }

    @Test
    void progressOptionsOfFsck8AreAccepted() throws Exception {
        Path image = image();
        assertThat(FsckRun.of(image, "-fn", "-C", "0").exitCode()).isZero();
        assertThat(FsckRun.of(image, "-fn", "-C0").exitCode()).isZero();
        FsckRun bar = FsckRun.of(image, "-fnC");
        assertThat(bar.exitCode()).isZero();
        assertThat(bar.out()).contains("%");
    }

    @Test
    void verboseCountsWhatIsThere() throws Exception {
        FsckRun run = FsckRun.of(image(), "-fnv");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).containsPattern("\\d+ regular files").containsPattern("\\d+ directories");
    }
}
