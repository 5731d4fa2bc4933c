package org.quillfs.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class BitmapTest {

    @Property
    void initMarksExactlyTheGroupsItemsFreeAndEverythingPastThemUsed(
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize,
            @ForAll @IntRange(min = 0, max = 1 << 20) int anyValidBits, @ForAll boolean inodes, @ForAll long blockNr,
            @ForAll long seed) {
        int bits = Bitmap.bits(blockSize);
        int validBits = anyValidBits % (bits + 1);
        BlockType type = inodes ? BlockType.INODE_BITMAP : BlockType.BLOCK_BITMAP;
        ByteBuffer block = TestBlocks.garbage(blockSize, seed);
        Bitmap.init(block, type, blockNr, validBits);

        BitSet expected = new BitSet();
        expected.set(validBits, bits);
        byte[] body = Arrays.copyOf(expected.toByteArray(), blockSize - 32);
        assertThat(Arrays.copyOfRange(TestBlocks.bytes(block), 32, blockSize)).isEqualTo(body);
        assertThat(Bitmap.countClear(block)).isEqualTo(validBits);
        if (validBits > 0) {
            assertThat(Bitmap.isSet(block, validBits - 1)).isFalse();
        }
        if (validBits < bits) {
            assertThat(Bitmap.isSet(block, validBits)).isTrue();
        }
        TestBlocks.assertVerifiesOnceSealed(block, type, blockNr);
    }

    @Property
    void initWritesTheSameBytesIntoGarbageAsIntoZeros(
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize,
            @ForAll @IntRange(min = 0, max = 1 << 20) int anyValidBits, @ForAll long seed) {
        int validBits = anyValidBits % (Bitmap.bits(blockSize) + 1);
        TestBlocks.assertSameBytesIntoGarbageAsIntoZeros(blockSize, seed,
                block -> Bitmap.init(block, BlockType.BLOCK_BITMAP, 9, validBits));
    }

    @Property
    void setAndIsSetBehaveLikeABitSet(@ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize,
            @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 1 << 20) Integer> anyBits,
            @ForAll @Size(max = 200) List<Boolean> values) {
        int bits = Bitmap.bits(blockSize);
        ByteBuffer block = TestBlocks.zeroed(blockSize);
        Bitmap.init(block, BlockType.INODE_BITMAP, 1, bits);
        BitSet model = new BitSet(bits);
        for (int i = 0; i < Math.min(anyBits.size(), values.size()); i++) {
            int bit = anyBits.get(i) % bits;
            Bitmap.set(block, bit, values.get(i));
            model.set(bit, values.get(i));
        }
        for (int bit : anyBits) {
            assertThat(Bitmap.isSet(block, bit % bits)).isEqualTo(model.get(bit % bits));
        }
        assertThat(Bitmap.countClear(block)).isEqualTo(bits - model.cardinality());
        assertThat(Arrays.copyOfRange(TestBlocks.bytes(block), 32, blockSize))
                .isEqualTo(Arrays.copyOf(model.toByteArray(), blockSize - 32));
    }

    @Example
    void aBitmapHasEightBitsPerByteAfterTheHeader() {
        assertThat(Bitmap.bits(1024)).isEqualTo(7936);
        assertThat(Bitmap.bits(65536)).isEqualTo(524_032);
    }

    @Example
    void initRefusesWhatIsNotABitmapOrDoesNotFit() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        assertThatThrownBy(() -> Bitmap.init(block, BlockType.INODE_TABLE, 1, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Bitmap.init(block, BlockType.BLOCK_BITMAP, 1, 7937))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Bitmap.isSet(block, 7936)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
