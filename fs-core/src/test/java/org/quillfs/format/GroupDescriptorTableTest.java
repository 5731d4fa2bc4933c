package org.quillfs.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class GroupDescriptorTableTest {

    private static final GroupDescriptor ZERO = new GroupDescriptor(0, 0, 0, 0, 0, 0, 0, 0);

    @Property
    void descriptorRoundTripsThroughItsSlot(
            @ForAll(supplier = FormatArbitraries.GroupDescriptors.class) GroupDescriptor d,
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize,
            @ForAll @IntRange(min = 0, max = 10_000) int anySlot, @ForAll long blockNr) {
        int slot = anySlot % GroupDescriptorTable.slots(blockSize);
        ByteBuffer block = TestBlocks.zeroed(blockSize);
        GroupDescriptorTable.initBlock(block, blockNr);
        GroupDescriptorTable.put(block, slot, d);

        assertThat(GroupDescriptorTable.get(block, slot)).isEqualTo(d);
        for (int other = 0; other < GroupDescriptorTable.slots(blockSize); other++) {
            if (other != slot) {
                assertThat(GroupDescriptorTable.get(block, other)).isEqualTo(ZERO);
            }
        }
        TestBlocks.assertVerifiesOnceSealed(block, BlockType.GROUP_DESCRIPTORS, blockNr);
    }

    @Property
    void initBlockWritesTheSameBytesIntoGarbageAsIntoZeros(
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize, @ForAll long blockNr,
            @ForAll long seed) {
        TestBlocks.assertSameBytesIntoGarbageAsIntoZeros(blockSize, seed,
                block -> GroupDescriptorTable.initBlock(block, blockNr));
    }

    @Property
    void putWritesOnlyItsOwnSlotAndZeroesItsReservedBytes(
            @ForAll(supplier = FormatArbitraries.GroupDescriptors.class) GroupDescriptor d,
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize,
            @ForAll @IntRange(min = 0, max = 10_000) int anySlot, @ForAll long seed) {
        int slot = anySlot % GroupDescriptorTable.slots(blockSize);
        ByteBuffer clean = TestBlocks.zeroed(blockSize);
        GroupDescriptorTable.put(clean, slot, d);
        ByteBuffer dirty = TestBlocks.garbage(blockSize, seed);
        byte[] before = TestBlocks.bytes(dirty);
        GroupDescriptorTable.put(dirty, slot, d);

        byte[] expected = before.clone();
        int from = 32 + 64 * slot;
        System.arraycopy(TestBlocks.bytes(clean), from, expected, from, 64);
        assertThat(TestBlocks.bytes(dirty)).isEqualTo(expected);
    }

    @Example
    void descriptorFieldsSitAtTheirSpecifiedOffsets() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        GroupDescriptorTable.put(block, 2, new GroupDescriptor(11, 12, 13, 0xFFFF_FFFFL, 15, 16,
                GroupDescriptor.INODE_UNINIT | GroupDescriptor.BLOCK_UNINIT, 17));
        ByteBuffer b = TestBlocks.le(block);
        int at = 32 + 2 * 64;
        assertThat(new long[] {b.getLong(at), b.getLong(at + 8), b.getLong(at + 16)}).containsExactly(11, 12, 13);
        assertThat(new int[] {b.getInt(at + 24), b.getInt(at + 28), b.getInt(at + 32)}).containsExactly(-1, 15, 16);
        assertThat(b.getShort(at + 36)).isEqualTo((short) 3);
        assertThat(b.getInt(at + 40)).isEqualTo(17);
        assertThat(Arrays.copyOfRange(TestBlocks.bytes(block), at + 44, at + 64)).containsOnly(0);
    }

    @Example
    void groupsMapToTableBlocksAndSlots() {
        assertThat(GroupDescriptorTable.slots(1024)).isEqualTo(15);
        assertThat(GroupDescriptorTable.slots(4096)).isEqualTo(63);
        assertThat(GroupDescriptorTable.slots(65536)).isEqualTo(1023);
        assertThat(GroupDescriptorTable.tableBlockOf(0, 1024)).isEqualTo(1);
        assertThat(GroupDescriptorTable.slotOf(14, 1024)).isEqualTo(14);
        assertThat(GroupDescriptorTable.tableBlockOf(14, 1024)).isEqualTo(1);
        assertThat(GroupDescriptorTable.tableBlockOf(15, 1024)).isEqualTo(2);
        assertThat(GroupDescriptorTable.slotOf(15, 1024)).isEqualTo(0);
        assertThat(GroupDescriptorTable.tableBlockOf(127, 4096)).isEqualTo(3);
        assertThat(GroupDescriptorTable.slotOf(127, 4096)).isEqualTo(1);
    }

    @Example
    void putRefusesValuesTheirFieldsCannotHold() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        assertThatThrownBy(() -> GroupDescriptorTable.put(block, 0, new GroupDescriptor(0, 0, 0, 1L << 32, 0, 0, 0, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("free_blocks");
        assertThatThrownBy(() -> GroupDescriptorTable.put(block, 0, new GroupDescriptor(0, 0, 0, 0, 0, 0, 0x10000, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("flags");
        assertThatThrownBy(() -> GroupDescriptorTable.put(block, 0, new GroupDescriptor(0, 0, 0, 0, 0, 0, 0, -1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("itable_initialized");
        assertThat(TestBlocks.bytes(block)).containsOnly(0);
    }

    @Example
    void slotsPastTheBlockAreRefused() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        assertThatThrownBy(() -> GroupDescriptorTable.get(block, 15)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> GroupDescriptorTable.put(block, -1, ZERO))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Example
    void hasTellsWhichFlagsAreSet() {
        GroupDescriptor d = new GroupDescriptor(0, 0, 0, 0, 0, 0, GroupDescriptor.BLOCK_UNINIT, 0);
        assertThat(d.has(GroupDescriptor.BLOCK_UNINIT)).isTrue();
        assertThat(d.has(GroupDescriptor.INODE_UNINIT)).isFalse();
        assertThat(d.has(GroupDescriptor.INODE_UNINIT | GroupDescriptor.BLOCK_UNINIT)).isFalse();
    }
}
