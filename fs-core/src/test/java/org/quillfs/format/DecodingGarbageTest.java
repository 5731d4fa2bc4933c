package org.quillfs.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** inspect and fsck decode damaged blocks to show them: no decoder may throw on any bytes. */
class DecodingGarbageTest {

    @Property
    void decodersNeverThrowOnGarbageBlocks(@ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize,
            @ForAll long seed) {
        ByteBuffer block = TestBlocks.garbage(blockSize, seed);

        Superblock sb = Superblock.decode(block);
        assertThat(sb.problem()).isPresent();
        Features.problem(sb, true);
        for (int slot = 0; slot < GroupDescriptorTable.slots(blockSize); slot++) {
            GroupDescriptorTable.get(block, slot);
        }
        UUID uuid = new UUID(seed, ~seed);
        for (int offset = 32; offset + 256 <= blockSize; offset += 256) {
            Inode.decode(block, offset);
            Inode.checksumProblem(block, offset, offset, new InodeChecksum(uuid, true));
        }
        JournalHeader.decode(block);
        JournalMaster.decode(block);
        assertThat(DirectoryLeaf.problem(block)).isPresent();
        Bitmap.countClear(block);
    }
}
