package org.quillfs.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** The codecs of what an inode's 128-byte data area holds: a directory root or an extent root. */
class InodeDataAreaTest {

    @Property
    void directoryRootRoundTripsThroughItsCodec(@ForAll @IntRange(max = 0xFFFF) int depth, @ForAll long rootBlock,
            @ForAll long entryCount) {
        DirectoryRoot root = new DirectoryRoot(depth, rootBlock, entryCount);
        byte[] data = root.encode();
        assertThat(data).hasSize(128);
        assertThat(DirectoryRoot.decode(data)).isEqualTo(root);
        assertThat(DirectoryRoot.problem(data).isPresent()).isEqualTo(rootBlock == 0 && entryCount != 0);
    }

    @Example
    void directoryRootFieldsSitAtTheirSpecifiedOffsets() {
        ByteBuffer b = le(new DirectoryRoot(2, 0x1122334455L, 7).encode());
        assertThat(Short.toUnsignedInt(b.getShort(0))).isEqualTo(0xD12E);
        assertThat(b.getShort(2)).isEqualTo((short) 2);
        assertThat(b.getInt(4)).isZero();
        assertThat(new long[] {b.getLong(8), b.getLong(16)}).containsExactly(0x1122334455L, 7);
        assertThat(Arrays.copyOfRange(b.array(), 24, 128)).containsOnly(0);
    }

    @Example
    void directoryRootProblemReportsBadMagicAndAnEmptyRootWithEntries() {
        byte[] data = new DirectoryRoot(0, 9, 1).encode();
        data[0] = 0;
        assertThat(DirectoryRoot.problem(data)).hasValueSatisfying(p -> assertThat(p).contains("magic"));
        assertThat(DirectoryRoot.problem(new DirectoryRoot(0, 0, 3).encode()))
                .hasValueSatisfying(p -> assertThat(p).contains("counts 3 entries"));
        assertThat(DirectoryRoot.problem(new DirectoryRoot(0, 0, 0).encode())).isEmpty();
    }

    @Property
    void extentRootRoundTripsThroughItsCodec(@ForAll(supplier = FormatArbitraries.ExtentRoots.class) ExtentRoot root) {
        byte[] data = root.encode();
        assertThat(data).hasSize(128);
        assertThat(ExtentRoot.decode(data)).isEqualTo(root);
    }

    @Property
    void sortedDisjointExtentsHaveNoProblem(
            @ForAll @Size(max = 5) List<@LongRange(min = 0, max = 1L << 40) Long> gaps,
            @ForAll @Size(min = 5, max = 5) List<@LongRange(min = 1, max = 0xFFFF_FFFFL) Long> lengths) {
        List<ExtentEntry> extents = new ArrayList<>();
        long logical = 0;
        for (int i = 0; i < gaps.size(); i++) {
            logical += gaps.get(i);
            extents.add(new ExtentEntry(logical, 1000 + i, lengths.get(i), i % 2));
            logical += lengths.get(i);
        }
        assertThat(ExtentRoot.problem(new ExtentRoot(0, extents).encode())).isEmpty();
    }

    @Example
    void extentRootFieldsSitAtTheirSpecifiedOffsets() {
        ByteBuffer leaf = le(new ExtentRoot(0, List.of(new ExtentEntry(1, 2, 0xFFFF_FFFFL, ExtentEntry.UNWRITTEN),
                new ExtentEntry(1L << 33, 5, 6, 0))).encode());
        assertThat(new int[] {Short.toUnsignedInt(leaf.getShort(0)), leaf.getShort(2), leaf.getShort(4), leaf.getShort(6)})
                .containsExactly(0xF30A, 2, 5, 0);
        assertThat(new long[] {leaf.getLong(8), leaf.getLong(16)}).containsExactly(1, 2);
        assertThat(new int[] {leaf.getInt(24), leaf.getInt(28)}).containsExactly(-1, 1);
        assertThat(new long[] {leaf.getLong(32), leaf.getLong(40), leaf.getInt(48)}).containsExactly(1L << 33, 5, 6);
        assertThat(Arrays.copyOfRange(leaf.array(), 56, 128)).containsOnly(0);

        ByteBuffer index = le(new ExtentRoot(3, List.of(ExtentEntry.index(7, 8))).encode());
        assertThat(index.getShort(6)).isEqualTo((short) 3);
        assertThat(new long[] {index.getLong(8), index.getLong(16), index.getLong(24)}).containsExactly(7, 8, 0);
    }

    @Example
    void extentRootEncodeRefusesWhatTheInodeCannotHold() {
        ExtentEntry e = new ExtentEntry(0, 1, 1, 0);
        assertThatThrownBy(() -> new ExtentRoot(0, List.of(e, e, e, e, e, e)).encode())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6 extents");
        assertThatThrownBy(() -> new ExtentRoot(1, List.of(e)).encode())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index entry 0");
        assertThatThrownBy(() -> new ExtentRoot(0, List.of(new ExtentEntry(0, 1, 1L << 32, 0))).encode())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length");
        assertThatThrownBy(() -> new ExtentRoot(0x10000, List.of()).encode())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("depth");
    }

    @Example
    void extentRootProblemReportsEachMalformation() {
        assertThat(damagedExtentRoot(b -> b.putShort(0, (short) 0xF30B)))
                .hasValueSatisfying(p -> assertThat(p).contains("magic 0xf30b"));
        assertThat(damagedExtentRoot(b -> b.putShort(4, (short) 6)))
                .hasValueSatisfying(p -> assertThat(p).contains("holds 6 entries"));
        assertThat(damagedExtentRoot(b -> b.putShort(2, (short) 6)))
                .hasValueSatisfying(p -> assertThat(p).contains("6 entries, more than 5"));
        // Second extent moved to logical block 10, before the first (100).
        assertThat(damagedExtentRoot(b -> b.putLong(8 + 24, 10)))
                .hasValueSatisfying(p -> assertThat(p).contains("does not come after"));
        // First extent grown to 101 blocks, into the second at logical block 200.
        assertThat(damagedExtentRoot(b -> b.putInt(8 + 16, 101)))
                .hasValueSatisfying(p -> assertThat(p).contains("overlaps"));
        assertThat(damagedExtentRoot(b -> { })).isEmpty();
    }

    @Example
    void anExtentThatRunsPastTheLastBlockNumberOverlapsWhatFollows() {
        byte[] data = new ExtentRoot(0, List.of(new ExtentEntry(-10, 1, 20, 0), new ExtentEntry(-2, 50, 1, 0)))
                .encode();
        assertThat(ExtentRoot.problem(data)).hasValueSatisfying(p -> assertThat(p).contains("overlaps"));
    }

    @Example
    void indexEntriesMustAscendButHaveNoExtentToOverlap() {
        assertThat(ExtentRoot.problem(new ExtentRoot(1, List.of(ExtentEntry.index(5, 1), ExtentEntry.index(6, 2)))
                .encode())).isEmpty();
        assertThat(ExtentRoot.problem(new ExtentRoot(1, List.of(ExtentEntry.index(5, 1), ExtentEntry.index(5, 2)))
                .encode())).hasValueSatisfying(p -> assertThat(p).contains("does not come after"));
    }

    @Property
    void dataAreaDecodersNeverThrowOnGarbage(@ForAll(supplier = FormatArbitraries.DataAreas.class) byte[] data,
            @ForAll boolean withMagic) {
        if (withMagic) { // get past the magic check to the checks behind it
            le(data).putShort(0, (short) DirectoryRoot.MAGIC);
        }
        DirectoryRoot.decode(data);
        DirectoryRoot.problem(data);
        if (withMagic) {
            le(data).putShort(0, (short) ExtentRoot.MAGIC).putShort(4, (short) 5);
        }
        assertThat(ExtentRoot.decode(data).entries()).hasSizeLessThanOrEqualTo(5);
        ExtentRoot.problem(data);
    }

    @Example
    void dataAreaDecodersRefuseAnythingButTheDataArea() {
        assertThatThrownBy(() -> DirectoryRoot.decode(new byte[24])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ExtentRoot.problem(new byte[129])).isInstanceOf(IllegalArgumentException.class);
    }

    /** Extents at logical 100 (50 blocks) and 200 (10 blocks), with {@code damage} done to the bytes. */
    private static java.util.Optional<String> damagedExtentRoot(Consumer<ByteBuffer> damage) {
        byte[] data = new ExtentRoot(0, List.of(new ExtentEntry(100, 1, 50, 0), new ExtentEntry(200, 2, 10, 0)))
                .encode();
        damage.accept(le(data));
        return ExtentRoot.problem(data);
    }

    private static ByteBuffer le(byte[] data) {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }
}
