package org.quillfs.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.quillfs.volume.MemoryBlockDevice;

class FormatterTest {

    @Property(tries = 40)
    void everyStructureWrittenVerifiesAndCountsAgree(@ForAll @IntRange(min = 10, max = 16) int log2Block,
            @ForAll @LongRange(min = 8, max = 3000) long mebibytes) {
        int blockSize = 1 << log2Block;
        MemoryBlockDevice device = new MemoryBlockDevice("test", blockSize, (mebibytes << 20) / blockSize);
        Superblock sb = Formatter.format(device, TestFormats.options(blockSize, mebibytes << 20));
        Geometry g = sb.geometry();

        ByteBuffer primary = read(device, 0);
        assertThat(BlockHeader.problem(primary, sb.uuid(), BlockType.SUPERBLOCK, 0)).isEmpty();
        assertThat(Superblock.decode(primary)).isEqualTo(sb);
        assertThat(sb.problem()).isEmpty();
        for (long backup : g.backupSuperblocks()) {
            ByteBuffer copy = read(device, backup);
            assertThat(BlockHeader.problem(copy, sb.uuid(), BlockType.SUPERBLOCK, backup)).isEmpty();
            assertThat(Superblock.decode(copy)).isEqualTo(sb);
        }

        long freeBlocks = 0;
        long freeInodes = 0;
        for (int group = 0; group < g.groupCount(); group++) {
            long tableBlock = GroupDescriptorTable.tableBlockOf(group, blockSize);
            ByteBuffer table = read(device, tableBlock);
            assertThat(BlockHeader.problem(table, sb.uuid(), BlockType.GROUP_DESCRIPTORS, tableBlock)).isEmpty();
            GroupDescriptor d = GroupDescriptorTable.get(table, GroupDescriptorTable.slotOf(group, blockSize));
            assertThat(d.blockBitmap()).isEqualTo(g.blockBitmapBlock(group));
            assertThat(d.inodeTable()).isEqualTo(g.inodeTableBlock(group));
            assertThat(d.freeBlocks()).isEqualTo(group == 0
                    ? g.groupLength(0) - g.metadataBlocks(0) - 1 : g.groupLength(group) - g.metadataBlocks(group));
            freeBlocks += d.freeBlocks();
            freeInodes += d.freeInodes();
            if (group > 0) {
                assertThat(d.flags()).isEqualTo(GroupDescriptor.INODE_UNINIT | GroupDescriptor.BLOCK_UNINIT);
            }
        }
        assertThat(sb.freeBlocks()).isEqualTo(freeBlocks);
        assertThat(sb.freeInodes()).isEqualTo(freeInodes);
        assertThat(freeInodes).isEqualTo(g.inodeCount() - Limits.FIRST_INODE);

        ByteBuffer blockBitmap = read(device, g.blockBitmapBlock(0));
        assertThat(BlockHeader.problem(blockBitmap, sb.uuid(), BlockType.BLOCK_BITMAP, g.blockBitmapBlock(0))).isEmpty();
        assertThat(Bitmap.countClear(blockBitmap)).isEqualTo(g.groupLength(0) - g.metadataBlocks(0) - 1);
        ByteBuffer inodeBitmap = read(device, g.inodeBitmapBlock(0));
        assertThat(Bitmap.countClear(inodeBitmap)).isEqualTo(g.inodesPerGroup() - Limits.FIRST_INODE);
    }

    @Test
    void theRootHoldsLostAndFoundAndBothAreDirectories() {
        MemoryBlockDevice device = new MemoryBlockDevice("test", 4096, 4096);
        Superblock sb = Formatter.format(device, TestFormats.options(4096, 16L << 20));
        Geometry g = sb.geometry();

        Inode root = inode(device, sb, Limits.ROOT_INODE);
        assertThat(root.mode()).isEqualTo(Inode.S_IFDIR | 0755);
        assertThat(root.links()).isEqualTo(3);
        assertThat(root.parent()).isEqualTo(Limits.ROOT_INODE);
        assertThat(root.uid()).isEqualTo(1000);
        assertThat(root.mtime()).isEqualTo(Timestamp.of(TestFormats.TIME));
        DirectoryRoot dir = DirectoryRoot.decode(root.data());
        assertThat(dir.rootBlock()).isEqualTo(g.firstDataBlock(0));

        ByteBuffer leaf = read(device, dir.rootBlock());
        assertThat(BlockHeader.problem(leaf, sb.uuid(), BlockType.DIR_LEAF, dir.rootBlock())).isEmpty();
        assertThat(DirectoryLeaf.problem(leaf)).isEmpty();
        List<DirEntry> entries = DirectoryLeaf.entries(leaf);
        assertThat(entries).hasSize(1);
        DirEntry entry = entries.get(0);
        byte[] name = "lost+found".getBytes(StandardCharsets.US_ASCII);
        assertThat(entry.name()).isEqualTo(name);
        assertThat(entry.inode()).isEqualTo(Limits.LOST_AND_FOUND_INODE);
        assertThat(entry.key()).isEqualTo(DirectoryKeys.key(DirectoryKeys.hash48(sb.dirHashKey0(), sb.dirHashKey1(), name), 0));

        Inode lostAndFound = inode(device, sb, Limits.LOST_AND_FOUND_INODE);
        assertThat(lostAndFound.mode()).isEqualTo(Inode.S_IFDIR | 0700);
        assertThat(lostAndFound.links()).isEqualTo(2);
        assertThat(DirectoryRoot.decode(lostAndFound.data()).rootBlock()).isZero();
    }

    @Test
    void formattingATebibyteWritesOnlyAFewHundredBlocks() {
        long blocks = (1L << 40) / 4096;
        MemoryBlockDevice device = new MemoryBlockDevice("1 TiB", 4096, blocks);
        Superblock sb = Formatter.format(device, TestFormats.options(4096, 1L << 40));

        // Superblock, backups, descriptor table, journal header and masters, group 0: no more.
        Geometry g = sb.geometry();
        int expected = 1 + g.backupSuperblocks().size() + g.gdtBlocks() + 3 + 2 + 2 + 1;
        assertThat(device.blocksHeld()).isEqualTo(expected);
        assertThat(g.groupCount()).isGreaterThan(8000);
        assertThat(g.journalBlocks()).isEqualTo((1L << 30) / 4096);
    }

    @Test
    void theJournalStartsEmpty() {
        MemoryBlockDevice device = new MemoryBlockDevice("test", 4096, 4096);
        Superblock sb = Formatter.format(device, TestFormats.options(4096, 16L << 20));
        long start = sb.geometry().journalStart();
        JournalHeader header = JournalHeader.decode(read(device, start));
        assertThat(header.logStart()).isEqualTo(start + 3);
        assertThat(header.logBlocks()).isEqualTo(sb.geometry().journalBlocks() - 3);
        assertThat(JournalMaster.decode(read(device, start + 1))).isEqualTo(new JournalMaster(1, 0, 0, 0));
        assertThat(JournalMaster.decode(read(device, start + 2))).isEqualTo(new JournalMaster(0, 0, 0, 0));
    }

    @Test
    void defaultJournalScalesWithTheFilesystem() {
        assertThat(FormatOptions.defaultJournalBlocks(4096, (8L << 20) / 4096)).isEqualTo(256); // 1 MiB
        assertThat(FormatOptions.defaultJournalBlocks(4096, (1L << 30) / 4096)).isEqualTo(4096); // 16 MiB
        assertThat(FormatOptions.defaultJournalBlocks(4096, (1L << 40) / 4096)).isEqualTo(262144); // 1 GiB
        assertThat(FormatOptions.defaultJournalBlocks(65536, (8L << 20) / 65536)).isEqualTo(Limits.MIN_JOURNAL_BLOCKS);
    }

    @Test
    void aLabelTooLongIsRefused() {
        FormatOptions o = TestFormats.options(4096, 16L << 20);
        FormatOptions longLabel = new FormatOptions(o.blockSize(), o.blockCount(), 0, 0, o.bytesPerInode(), "é".repeat(33),
                o.uuid(), 0, 0, o.now(), o.random());
        assertThatThrownBy(() -> Formatter.plan(longLabel)).hasMessage("label is 66 bytes, at most 64 fit");
    }

    private static Inode inode(MemoryBlockDevice device, Superblock sb, long number) {
        Geometry g = sb.geometry();
        ByteBuffer block = read(device, g.inodeBlock(number));
        assertThat(BlockHeader.problem(block, sb.uuid(), BlockType.INODE_TABLE, g.inodeBlock(number))).isEmpty();
        assertThat(Inode.checksumProblem(block, g.inodeOffset(number), number, InodeChecksum.of(sb))).isEmpty();
        return Inode.decode(block, g.inodeOffset(number));
    }

    private static ByteBuffer read(MemoryBlockDevice device, long blockNr) {
        ByteBuffer block = ByteBuffer.allocate(device.blockSize());
        device.read(blockNr, block);
        return block;
    }
}
