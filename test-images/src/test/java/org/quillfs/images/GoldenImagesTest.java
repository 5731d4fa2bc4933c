package org.quillfs.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.DirEntry;
import org.quillfs.format.DirectoryLeaf;
import org.quillfs.format.DirectoryRoot;
import org.quillfs.format.Geometry;
import org.quillfs.format.GroupDescriptorTable;
import org.quillfs.format.Inode;
import org.quillfs.format.InodeChecksum;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.images.GoldenImages.Golden;

/**
 * The images made by earlier builds are still read, and this build still makes them byte for
 * byte. If the second fails because the format changed on purpose: bump
 * {@link Limits#FORMAT_VERSION}, add a golden image of the new version, and keep reading the old.
 */
class GoldenImagesTest {

    static final java.util.List<Golden> IMAGES = GoldenImages.ALL;

    @ParameterizedTest
    @FieldSource("IMAGES")
    void theGoldenImageIsStillRead(Golden golden) throws IOException {
        ByteBuffer image = ByteBuffer.wrap(stored(golden));
        int b = golden.blockSize();

        ByteBuffer primary = block(image, b, 0);
        Superblock sb = Superblock.decode(primary);
        assertThat(BlockHeader.problem(primary, golden.uuid(), BlockType.SUPERBLOCK, 0)).isEmpty();
        assertThat(sb.problem()).isEmpty();
        assertThat(sb.formatVersion()).isEqualTo(1);
        assertThat(sb.featureIncompat()).isEqualTo(golden.featureIncompat());
        assertThat(sb.uuid()).isEqualTo(golden.uuid());
        assertThat(sb.label()).isEqualTo(golden.label());
        Geometry g = sb.geometry();
        assertThat(g.blockSize()).isEqualTo(b);
        assertThat(g.bytes()).isLessThanOrEqualTo(golden.bytes());
        for (long backup : g.backupSuperblocks()) {
            assertThat(BlockHeader.problem(block(image, b, backup), golden.uuid(), BlockType.SUPERBLOCK, backup)).isEmpty();
        }
        for (int t = 0; t < g.gdtBlocks(); t++) {
            assertThat(BlockHeader.problem(block(image, b, 1 + t), golden.uuid(), BlockType.GROUP_DESCRIPTORS, 1 + t)).isEmpty();
        }
        assertThat(GroupDescriptorTable.get(block(image, b, 1), 0).inodeTable()).isEqualTo(g.inodeTableBlock(0));

        ByteBuffer rootTable = block(image, b, g.inodeBlock(Limits.ROOT_INODE));
        assertThat(Inode.checksumProblem(rootTable, g.inodeOffset(Limits.ROOT_INODE), Limits.ROOT_INODE,
                InodeChecksum.of(sb))).isEmpty();
        Inode root = Inode.decode(rootTable, g.inodeOffset(Limits.ROOT_INODE));
        assertThat(root.mode()).isEqualTo(Inode.S_IFDIR | 0755);
        long leafNr = DirectoryRoot.decode(root.data()).rootBlock();
        ByteBuffer leaf = block(image, b, leafNr);
        assertThat(BlockHeader.problem(leaf, golden.uuid(), BlockType.DIR_LEAF, leafNr)).isEmpty();
        DirEntry lostAndFound = DirectoryLeaf.entries(leaf).get(0);
        assertThat(new String(lostAndFound.name(), StandardCharsets.US_ASCII)).isEqualTo("lost+found");
        assertThat(lostAndFound.inode()).isEqualTo(Limits.LOST_AND_FOUND_INODE);
        assertThat(BlockHeader.problem(block(image, b, g.journalStart()), golden.uuid(), BlockType.JOURNAL_HEADER,
                g.journalStart())).isEmpty();
    }

    @ParameterizedTest
    @FieldSource("IMAGES")
    void thisBuildStillMakesTheGoldenImageByteForByte(Golden golden) throws IOException {
        assertThat(golden.make())
                .as("mkfs output changed for %s: if the format changed on purpose, bump the format version and add"
                        + " a golden image for it (make golden-images); keep the old image and its test", golden.file())
                .isEqualTo(stored(golden));
    }

    private static byte[] stored(Golden golden) throws IOException {
        Path file = Path.of(System.getProperty("quillfs.repo", ".."), "test-images", "images", golden.file());
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }

    private static ByteBuffer block(ByteBuffer image, int blockSize, long blockNr) {
        return image.duplicate().position(Math.toIntExact(blockNr * blockSize)).limit(Math.toIntExact((blockNr + 1) * blockSize))
                .slice();
    }
}
