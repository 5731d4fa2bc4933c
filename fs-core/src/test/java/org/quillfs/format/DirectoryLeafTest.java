package org.quillfs.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class DirectoryLeafTest {

    private static final int[] FILE_TYPES = {1, 2, 4, 6, 8, 10, 12};
    private static final int SMALLEST_ENTRY_WITH_SLOT = 14 + 1 + 2;

    @Property(tries = 200)
    void insertingUntilFullKeepsTheLeafSoundAndItsEntriesInKeyOrder(
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize, @ForAll long seed) {
        Random random = new Random(seed);
        int maxNameLength = random.nextBoolean() ? 255 : 8;
        ByteBuffer block = TestBlocks.garbage(blockSize, seed);
        DirectoryLeaf.init(block, 7, 16);
        TreeMap<Long, DirEntry> model = new TreeMap<>();

        for (int step = 0; DirectoryLeaf.freeBytes(block) >= SMALLEST_ENTRY_WITH_SLOT; step++) {
            int free = DirectoryLeaf.freeBytes(block);
            if (step < 500 && !model.isEmpty() && random.nextInt(8) == 0) {
                // What a removal leaves behind: one slot fewer and a hole in the heap.
                int slot = random.nextInt(model.size());
                DirEntry dropped = DirectoryLeaf.entries(block).get(slot);
                dropSlot(block, slot);
                model.remove(dropped.key());
                assertThat(DirectoryLeaf.freeBytes(block)).isEqualTo(free + 14 + dropped.name().length + 2);
                continue;
            }
            int lengthLimit = random.nextBoolean() ? maxNameLength : Math.min(maxNameLength, free - 16);
            DirEntry entry = randomEntry(random, 1 + random.nextInt(lengthLimit), model);
            byte[] before = TestBlocks.bytes(block);
            boolean inserted = DirectoryLeaf.insert(block, entry);

            int needed = 14 + entry.name().length + 2;
            assertThat(inserted).isEqualTo(needed <= free);
            if (inserted) {
                model.put(entry.key(), entry);
                assertThat(DirectoryLeaf.freeBytes(block)).isEqualTo(free - needed);
            } else {
                assertThat(TestBlocks.bytes(block)).isEqualTo(before);
            }
            if (model.size() <= 256 || step % 64 == 0) { // every step would be quadratic in 64 KiB leaves
                assertThat(DirectoryLeaf.problem(block)).isEmpty();
                assertThat(DirectoryLeaf.entries(block)).containsExactlyElementsOf(model.values());
            }
        }
        assertThat(DirectoryLeaf.problem(block)).isEmpty();
        assertThat(DirectoryLeaf.entries(block)).containsExactlyElementsOf(model.values());
        assertThat(DirectoryLeaf.insert(block, randomEntry(random, 1, model))).isFalse();
        assertThat(DirectoryLeaf.entryCount(block)).isEqualTo(model.size());
        assertThat(DirectoryLeaf.owner(block)).isEqualTo(16);
        TestBlocks.assertVerifiesOnceSealed(block, BlockType.DIR_LEAF, 7);
    }

    @Property
    void initWritesTheSameBytesIntoGarbageAsIntoZeros(
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize, @ForAll long seed) {
        TestBlocks.assertSameBytesIntoGarbageAsIntoZeros(blockSize, seed, block -> DirectoryLeaf.init(block, 9, 1));
    }

    @Property
    void aLeafThatProblemAcceptsCanBeReadAndInsertedInto(
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize, @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 8) int damagedBytes) {
        Random random = new Random(seed);
        ByteBuffer block = TestBlocks.zeroed(blockSize);
        DirectoryLeaf.init(block, 1, 1);
        TreeMap<Long, DirEntry> model = new TreeMap<>();
        for (int i = random.nextInt(40); i > 0; i--) {
            DirEntry entry = randomEntry(random, 1 + random.nextInt(20), model);
            if (DirectoryLeaf.insert(block, entry)) {
                model.put(entry.key(), entry);
            }
        }
        for (int i = 0; i < damagedBytes; i++) { // anywhere past the common header
            block.put(32 + random.nextInt(blockSize - 32), (byte) random.nextInt());
        }

        Optional<String> problem = DirectoryLeaf.problem(block);
        if (problem.isEmpty()) {
            List<DirEntry> entries = DirectoryLeaf.entries(block);
            for (int i = 1; i < entries.size(); i++) {
                assertThat(entries.get(i).key()).isGreaterThan(entries.get(i - 1).key());
            }
            DirEntry entry = randomEntry(random, 1 + random.nextInt(20), model);
            if (entries.stream().noneMatch(e -> e.key() == entry.key()) && DirectoryLeaf.insert(block, entry)) {
                assertThat(DirectoryLeaf.problem(block)).isEmpty();
                assertThat(DirectoryLeaf.entries(block)).contains(entry);
            }
        }
    }

    @Example
    void aLeafIsLaidOutAsASlottedPage() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        DirectoryLeaf.init(block, 7, 16);
        ByteBuffer b = TestBlocks.le(block);
        assertThat(BlockHeader.typeCode(block)).isEqualTo(6);
        assertThat(b.getShort(38)).isEqualTo((short) 1024);

        long laterKey = DirectoryKeys.key(5, 0);
        long earlierKey = DirectoryKeys.key(3, 1);
        DirectoryLeaf.insert(block, new DirEntry(laterKey, 16, DirectoryKeys.DT_DIR, name("lost+found")));
        DirectoryLeaf.insert(block, new DirEntry(earlierKey, 17, DirectoryKeys.DT_REG, name("a")));
        DirectoryLeaf.setNextLeaf(block, 0x123456789L);

        assertThat(b.getInt(32)).isEqualTo(16);
        assertThat(b.getShort(36)).isEqualTo((short) 2);
        assertThat(b.getShort(38)).isEqualTo((short) (1024 - 24 - 15));
        assertThat(b.getLong(40)).isEqualTo(0x123456789L);
        assertThat(new short[] {b.getShort(48), b.getShort(50)}).containsExactly((short) (1024 - 24 - 15), (short) 1000);
        assertThat(b.getLong(1000)).isEqualTo(laterKey);
        assertThat(b.getInt(1008)).isEqualTo(16);
        assertThat(new byte[] {b.get(1012), b.get(1013)}).containsExactly(4, 10);
        assertThat(Arrays.copyOfRange(TestBlocks.bytes(block), 1014, 1024)).isEqualTo(name("lost+found"));
        assertThat(b.getLong(985)).isEqualTo(earlierKey);
        assertThat(DirectoryLeaf.nextLeaf(block)).isEqualTo(0x123456789L);
        assertThat(DirectoryLeaf.owner(block)).isEqualTo(16);
    }

    @Example
    void in64KiBBlocksAnEmptyHeapIsStoredAsZero() {
        ByteBuffer block = TestBlocks.zeroed(65536);
        DirectoryLeaf.init(block, 1, 1);
        assertThat(TestBlocks.le(block).getShort(38)).isZero();
        assertThat(DirectoryLeaf.problem(block)).isEmpty();
        assertThat(DirectoryLeaf.freeBytes(block)).isEqualTo(65536 - 48);

        DirEntry entry = new DirEntry(DirectoryKeys.key(1, 0), 20, DirectoryKeys.DT_REG, name("x"));
        assertThat(DirectoryLeaf.insert(block, entry)).isTrue();
        assertThat(Short.toUnsignedInt(TestBlocks.le(block).getShort(38))).isEqualTo(65536 - 15);
        assertThat(DirectoryLeaf.entries(block)).containsExactly(entry);
    }

    @Example
    void insertReclaimsTheSpaceOfRemovedEntriesByCompactingTheHeap() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        DirectoryLeaf.init(block, 1, 1);
        int n = 0;
        while (DirectoryLeaf.insert(block, new DirEntry(DirectoryKeys.key(++n, 0), n, DirectoryKeys.DT_REG,
                name("file-" + "x".repeat(100) + n)))) {
            // fill with 120-byte entries
        }
        List<DirEntry> entries = DirectoryLeaf.entries(block);
        assertThat(entries).hasSize(8);
        assertThat(DirectoryLeaf.freeBytes(block)).isZero();
        dropSlot(block, 3);
        dropSlot(block, 1);
        DirEntry big = new DirEntry(DirectoryKeys.key(1000, 0), 5, DirectoryKeys.DT_DIR, name("y".repeat(200)));
        assertThat(DirectoryLeaf.insert(block, big)).isTrue();

        assertThat(DirectoryLeaf.problem(block)).isEmpty();
        assertThat(DirectoryLeaf.entries(block)).containsExactly(entries.get(0), entries.get(2), entries.get(4),
                entries.get(5), entries.get(6), entries.get(7), big);
        int heapStart = TestBlocks.le(block).getShort(38);
        assertThat(heapStart).isEqualTo(1024 - 6 * 120 - 214);
        assertThat(Arrays.copyOfRange(TestBlocks.bytes(block), 48 + 2 * 7, heapStart)).containsOnly(0);
    }

    @Example
    void insertRefusesAKeyAlreadyInTheLeafAndInvalidEntries() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        DirectoryLeaf.init(block, 1, 1);
        long key = DirectoryKeys.key(9, 0);
        DirectoryLeaf.insert(block, new DirEntry(key, 20, DirectoryKeys.DT_REG, name("a")));
        byte[] before = TestBlocks.bytes(block);

        assertThatThrownBy(() -> DirectoryLeaf.insert(block, new DirEntry(key, 21, DirectoryKeys.DT_REG, name("b"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already");
        assertThatThrownBy(() -> DirectoryLeaf.insert(block, new DirEntry(key + 1, 21, 8, name("b/c"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'/'");
        assertThatThrownBy(() -> DirectoryLeaf.insert(block, new DirEntry(2, 21, 8, name("b"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a directory key");
        assertThatThrownBy(() -> DirectoryLeaf.insert(block, new DirEntry(key + 1, 0, 8, name("b"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DirectoryLeaf.insert(block, new DirEntry(key + 1, 21, 3, name("b"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DirectoryLeaf.insert(block, new DirEntry(key + 1, 1L << 32, 8, name("b"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inode");
        assertThat(TestBlocks.bytes(block)).isEqualTo(before);
    }

    @Example
    void problemReportsASlotPointingOutsideTheBlockAndEntriesRefusesIt() {
        ByteBuffer block = threeEntryLeaf(b -> b.putShort(48, (short) 1020));
        assertThat(DirectoryLeaf.problem(block)).hasValue("slot 0: entry at offset 1020 lies outside the block");
        assertThatThrownBy(() -> DirectoryLeaf.entries(block)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("slot 0: entry at offset 1020 lies outside the block");
    }

    @Example
    void problemReportsAnEntryWhoseNameRunsPastTheBlock() {
        // The last entry is "gamma" at 1024 - 19; a name length of 6 would end at 1025.
        ByteBuffer block = threeEntryLeaf(b -> b.put(1024 - 19 + 13, (byte) 6));
        assertThat(DirectoryLeaf.problem(block)).hasValueSatisfying(p -> assertThat(p).contains("outside the block"));
        assertThatThrownBy(() -> DirectoryLeaf.entries(block)).isInstanceOf(IllegalArgumentException.class);
    }

    @Example
    void problemReportsKeysOutOfOrder() {
        ByteBuffer block = threeEntryLeaf(b -> {
            short first = b.getShort(48);
            b.putShort(48, b.getShort(50)).putShort(50, first);
        });
        assertThat(DirectoryLeaf.problem(block)).hasValueSatisfying(p -> assertThat(p).startsWith("slot 1: key")
                .contains("does not come after"));
    }

    @Example
    void problemReportsANameWithASlash() {
        ByteBuffer block = threeEntryLeaf(b -> b.put(b.getShort(50) + 14 + 1, (byte) '/'));
        assertThat(DirectoryLeaf.problem(block)).hasValue("slot 1: name contains '/'");
    }

    @Example
    void problemReportsEachOtherDamage() {
        assertThat(DirectoryLeaf.problem(threeEntryLeaf(b -> b.putShort(36, (short) 0xFFFF))))
                .hasValueSatisfying(p -> assertThat(p).contains("entry_count 65535"));
        assertThat(DirectoryLeaf.problem(threeEntryLeaf(b -> b.putShort(38, (short) 50)))).hasValue(
                "heap_start 50 is not between the end of the slots (54) and the end of the block (1024)");
        assertThat(DirectoryLeaf.problem(threeEntryLeaf(b -> b.putShort(48, (short) 60))))
                .hasValueSatisfying(p -> assertThat(p).contains("below heap_start"));
        assertThat(DirectoryLeaf.problem(threeEntryLeaf(b -> b.putShort(50, b.getShort(48)))))
                .hasValueSatisfying(p -> assertThat(p).contains("overlap"));
        assertThat(DirectoryLeaf.problem(threeEntryLeaf(b -> b.put(b.getShort(48) + 12, (byte) 3))))
                .hasValue("slot 0: file type 3 is not a DT_* value");
        assertThat(DirectoryLeaf.problem(threeEntryLeaf(b -> b.putInt(b.getShort(48) + 8, 0))))
                .hasValue("slot 0: entry names inode 0");
        assertThat(DirectoryLeaf.problem(threeEntryLeaf(b -> b.putLong(b.getShort(48), 0x7FFF))))
                .hasValue("slot 0: 0x7fff is not a directory key");
        assertThat(DirectoryLeaf.problem(threeEntryLeaf(b -> b.put(b.getShort(48) + 13, (byte) 0))))
                .hasValue("slot 0: name is empty");
        assertThat(DirectoryLeaf.problem(threeEntryLeaf(b -> { }))).isEmpty();
    }

    @Example
    void problemReportsAnEmptyLeafWhoseHeapStartsPastTheBlock() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        DirectoryLeaf.init(block, 1, 1);
        TestBlocks.le(block).putShort(38, (short) 1025);
        assertThat(DirectoryLeaf.problem(block)).hasValue(
                "heap_start 1025 is not between the end of the slots (48) and the end of the block (1024)");
    }

    @Example
    void aDirEntryComparesByContentAndShowsMalformedNameBytesEscaped() {
        byte[] bytes = {'a', (byte) 0xFF, 'b', (byte) 0xC3};
        DirEntry entry = new DirEntry(1 << 15, 16, DirectoryKeys.DT_REG, bytes);
        bytes[0] = 'z';
        entry.name()[1] = 'z';
        assertThat(entry).isEqualTo(new DirEntry(1 << 15, 16, 8, new byte[] {'a', (byte) 0xFF, 'b', (byte) 0xC3}))
                .hasSameHashCodeAs(new DirEntry(1 << 15, 16, 8, new byte[] {'a', (byte) 0xFF, 'b', (byte) 0xC3}));
        assertThat(entry.toString()).isEqualTo("DirEntry[key=0x8000, inode=16, fileType=8, name=\"a\\xffb\\xc3\"]");
        assertThat(new DirEntry(1 << 15, 16, 8, name("été")).toString()).contains("name=\"été\"");
    }

    /** Entries "alpha", "beta", "gamma" with keys 1, 2, 3 × 2^15 in a 1 KiB leaf, then {@code damage}. */
    private static ByteBuffer threeEntryLeaf(Consumer<ByteBuffer> damage) {
        ByteBuffer block = TestBlocks.zeroed(1024);
        DirectoryLeaf.init(block, 1, 1);
        String[] names = {"alpha", "beta", "gamma"};
        for (int i = names.length - 1; i >= 0; i--) {
            DirectoryLeaf.insert(block, new DirEntry(DirectoryKeys.key(i + 1, 0), 20 + i, DirectoryKeys.DT_REG,
                    name(names[i])));
        }
        damage.accept(TestBlocks.le(block));
        return block;
    }

    /** Removes slot {@code slot} the way a removal would, leaving the entry's bytes as a hole. */
    private static void dropSlot(ByteBuffer block, int slot) {
        ByteBuffer b = TestBlocks.le(block);
        int count = b.getShort(36);
        for (int i = slot; i < count - 1; i++) {
            b.putShort(48 + 2 * i, b.getShort(48 + 2 * (i + 1)));
        }
        b.putShort(36, (short) (count - 1));
    }

    /** A valid entry with a random name of {@code nameLength} bytes and a key not yet in {@code model}. */
    static DirEntry randomEntry(Random random, int nameLength, TreeMap<Long, DirEntry> model) {
        byte[] name = new byte[nameLength];
        do {
            for (int i = 0; i < nameLength; i++) {
                name[i] = (byte) (1 + random.nextInt(255));
                if (name[i] == '/') {
                    name[i] = 'q';
                }
            }
        } while (DirectoryKeys.nameProblem(name).isPresent()); // "." or ".."
        long key;
        do {
            key = DirectoryKeys.key(1 + (random.nextLong() >>> 16) % ((1L << 48) - 1), random.nextInt(32768));
        } while (model.containsKey(key));
        return new DirEntry(key, 1 + (random.nextLong() >>> 32) % 0xFFFF_FFFFL,
                FILE_TYPES[random.nextInt(FILE_TYPES.length)], name);
    }

    static byte[] name(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
