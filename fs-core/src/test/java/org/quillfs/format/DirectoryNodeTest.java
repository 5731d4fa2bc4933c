package org.quillfs.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class DirectoryNodeTest {

    @Property(tries = 100)
    void insertingAndRemovingAtPositionsKeepsTheNodeSoundAndEqualToTheModel(
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize, @ForAll long seed) {
        Random random = new Random(seed);
        ByteBuffer block = TestBlocks.garbage(blockSize, seed);
        DirectoryNode.init(block, 11, 16, 1 + random.nextInt(3));
        TreeMap<Long, Long> model = new TreeMap<>();
        int capacity = DirectoryNode.capacity(blockSize);
        for (int step = 0; step < Math.min(2 * capacity + 10, 300); step++) {
            if (!model.isEmpty() && random.nextInt(4) == 0) {
                int index = random.nextInt(model.size());
                long key = new ArrayList<>(model.keySet()).get(index);
                DirectoryNode.remove(block, index);
                model.remove(key);
            } else {
                long key = random.nextLong() >>> 1;
                if (model.containsKey(key)) {
                    continue;
                }
                int index = model.headMap(key).size();
                byte[] before = model.size() < capacity ? null : TestBlocks.bytes(block);
                boolean inserted = DirectoryNode.insert(block, index, new DirectoryNode.Entry(key, 1 + random.nextInt(1000)));
                assertThat(inserted).isEqualTo(model.size() < capacity);
                if (inserted) {
                    model.put(key, DirectoryNode.entry(block, index).child());
                } else {
                    assertThat(TestBlocks.bytes(block)).isEqualTo(before);
                }
            }
            if (model.size() <= 64 || step % 16 == 0) {
                assertMatches(block, model);
            }
        }
        assertMatches(block, model);
        for (long key : model.keySet()) {
            int index = DirectoryNode.childIndex(block, key);
            assertThat(DirectoryNode.entry(block, index).firstKey()).isEqualTo(key);
            if (key > 0 && !model.containsKey(key - 1)) {
                int below = DirectoryNode.childIndex(block, key - 1);
                assertThat(below).isEqualTo(Math.max(0, index - 1));
            }
        }
        assertThat(DirectoryNode.owner(block)).isEqualTo(16);
        TestBlocks.assertVerifiesOnceSealed(block, BlockType.DIR_NODE, 11);
    }

    private static void assertMatches(ByteBuffer block, TreeMap<Long, Long> model) {
        assertThat(DirectoryNode.problem(block)).isEmpty();
        List<DirectoryNode.Entry> entries = DirectoryNode.entries(block);
        assertThat(entries).extracting(DirectoryNode.Entry::firstKey).containsExactlyElementsOf(model.keySet());
        assertThat(entries).extracting(DirectoryNode.Entry::child).containsExactlyElementsOf(model.values());
    }

    @Property
    void initWritesTheSameBytesIntoGarbageAsIntoZeros(
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize, @ForAll long seed) {
        TestBlocks.assertSameBytesIntoGarbageAsIntoZeros(blockSize, seed, block -> DirectoryNode.init(block, 9, 1, 2));
    }

    @Property
    void aNodeThatProblemAcceptsCanBeReadAndSearched(
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize, @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 8) int damagedBytes) {
        Random random = new Random(seed);
        ByteBuffer block = TestBlocks.zeroed(blockSize);
        DirectoryNode.init(block, 1, 1, 1);
        for (int i = 0; i < random.nextInt(40); i++) {
            DirectoryNode.insert(block, i, new DirectoryNode.Entry(1000L * i, 5 + i));
        }
        for (int i = 0; i < damagedBytes; i++) {
            block.put(32 + random.nextInt(Math.min(blockSize, 800) - 32), (byte) random.nextInt());
        }
        Optional<String> problem = DirectoryNode.problem(block);
        if (problem.isEmpty()) {
            List<DirectoryNode.Entry> entries = DirectoryNode.entries(block);
            for (int i = 1; i < entries.size(); i++) {
                assertThat(entries.get(i).firstKey()).isGreaterThan(entries.get(i - 1).firstKey());
            }
            assertThat(DirectoryNode.level(block)).isPositive();
            if (!entries.isEmpty()) {
                assertThat(DirectoryNode.childIndex(block, random.nextLong() >>> 1)).isBetween(0, entries.size() - 1);
            }
        }
    }

    @Example
    void aNodeIsLaidOutAsFormatSays() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        DirectoryNode.init(block, 7, 16, 3);
        DirectoryNode.insert(block, 0, new DirectoryNode.Entry(0, 100));
        DirectoryNode.insert(block, 1, new DirectoryNode.Entry(0x8000_0000L, 200));
        ByteBuffer b = TestBlocks.le(block);
        assertThat(BlockHeader.typeCode(block)).isEqualTo(7);
        assertThat(b.getInt(32)).isEqualTo(16);
        assertThat(b.getShort(36)).isEqualTo((short) 2);
        assertThat(b.getShort(38)).isEqualTo((short) 3);
        assertThat(b.getLong(40)).isZero();
        assertThat(b.getLong(48)).isEqualTo(100);
        assertThat(b.getLong(56)).isEqualTo(0x8000_0000L);
        assertThat(b.getLong(64)).isEqualTo(200);
        assertThat(DirectoryNode.capacity(1024)).isEqualTo(61);
        assertThat(DirectoryNode.capacity(65536)).isEqualTo(4093);
    }

    @Example
    void childIndexFindsTheLastEntryNotAboveTheKeyAndZeroBelowTheFirst() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        DirectoryNode.init(block, 7, 16, 1);
        DirectoryNode.insert(block, 0, new DirectoryNode.Entry(100, 1));
        DirectoryNode.insert(block, 1, new DirectoryNode.Entry(200, 2));
        DirectoryNode.insert(block, 2, new DirectoryNode.Entry(300, 3));
        assertThat(DirectoryNode.childIndex(block, 5)).isZero();
        assertThat(DirectoryNode.childIndex(block, 100)).isZero();
        assertThat(DirectoryNode.childIndex(block, 199)).isZero();
        assertThat(DirectoryNode.childIndex(block, 200)).isEqualTo(1);
        assertThat(DirectoryNode.childIndex(block, Long.MAX_VALUE)).isEqualTo(2);
    }

    @Example
    void removeZeroesTheFreedEntryAndSetFirstKeyReplacesOne() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        DirectoryNode.init(block, 7, 16, 1);
        DirectoryNode.insert(block, 0, new DirectoryNode.Entry(100, 1));
        DirectoryNode.insert(block, 1, new DirectoryNode.Entry(200, 2));
        DirectoryNode.remove(block, 0);
        DirectoryNode.setFirstKey(block, 0, 50);
        assertThat(DirectoryNode.entries(block)).containsExactly(new DirectoryNode.Entry(50, 2));
        assertThat(TestBlocks.le(block).getLong(56)).isZero();
        assertThat(TestBlocks.le(block).getLong(64)).isZero();
    }

    @Example
    void problemReportsDisorderAMissingChildLevelZeroAndTooManyEntries() {
        assertThat(problemAfter(b -> b.putLong(40, 200))).hasValueSatisfying(p -> assertThat(p).contains("does not come after"));
        assertThat(problemAfter(b -> b.putLong(64, 0))).hasValueSatisfying(p -> assertThat(p).contains("no child"));
        assertThat(problemAfter(b -> b.putShort(38, (short) 0))).hasValueSatisfying(p -> assertThat(p).contains("level 0"));
        assertThat(problemAfter(b -> b.putShort(36, (short) 62))).hasValueSatisfying(p -> assertThat(p).contains("do not fit"));
        assertThat(problemAfter(b -> b.putLong(40, -1))).hasValueSatisfying(p -> assertThat(p).contains("63 bits"));
    }

    @Example
    void invalidArgumentsAreRefused() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        assertThatThrownBy(() -> DirectoryNode.init(block, 1, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DirectoryNode.init(block, 1, 1L << 32, 1)).isInstanceOf(IllegalArgumentException.class);
        DirectoryNode.init(block, 1, 1, 1);
        assertThatThrownBy(() -> DirectoryNode.insert(block, 1, new DirectoryNode.Entry(1, 1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DirectoryNode.insert(block, 0, new DirectoryNode.Entry(1, 0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DirectoryNode.remove(block, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static Optional<String> problemAfter(java.util.function.Consumer<ByteBuffer> damage) {
        ByteBuffer block = TestBlocks.zeroed(1024);
        DirectoryNode.init(block, 1, 1, 1);
        DirectoryNode.insert(block, 0, new DirectoryNode.Entry(0, 10));
        DirectoryNode.insert(block, 1, new DirectoryNode.Entry(100, 20));
        assertThat(DirectoryNode.problem(block)).isEmpty();
        damage.accept(TestBlocks.le(block));
        return DirectoryNode.problem(block);
    }
}
