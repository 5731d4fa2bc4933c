package org.quillfs.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quillfs.format.TestBlocks.le;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class ExtentNodeTest {

    /** {@code n} sorted, disjoint extents (depth 0) or index entries (depth > 0) from {@code seed}. */
    static List<ExtentEntry> entries(int depth, int n, long seed) {
        java.util.Random random = new java.util.Random(seed);
        List<ExtentEntry> entries = new ArrayList<>();
        long logical = random.nextInt(1000);
        for (int i = 0; i < n; i++) {
            long length = 1 + random.nextInt(0xFFFF);
            entries.add(depth == 0
                    ? new ExtentEntry(logical, 1 + random.nextLong(1L << 40), length, random.nextInt(2))
                    : ExtentEntry.index(logical, 1 + random.nextLong(1L << 40)));
            logical += length + random.nextInt(1 << 20);
        }
        return entries;
    }

    @Property
    void aNodeRoundTripsAndVerifiesOnceSealed(@ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize,
            @ForAll @IntRange(min = 0, max = 3) int depth, @ForAll @IntRange(min = 1, max = 2729) int n,
            @ForAll long seed, @ForAll @LongRange(min = 1, max = 1L << 50) long blockNr) {
        int count = Math.min(n, ExtentNode.maxEntries(blockSize));
        List<ExtentEntry> entries = entries(depth, count, seed);
        ByteBuffer block = TestBlocks.zeroed(blockSize);
        ExtentNode.encode(block, blockNr, depth, entries);

        assertThat(ExtentNode.depth(block)).isEqualTo(depth);
        assertThat(ExtentNode.entries(block)).isEqualTo(entries);
        assertThat(ExtentNode.problem(block)).isEmpty();
        TestBlocks.assertSameBytesIntoGarbageAsIntoZeros(blockSize, seed,
                b -> ExtentNode.encode(b, blockNr, depth, entries));
        TestBlocks.assertVerifiesOnceSealed(block, BlockType.EXTENT_NODE, blockNr);
    }

    @Property
    void garbageNeverThrowsAndIsNeverANode(@ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize,
            @ForAll long seed) {
        ByteBuffer block = TestBlocks.garbage(blockSize, seed);
        ExtentNode.depth(block);
        assertThat(ExtentNode.entries(block).size()).isLessThanOrEqualTo(ExtentNode.maxEntries(blockSize));
        assertThat(ExtentNode.problem(block)).isPresent();
    }

    @Example
    void theLayoutIsTheOneInFormatMd() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        ExtentNode.encode(block, 77, 0, List.of(new ExtentEntry(5, 900, 3, ExtentEntry.UNWRITTEN)));
        ByteBuffer b = le(block);
        assertThat(BlockHeader.typeCode(block)).isEqualTo(BlockType.EXTENT_NODE.code());
        assertThat(BlockHeader.blockNr(block)).isEqualTo(77);
        assertThat(new int[] {Short.toUnsignedInt(b.getShort(32)), b.getShort(34), b.getShort(36), b.getShort(38)})
                .containsExactly(0xF30A, 1, (1024 - 40) / 24, 0);
        assertThat(new long[] {b.getLong(40), b.getLong(48), b.getInt(56), b.getInt(60)}).containsExactly(5, 900, 3, 1);
        assertThat(ExtentNode.maxEntries(1024)).isEqualTo(41);
        assertThat(ExtentNode.maxEntries(4096)).isEqualTo(169);

        ExtentNode.encode(block, 78, 2, List.of(ExtentEntry.index(9, 1234)));
        assertThat(new long[] {b.getShort(38), b.getLong(40), b.getLong(48), b.getLong(56)}).containsExactly(2, 9, 1234, 0);
    }

    @Example
    void encodingRefusesWhatTheFormatCannotHold() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        assertThatThrownBy(() -> ExtentNode.encode(block, 1, 0, entries(0, 42, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("42 entries");
        assertThatThrownBy(() -> ExtentNode.encode(block, 1, 1, List.of(new ExtentEntry(0, 1, 1, 0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index entry 0");
        assertThatThrownBy(() -> ExtentNode.encode(block, 1, 0, List.of(new ExtentEntry(0, 1, 1L << 32, 0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length");
    }

    @Example
    void problemNamesWhatIsWrong() {
        assertThat(damaged(b -> b.putShort(32, (short) 0xF30B))).hasValueSatisfying(p -> assertThat(p).contains("magic 0xf30b"));
        assertThat(damaged(b -> b.putShort(36, (short) 5))).hasValueSatisfying(p -> assertThat(p).contains("holds 5 entries"));
        assertThat(damaged(b -> b.putShort(34, (short) 0))).hasValueSatisfying(p -> assertThat(p).contains("0 entries"));
        assertThat(damaged(b -> b.putShort(34, (short) 42))).hasValueSatisfying(p -> assertThat(p).contains("42 entries"));
        // Second extent moved to logical block 10, before the first (100).
        assertThat(damaged(b -> b.putLong(40 + 24, 10))).hasValueSatisfying(p -> assertThat(p).contains("does not come after"));
        // First extent grown to 101 blocks, into the second at logical block 200.
        assertThat(damaged(b -> b.putInt(40 + 16, 101))).hasValueSatisfying(p -> assertThat(p).contains("overlaps"));
        assertThat(damaged(b -> { })).isEmpty();
    }

    private static Optional<String> damaged(Consumer<ByteBuffer> damage) {
        ByteBuffer block = TestBlocks.zeroed(1024);
        ExtentNode.encode(block, 9, 0, List.of(new ExtentEntry(100, 1, 50, 0), new ExtentEntry(200, 2, 10, 0)));
        damage.accept(le(block));
        return ExtentNode.problem(block);
    }
}
