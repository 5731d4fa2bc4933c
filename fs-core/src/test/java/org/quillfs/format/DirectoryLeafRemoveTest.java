package org.quillfs.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class DirectoryLeafRemoveTest {


    @Property(tries = 100)
    void randomInsertsAndRemovesKeepTheLeafSoundAndEqualToTheModel(
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize, @ForAll long seed) {
        Random random = new Random(seed);
        ByteBuffer block = TestBlocks.garbage(blockSize, seed);
        DirectoryLeaf.init(block, 3, 16);
        TreeMap<Long, DirEntry> model = new TreeMap<>();
        for (int step = 0; step < 300; step++) {
            if (!model.isEmpty() && random.nextInt(3) == 0) {
                List<Long> keys = new ArrayList<>(model.keySet());
                long key = keys.get(random.nextInt(keys.size()));
                int free = DirectoryLeaf.freeBytes(block);
                DirEntry removed = model.remove(key);
                assertThat(DirectoryLeaf.remove(block, key)).isTrue();
                assertThat(DirectoryLeaf.freeBytes(block)).isEqualTo(free + 14 + removed.name().length + 2);
            } else {
                DirEntry entry = DirectoryLeafTest.randomEntry(random, 1 + random.nextInt(random.nextBoolean() ? 255 : 12), model);
                if (DirectoryLeaf.insert(block, entry)) {
                    model.put(entry.key(), entry);
                }
            }
            if (model.size() <= 32 || step % 16 == 0) {
                assertThat(DirectoryLeaf.problem(block)).isEmpty();
                assertThat(DirectoryLeaf.entries(block)).containsExactlyElementsOf(model.values());
            }
        }
        assertThat(DirectoryLeaf.problem(block)).isEmpty();
        assertThat(DirectoryLeaf.entries(block)).containsExactlyElementsOf(model.values());
        TestBlocks.assertVerifiesOnceSealed(block, BlockType.DIR_LEAF, 3);
    }

    @Example
    void removeZeroesTheEntryAndItsSlotAndLeavesHeapStart() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        DirectoryLeaf.init(block, 1, 1);
        long a = DirectoryKeys.key(1, 0);
        long b = DirectoryKeys.key(2, 0);
        DirectoryLeaf.insert(block, new DirEntry(a, 20, DirectoryKeys.DT_REG, DirectoryLeafTest.name("alpha"))); // 1024-19 .. 1024
        DirectoryLeaf.insert(block, new DirEntry(b, 21, DirectoryKeys.DT_DIR, DirectoryLeafTest.name("beta"))); // 1024-37 .. 1024-19
        ByteBuffer le = TestBlocks.le(block);
        short heapStart = le.getShort(38);

        assertThat(DirectoryLeaf.remove(block, a)).isTrue();

        assertThat(le.getShort(36)).isEqualTo((short) 1);
        assertThat(le.getShort(38)).isEqualTo(heapStart);
        assertThat(le.getShort(48)).isEqualTo((short) (1024 - 37));
        assertThat(le.getShort(50)).isZero();
        assertThat(Arrays.copyOfRange(TestBlocks.bytes(block), 1024 - 19, 1024)).containsOnly(0);
        assertThat(DirectoryLeaf.entries(block)).containsExactly(new DirEntry(b, 21, DirectoryKeys.DT_DIR, DirectoryLeafTest.name("beta")));
        assertThat(DirectoryLeaf.problem(block)).isEmpty();
    }

    @Example
    void removingAMissingKeyChangesNothing() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        DirectoryLeaf.init(block, 1, 1);
        DirectoryLeaf.insert(block, new DirEntry(DirectoryKeys.key(1, 0), 20, DirectoryKeys.DT_REG, DirectoryLeafTest.name("a")));
        byte[] before = TestBlocks.bytes(block);
        assertThat(DirectoryLeaf.remove(block, DirectoryKeys.key(1, 1))).isFalse();
        assertThat(TestBlocks.bytes(block)).isEqualTo(before);
    }

    @Example
    void removingTheLastEntryLeavesAnEmptySoundLeafThatTakesInsertsAgain() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        DirectoryLeaf.init(block, 1, 1);
        DirEntry e = new DirEntry(DirectoryKeys.key(7, 0), 20, DirectoryKeys.DT_REG, DirectoryLeafTest.name("x".repeat(255)));
        DirectoryLeaf.insert(block, e);
        DirectoryLeaf.remove(block, e.key());
        assertThat(DirectoryLeaf.entryCount(block)).isZero();
        assertThat(DirectoryLeaf.problem(block)).isEmpty();
        assertThat(DirectoryLeaf.freeBytes(block)).isEqualTo(1024 - 48);
        for (int i = 0; i < 3; i++) {
            assertThat(DirectoryLeaf.insert(block, new DirEntry(DirectoryKeys.key(10 + i, 0), 20, 8,
                    DirectoryLeafTest.name("y".repeat(255))))).isTrue();
        }
        assertThat(DirectoryLeaf.problem(block)).isEmpty();
    }
}
