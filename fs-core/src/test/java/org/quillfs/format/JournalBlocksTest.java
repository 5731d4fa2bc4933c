package org.quillfs.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** The journal region's header and master blocks. */
class JournalBlocksTest {

    @Property
    void journalHeaderRoundTripsThroughItsCodec(@ForAll int version, @ForAll long logStart, @ForAll long logBlocks,
            @ForAll long logId, @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize,
            @ForAll long blockNr) {
        JournalHeader header = new JournalHeader(version, logStart, logBlocks, logId);
        ByteBuffer block = TestBlocks.zeroed(blockSize);
        header.encode(block, blockNr);
        assertThat(JournalHeader.decode(block)).isEqualTo(header);
        TestBlocks.assertVerifiesOnceSealed(block, BlockType.JOURNAL_HEADER, blockNr);
    }

    @Property
    void journalMasterRoundTripsThroughItsCodec(@ForAll long sequence, @ForAll long checkpointLsn,
            @ForAll long tailLsn, @ForAll @LongRange(min = 0, max = 0xFFFF_FFFFL) long epoch,
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize, @ForAll long blockNr) {
        JournalMaster master = new JournalMaster(sequence, checkpointLsn, tailLsn, epoch);
        ByteBuffer block = TestBlocks.zeroed(blockSize);
        master.encode(block, blockNr);
        assertThat(JournalMaster.decode(block)).isEqualTo(master);
        TestBlocks.assertVerifiesOnceSealed(block, BlockType.JOURNAL_MASTER, blockNr);
    }

    @Property
    void journalBlocksEncodeTheSameBytesIntoGarbageAsIntoZeros(@ForAll int version, @ForAll long a, @ForAll long b,
            @ForAll long c, @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize, @ForAll long seed) {
        TestBlocks.assertSameBytesIntoGarbageAsIntoZeros(blockSize, seed,
                block -> new JournalHeader(version, a, b, c).encode(block, 5));
        TestBlocks.assertSameBytesIntoGarbageAsIntoZeros(blockSize, seed,
                block -> new JournalMaster(a, b, c, version & 0xFFFF_FFFFL).encode(block, 6));
    }

    @Example
    void journalFieldsSitAtTheirSpecifiedOffsets() {
        ByteBuffer header = TestBlocks.zeroed(1024);
        new JournalHeader(1, 8, 1021, 0x0102030405060708L).encode(header, 5);
        ByteBuffer h = TestBlocks.le(header);
        assertThat(BlockHeader.typeCode(header)).isEqualTo(9);
        assertThat(new long[] {h.getInt(32), h.getInt(36), h.getLong(40), h.getLong(48), h.getLong(56)})
                .containsExactly(1, 0, 8, 1021, 0x0102030405060708L);
        assertThat(Arrays.copyOfRange(TestBlocks.bytes(header), 64, 1024)).containsOnly(0);

        ByteBuffer master = TestBlocks.zeroed(1024);
        new JournalMaster(3, 4, 5, 0xFFFF_FFFEL).encode(master, 6);
        ByteBuffer m = TestBlocks.le(master);
        assertThat(BlockHeader.typeCode(master)).isEqualTo(10);
        assertThat(new long[] {m.getLong(32), m.getLong(40), m.getLong(48), Integer.toUnsignedLong(m.getInt(56))})
                .containsExactly(3, 4, 5, 0xFFFF_FFFEL);
        assertThat(Arrays.copyOfRange(TestBlocks.bytes(master), 60, 1024)).containsOnly(0);
    }
}
