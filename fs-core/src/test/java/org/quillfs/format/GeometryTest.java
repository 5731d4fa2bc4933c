package org.quillfs.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class GeometryTest {

    record Request(int blockSize, long blockCount, long journalBlocks, long inodes) {
    }

    @Provide
    Arbitrary<Request> requests() {
        Arbitrary<Integer> blockSizes = Arbitraries.integers().between(10, 16).map(k -> 1 << k);
        return blockSizes.flatMap(b -> {
            long minBlocks = Limits.MIN_FILESYSTEM_BYTES / b;
            long maxBlocks = (16L << 40) / b;
            return Combinators.combine(
                    Arbitraries.longs().between(minBlocks, maxBlocks),
                    Arbitraries.doubles().between(0, 1),
                    Arbitraries.doubles().between(0, 1))
                    .as((blocks, journalShare, inodeShare) -> {
                        // mkfs never gives the journal more than a quarter of the filesystem.
                        long journal = Limits.MIN_JOURNAL_BLOCKS
                                + (long) (journalShare * Math.max(0, blocks / 4 - Limits.MIN_JOURNAL_BLOCKS));
                        // mkfs asks for at most one inode per 1 KiB.
                        long inodes = 1 + (long) (inodeShare * blocks * b / Limits.MIN_BYTES_PER_INODE);
                        return new Request(b, blocks, journal, inodes);
                    });
        });
    }

    @Property(tries = 500)
    void everyPlannedLayoutIsConsistent(@ForAll("requests") Request r) {
        Geometry g = Geometry.plan(r.blockSize(), r.blockCount(), r.journalBlocks(), r.inodes());

        assertThat(g.problem()).isEmpty();
        assertThat(g.blockCount()).isLessThanOrEqualTo(r.blockCount());
        assertThat(g.inodeCount()).isLessThanOrEqualTo(Limits.MAX_INODES);
        assertThat(g.journalStart() + g.journalBlocks()).isEqualTo(g.groupsStart());
        for (int group : new int[] {0, g.groupCount() / 2, g.groupCount() - 1}) {
            assertThat(g.firstDataBlock(group) + Limits.MIN_DATA_BLOCKS_PER_GROUP)
                    .isLessThanOrEqualTo(g.groupStart(group) + g.groupLength(group));
            assertThat(g.groupOfBlock(g.blockBitmapBlock(group))).isEqualTo(group);
            assertThat(g.groupOfBlock(g.groupStart(group) + g.groupLength(group) - 1)).isEqualTo(group);
        }
        assertThat(g.groupStart(g.groupCount() - 1) + g.groupLength(g.groupCount() - 1)).isEqualTo(g.blockCount());
    }

    @Property(tries = 200)
    void inodesMapToTheirOwnTableSlot(@ForAll("requests") Request r) {
        Geometry g = Geometry.plan(r.blockSize(), r.blockCount(), r.journalBlocks(), r.inodes());
        for (long inode : new long[] {1, Limits.FIRST_INODE, g.inodesPerGroup(), g.inodesPerGroup() + 1L, g.inodeCount()}) {
            int group = g.groupOfInode(inode);
            long block = g.inodeBlock(inode);
            assertThat(block).isBetween(g.inodeTableBlock(group), g.firstDataBlock(group) - 1);
            assertThat(g.inodeOffset(inode)).isBetween(BlockHeader.SIZE, r.blockSize() - Limits.INODE_SIZE);
        }
    }

    @Test
    void sixteenTebibytesFitWithTheDefaultBlockSize() {
        Geometry g = Geometry.plan(4096, (16L << 40) / 4096, 262144, (16L << 40) / 16384);
        assertThat(g.bytes()).isGreaterThan(16L << 40 - 1 << 30);
        assertThat(g.inodeCount()).isEqualTo((long) g.inodesPerGroup() * g.groupCount());
        assertThat(g.problem()).isEmpty();
    }

    @Test
    void backupSuperblocksAreInGroupOneAndPowersOfThreeFiveSeven() {
        assertThat(java.util.stream.IntStream.range(0, 130).filter(Geometry::isBackupGroup).boxed())
                .containsExactly(1, 3, 5, 7, 9, 25, 27, 49, 81, 125);
        Geometry g = Geometry.plan(1024, 8L * 7936 + 2000, 64, 1000); // 9 groups
        assertThat(g.backupSuperblocks()).containsExactly(g.groupStart(1), g.groupStart(3), g.groupStart(5), g.groupStart(7));
        assertThat(g.blockBitmapBlock(3)).isEqualTo(g.groupStart(3) + 1);
        assertThat(g.blockBitmapBlock(2)).isEqualTo(g.groupStart(2));
    }

    @Test
    void aLastGroupTooShortForDataIsDropped() {
        int b = 4096;
        Geometry one = Geometry.plan(b, 40000, 256, 1000);
        assertThat(one.groupCount()).isEqualTo(2);
        // 10 blocks past a full group cannot hold group 1's metadata and data.
        Geometry dropped = Geometry.plan(b, one.groupsStart() + one.blocksPerGroup() + 10, 256, 1000);
        assertThat(dropped.groupCount()).isEqualTo(1);
        assertThat(dropped.blockCount()).isEqualTo(dropped.groupsStart() + dropped.blocksPerGroup());
    }

    @Test
    void tooSmallForTheJournalIsRefusedWithAReason() {
        assertThatThrownBy(() -> Geometry.plan(4096, 280, 256, 100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no room for data");
        assertThatThrownBy(() -> Geometry.plan(4096, 200, 256, 100))
                .hasMessageContaining("too small for a journal of 256 blocks");
        assertThatThrownBy(() -> Geometry.plan(3000, 20000, 256, 100))
                .hasMessageContaining("block size 3000");
    }

    @Test
    void moreInodesThanFitAreRefusedSayingHowManyFit() {
        assertThatThrownBy(() -> Geometry.plan(4096, 2048, 32, 29701))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching("too many inodes: 29701 asked, at most \\d+ fit");
    }

    @Test
    void aDamagedGeometryIsDescribed() {
        Geometry g = Geometry.plan(4096, 100_000, 256, 5000);
        Geometry badGroups = new Geometry(g.blockSize(), g.blockCount(), g.inodeCount(), g.blocksPerGroup(),
                g.inodesPerGroup(), g.groupCount() + 5, g.gdtBlocks(), g.groupsStart(), g.journalStart(), g.journalBlocks());
        assertThat(badGroups.problem()).isPresent();
        Geometry badBlockSize = new Geometry(5000, g.blockCount(), g.inodeCount(), g.blocksPerGroup(),
                g.inodesPerGroup(), g.groupCount(), g.gdtBlocks(), g.groupsStart(), g.journalStart(), g.journalBlocks());
        assertThat(badBlockSize.problem()).hasValueSatisfying(p -> assertThat(p).contains("block size 5000"));
    }
}
