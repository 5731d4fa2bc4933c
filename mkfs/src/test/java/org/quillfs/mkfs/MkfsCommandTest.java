package org.quillfs.mkfs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.fs.Caller;
import org.quillfs.fs.FsOptions;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.FileBlockDevice;

class MkfsCommandTest {

    @TempDir
    Path dir;

    @Test
    void createsASparseImageOfTheGivenSizeAndFormatsIt() throws IOException {
        Path image = dir.resolve("new.img");
        MkfsRun run = MkfsRun.of("-L", "data", "-U", "3a1c8a2e-3cbe-4d5e-9f1a-8d7c6b5a4f3e", image.toString(), "64M");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(Files.size(image)).isEqualTo(64L << 20);
        assertThat(run.out()).contains("Created a quillfs filesystem on " + image)
                .contains("16384 blocks of 4096 bytes").contains("UUID:               3a1c8a2e-3cbe-4d5e-9f1a-8d7c6b5a4f3e");
        Superblock sb = superblockOf(image, 4096);
        assertThat(sb.label()).isEqualTo("data");
        assertThat(sb.uuid()).isEqualTo(UUID.fromString("3a1c8a2e-3cbe-4d5e-9f1a-8d7c6b5a4f3e"));
        assertThat(sb.geometry().blockCount()).isEqualTo(16384);
        assertThat(sb.state()).isEqualTo(Superblock.STATE_CLEAN);
    }

    @Test
    void writesTheLogBlocksOfASparseImageUnlessToldToLeaveThemLazy() throws Exception {
        Path eager = dir.resolve("eager.img");
        Path lazy = dir.resolve("lazy.img");
        assertThat(MkfsRun.of("-q", "-J", "size=8", eager.toString(), "256M").exitCode()).isZero();
        assertThat(MkfsRun.of("-q", "-J", "size=8", "-E", "lazy_journal_init", lazy.toString(), "256M").exitCode())
                .isZero();

        assertThat(allocatedBytes(eager)).as("the 8 MiB log takes its space").isGreaterThan(8L << 20);
        assertThat(allocatedBytes(lazy)).as("a lazy log stays a hole").isLessThan(1L << 20);
        for (Path image : List.of(eager, lazy)) { // zeros read as an empty log, as holes do
            try (org.quillfs.fs.FileSystem fs = org.quillfs.fs.FileSystem.open(image, FsOptions.defaults())) {
                fs.mkdir(Limits.ROOT_INODE, "d".getBytes(), 0755, new Caller(0, 0));
            }
            try (org.quillfs.fs.FileSystem fs = org.quillfs.fs.FileSystem.open(image, FsOptions.defaults())) {
                assertThat(fs.lookup(Limits.ROOT_INODE, "d".getBytes()).isDirectory()).as(image.toString()).isTrue();
            }
        }
    }

    /** Bytes of {@code file} the host filesystem has allocated (stat's st_blocks × 512). */
    private static long allocatedBytes(Path file) throws Exception {
        Process stat = new ProcessBuilder("stat", "-c", "%b", file.toString()).start();
        long blocks = Long.parseLong(new String(stat.getInputStream().readAllBytes()).trim());
        assertThat(stat.waitFor()).isZero();
        return blocks * 512;
    }

    @Test
    void honoursBlockSizeInodeCountAndJournalSize() throws IOException {
        Path image = dir.resolve("opts.img");
        MkfsRun run = MkfsRun.of("-q", "-b", "1024", "-N", "5000", "-J", "size=2", image.toString(), "32M");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEmpty();
        Superblock sb = superblockOf(image, 1024);
        assertThat(sb.geometry().blockSize()).isEqualTo(1024);
        assertThat(sb.geometry().journalBlocks()).isEqualTo(2048);
        assertThat(sb.geometry().inodeCount()).isBetween(5000L, 5000L + 5 * 3);
    }

    @Test
    void bytesPerInodeSetsTheInodeCount() throws IOException {
        Path image = dir.resolve("ratio.img");
        assertThat(MkfsRun.of("-q", "-i", "64K", image.toString(), "64M").exitCode()).isZero();
        long inodes = superblockOf(image, 4096).geometry().inodeCount();
        assertThat(inodes).isBetween(1024L, 1024L + 15);
    }

    @Test
    void formatsOnlyTheFirstSizeBytesOfALargerFile() throws IOException {
        Path image = dir.resolve("big.img");
        assertThat(MkfsRun.of("-q", image.toString(), "64M").exitCode()).isZero();
        assertThat(MkfsRun.of("-q", "-F", image.toString(), "16M").exitCode()).isZero();
        assertThat(Files.size(image)).isEqualTo(64L << 20);
        assertThat(superblockOf(image, 4096).geometry().bytes()).isLessThanOrEqualTo(16L << 20);
    }

    @Test
    void extendsAnExistingSmallerFile() throws IOException {
        Path image = Files.write(dir.resolve("small.img"), new byte[4096]);
        assertThat(MkfsRun.of("-q", image.toString(), "16M").exitCode()).isZero();
        assertThat(Files.size(image)).isEqualTo(16L << 20);
    }

    @Test
    void formatsAnImageHeldInJimfs() throws IOException {
        try (FileSystem jimfs = Jimfs.newFileSystem(Configuration.unix())) {
            MkfsRun run = MkfsRun.on(jimfs, "-q", "-b", "2048", "/img", "16M");
            assertThat(run.exitCode()).as(run.err()).isZero();
            Superblock sb = superblockOf(jimfs.getPath("/img"), 2048);
            assertThat(sb.geometry().blockSize()).isEqualTo(2048);
            assertThat(sb.geometry().bytes()).isLessThanOrEqualTo(16L << 20);
        }
    }

    @Test
    void aDryRunWritesNothing() {
        Path image = dir.resolve("dry.img");
        MkfsRun run = MkfsRun.of("-n", image.toString(), "1T");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Would create").contains("Nothing was written (-n).");
        assertThat(image).doesNotExist();
    }

    @Test
    void refusesToOverwriteAQuillfsWithoutForce() throws IOException {
        Path image = dir.resolve("twice.img");
        assertThat(MkfsRun.of("-q", image.toString(), "16M").exitCode()).isZero();
        UUID first = superblockOf(image, 4096).uuid();

        MkfsRun refused = MkfsRun.of("-q", image.toString());
        assertThat(refused.exitCode()).isEqualTo(16);
        assertThat(refused.err().strip()).isEqualTo("mkfs.quillfs: " + image
                + " already holds a quillfs filesystem; use -F to overwrite it");
        assertThat(superblockOf(image, 4096).uuid()).isEqualTo(first);

        assertThat(MkfsRun.of("-q", "-F", image.toString()).exitCode()).isZero();
        assertThat(superblockOf(image, 4096).uuid()).isNotEqualTo(first);
    }

    @Test
    void refusesToOverwriteOtherFilesystemsWithoutForce() throws IOException {
        assertRefused(signature(0, "XFSB"), "xfs");
        assertRefused(signature(65536 + 64, "_BHRfS_M"), "btrfs");
        byte[] ext = new byte[8 << 20];
        ext[1080] = 0x53;
        ext[1081] = (byte) 0xEF;
        assertRefused(ext, "ext2/ext3/ext4");
    }

    private void assertRefused(byte[] content, String name) throws IOException {
        Path image = Files.write(dir.resolve(name.replace('/', '-') + ".img"), content);
        MkfsRun run = MkfsRun.of(image.toString());
        assertThat(run.exitCode()).isEqualTo(16);
        assertThat(run.err()).contains("already holds a " + name + " filesystem; use -F to overwrite it");
        assertThat(Files.readAllBytes(image)).isEqualTo(content);
    }

    private static byte[] signature(int offset, String magic) {
        byte[] content = new byte[8 << 20];
        System.arraycopy(magic.getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, content, offset, magic.length());
        return content;
    }

    static Superblock superblockOf(Path image, int blockSize) throws IOException {
        try (BlockDevice device = FileBlockDevice.open(image, blockSize, false)) {
            ByteBuffer block = ByteBuffer.allocate(blockSize);
            device.read(0, block);
            Superblock sb = Superblock.decode(block);
            assertThat(BlockHeader.problem(block, sb.uuid(), BlockType.SUPERBLOCK, 0)).isEmpty();
            return sb;
        }
    }
}
