package org.quillfs.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class InodeTest {

    private static final UUID UUID_1 = new UUID(1, 2);
    private static final InodeChecksum CHECKSUM_1 = new InodeChecksum(UUID_1, true);

    @Property
    void inodeRoundTripsThroughItsCodecInAnySlotOfATableBlock(
            @ForAll(supplier = FormatArbitraries.Inodes.class) Inode inode,
            @ForAll(supplier = FormatArbitraries.InodeNumbers.class) long number,
            @ForAll(supplier = FormatArbitraries.Uuids.class) UUID uuid,
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize,
            @ForAll @IntRange(min = 0, max = 10_000) int anySlot) {
        ByteBuffer block = TestBlocks.zeroed(blockSize);
        InodeTableBlock.init(block, 5);
        int offset = offset(blockSize, anySlot);
        inode.encode(block, offset, number, new InodeChecksum(uuid, true));

        assertThat(Inode.decode(block, offset)).isEqualTo(inode);
        assertThat(Inode.checksumProblem(block, offset, number, new InodeChecksum(uuid, true))).isEmpty();
        assertThat(Inode.isFree(block, offset)).isFalse();
        TestBlocks.assertVerifiesOnceSealed(block, BlockType.INODE_TABLE, 5);
    }

    @Property
    void encodingAnInodeWritesExactlyItsOwn256Bytes(@ForAll(supplier = FormatArbitraries.Inodes.class) Inode inode,
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize,
            @ForAll @IntRange(min = 0, max = 10_000) int anySlot, @ForAll long seed) {
        int offset = offset(blockSize, anySlot);
        ByteBuffer clean = TestBlocks.zeroed(blockSize);
        inode.encode(clean, offset, 77, CHECKSUM_1);
        ByteBuffer dirty = TestBlocks.garbage(blockSize, seed);
        byte[] expected = TestBlocks.bytes(dirty);
        System.arraycopy(TestBlocks.bytes(clean), offset, expected, offset, 256);
        inode.encode(dirty, offset, 77, CHECKSUM_1);
        assertThat(TestBlocks.bytes(dirty)).isEqualTo(expected);
    }

    @Property
    void inodeTableBlockInitWritesTheSameBytesIntoGarbageAsIntoZeros(
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize, @ForAll long seed) {
        TestBlocks.assertSameBytesIntoGarbageAsIntoZeros(blockSize, seed, block -> InodeTableBlock.init(block, 3));
    }

    @Property
    void theInodeChecksumCatchesAnyFlippedBit(@ForAll(supplier = FormatArbitraries.Inodes.class) Inode inode,
            @ForAll(supplier = FormatArbitraries.InodeNumbers.class) long number,
            @ForAll @IntRange(min = 0, max = 256 * 8 - 1) int bit) {
        ByteBuffer block = TestBlocks.zeroed(1024);
        inode.encode(block, 288, number, CHECKSUM_1);
        TestBlocks.flipBit(block, 288 * 8 + bit);
        assertThat(Inode.checksumProblem(block, 288, number, CHECKSUM_1))
                .hasValueSatisfying(p -> assertThat(p).contains("inode " + number).contains("bad checksum"));
    }

    @Property
    void anInodeVerifiesOnlyAsItsOwnNumberAndFilesystem(@ForAll(supplier = FormatArbitraries.Inodes.class) Inode inode,
            @ForAll(supplier = FormatArbitraries.InodeNumbers.class) long number,
            @ForAll(supplier = FormatArbitraries.InodeNumbers.class) long otherNumber,
            @ForAll(supplier = FormatArbitraries.Uuids.class) UUID uuid,
            @ForAll(supplier = FormatArbitraries.Uuids.class) UUID otherUuid) {
        ByteBuffer block = TestBlocks.zeroed(1024);
        inode.encode(block, 32, number, new InodeChecksum(uuid, true));
        assertThat(Inode.checksumProblem(block, 32, otherNumber, new InodeChecksum(uuid, true)).isPresent())
                .isEqualTo(otherNumber != number);
        // Two UUIDs can share a CRC (a 2^-32 chance per pair); distinct ones are all but certain to differ.
        assertThat(Inode.checksumProblem(block, 32, number, new InodeChecksum(otherUuid, true)).isPresent())
                .isEqualTo(!otherUuid.equals(uuid));
        assertThat(Inode.checksumProblem(block, 32, number, new InodeChecksum(uuid, false)))
                .as("nor with the other algorithm").isPresent();
    }

    @Example
    void aFreeInodeIsAllZeroAndNeedsNoChecksum() {
        ByteBuffer block = TestBlocks.garbage(4096, 1);
        InodeTableBlock.init(block, 3);
        for (int offset = 32; offset + 256 <= 4096; offset += 256) {
            assertThat(Inode.isFree(block, offset)).isTrue();
            assertThat(Inode.checksumProblem(block, offset, 1 + offset, CHECKSUM_1)).isEmpty();
        }
        ByteBuffer notFree = TestBlocks.zeroed(1024);
        notFree.put(32 + 40, (byte) 1);
        assertThat(Inode.isFree(notFree, 32)).isFalse();
        assertThat(Inode.checksumProblem(notFree, 32, 1, CHECKSUM_1)).isPresent();
    }

    @Example
    void inodeFieldsAndChecksumSitAtTheirSpecifiedOffsets() {
        byte[] data = new byte[128];
        Arrays.fill(data, (byte) 0x5A);
        Inode inode = new Inode(Inode.S_IFREG | 0644, 1000, 1001, 2, 1L << 40, 9,
                new Timestamp(-1, 1), new Timestamp(2, 999_999_999), new Timestamp(3, 3), new Timestamp(4, 4),
                0xFFFF_FFFFL, Inode.INLINE_DATA | Inode.NOATIME, 123, 0x0801, 16, 17, data);
        ByteBuffer block = TestBlocks.zeroed(1024);
        inode.encode(block, 288, 42, CHECKSUM_1);
        ByteBuffer b = TestBlocks.le(block).position(288).slice().order(java.nio.ByteOrder.LITTLE_ENDIAN);

        assertThat(b.getShort(0)).isEqualTo((short) 0100644);
        assertThat(b.getShort(2)).isZero();
        assertThat(new int[] {b.getInt(4), b.getInt(8), b.getInt(12)}).containsExactly(1000, 1001, 2);
        assertThat(new long[] {b.getLong(16), b.getLong(24)}).containsExactly(1L << 40, 9);
        assertThat(new long[] {b.getLong(32), b.getLong(40), b.getLong(48), b.getLong(56)}).containsExactly(-1, 2, 3, 4);
        assertThat(new int[] {b.getInt(64), b.getInt(68), b.getInt(72), b.getInt(76)})
                .containsExactly(1, 999_999_999, 3, 4);
        assertThat(new int[] {b.getInt(80), b.getInt(84)}).containsExactly(-1, 0x10000080);
        assertThat(new long[] {b.getLong(88), b.getLong(96)}).containsExactly(123, 0x0801);
        assertThat(new int[] {b.getInt(104), b.getInt(108)}).containsExactly(16, 17);
        byte[] bytes = Arrays.copyOfRange(TestBlocks.bytes(block), 288, 288 + 256);
        assertThat(Arrays.copyOfRange(bytes, 112, 240)).isEqualTo(data);
        assertThat(Arrays.copyOfRange(bytes, 240, 252)).containsOnly(0);

        CRC32 crc = new CRC32();
        crc.update(BlockHeader.uuidBytes(UUID_1));
        crc.update(new byte[] {42, 0, 0, 0});
        crc.update(bytes, 0, 252);
        assertThat(b.getInt(252)).isEqualTo((int) crc.getValue());

        inode.encode(block, 288, 42, new InodeChecksum(UUID_1, false));
        bytes = Arrays.copyOfRange(TestBlocks.bytes(block), 288, 288 + 256);
        CRC32C first = new CRC32C(); // as the first format v1 filesystems, without feature inode_crc32
        first.update(BlockHeader.uuidBytes(UUID_1));
        first.update(new byte[] {42, 0, 0, 0});
        first.update(bytes, 0, 252);
        assertThat(b.getInt(252)).isEqualTo((int) first.getValue());
    }

    @Property
    void aTableBlockWhoseInodesChangeWholeNoLongerVerifies(
            @ForAll(supplier = FormatArbitraries.Inodes.class) Inode before,
            @ForAll(supplier = FormatArbitraries.Inodes.class) Inode after) {
        // A torn write that leaves whole inodes new and others old: the block checksum must see it.
        ByteBuffer block = TestBlocks.zeroed(1024);
        InodeTableBlock.init(block, 5);
        before.encode(block, 288, 9, CHECKSUM_1);
        BlockHeader.seal(block, UUID_1);
        after.encode(block, 288, 9, CHECKSUM_1);

        assertThat(BlockHeader.problem(block, UUID_1, BlockType.INODE_TABLE, 5).isPresent())
                .isEqualTo(!after.equals(before));

        // Why inodes have their own polynomial: with CRC32C for both, such a block verifies.
        InodeChecksum sameAsBlocks = new InodeChecksum(UUID_1, false);
        before.encode(block, 288, 9, sameAsBlocks);
        BlockHeader.seal(block, UUID_1);
        after.encode(block, 288, 9, sameAsBlocks);
        assertThat(BlockHeader.problem(block, UUID_1, BlockType.INODE_TABLE, 5)).isEmpty();
    }

    @Example
    void encodeRefusesValuesTheirFieldsCannotHold() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        Timestamp t = new Timestamp(0, 0);
        byte[] data = new byte[128];
        assertThatThrownBy(() -> new Inode(0x10000, 0, 0, 0, 0, 0, t, t, t, t, 0, 0, 0, 0, 0, 0, data)
                .encode(block, 32, 1, CHECKSUM_1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mode");
        assertThatThrownBy(() -> new Inode(0, 1L << 32, 0, 0, 0, 0, t, t, t, t, 0, 0, 0, 0, 0, 0, data)
                .encode(block, 32, 1, CHECKSUM_1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("uid");
        assertThatThrownBy(() -> new Inode(0, 0, 0, 0, 0, 0, t, t, t, t, 0, 0, 0, 0, 0, 0, data)
                .encode(block, 32, 0, CHECKSUM_1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inode number 0");
        assertThatThrownBy(() -> new Inode(0, 0, 0, 0, 0, 0, t, t, t, t, 0, 0, 0, 0, 0, 0, data)
                .encode(block, 1024 - 255, 1, CHECKSUM_1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(TestBlocks.bytes(block)).containsOnly(0);
        assertThatThrownBy(() -> new Inode(0, 0, 0, 0, 0, 0, t, t, t, t, 0, 0, 0, 0, 0, 0, new byte[127]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("128 bytes");
    }

    @Example
    void theDataAreaIsCopiedInAndOutAndComparedByContent() {
        Timestamp t = new Timestamp(0, 0);
        byte[] data = new byte[128];
        Inode inode = new Inode(0, 0, 0, 0, 0, 0, t, t, t, t, 0, 0, 0, 0, 0, 0, data);
        data[0] = 1;
        inode.data()[1] = 1;
        assertThat(inode.data()).containsOnly(0);
        Inode same = new Inode(0, 0, 0, 0, 0, 0, t, t, t, t, 0, 0, 0, 0, 0, 0, new byte[128]);
        assertThat(inode).isEqualTo(same).hasSameHashCodeAs(same);
        assertThat(inode).isNotEqualTo(new Inode(0, 0, 0, 0, 0, 0, t, t, t, t, 0, 0, 0, 0, 0, 0, data));
        assertThat(inode.toString()).contains("data=0000");
    }

    @Example
    void copiesMadeByWithersShareTheDataAreaButNoOneCanChangeIt() {
        Timestamp t = new Timestamp(0, 0);
        byte[] data = new byte[128];
        data[5] = 5;
        Inode inode = new Inode(0, 0, 0, 0, 0, 0, t, t, t, t, 0, 0, 0, 0, 0, 0, data);
        Inode copy = inode.withLinks(3).withTimes(t, new Timestamp(1, 0), t).withSize(9);
        data[5] = 6;
        copy.data()[5] = 7;
        inode.data()[5] = 8;
        assertThat(copy.data()).isEqualTo(inode.data()).containsOnly(0, 5);
        assertThat(copy.links()).isEqualTo(3);
        Inode replaced = copy.withData(data, 0);
        data[5] = 9;
        assertThat(replaced.data()[5]).as("withData copies what it is given").isEqualTo((byte) 6);
        assertThat(copy.data()[5]).isEqualTo((byte) 5);
    }

    @Property
    void timestampRoundTripsThroughInstant(
            @ForAll @LongRange(min = -31557014167219200L, max = 31556889864403199L) long seconds,
            @ForAll @IntRange(min = 0, max = 999_999_999) int nanos) {
        Timestamp t = new Timestamp(seconds, nanos);
        assertThat(Timestamp.of(t.toInstant())).isEqualTo(t);
        assertThat(t.toInstant()).isEqualTo(Instant.ofEpochSecond(seconds, nanos));
    }

    @Example
    void nanosecondsOfADamagedInodeAreUnsignedAndCarryIntoTheSeconds() {
        assertThat(new Timestamp(10, -1).toInstant()).isEqualTo(Instant.ofEpochSecond(10, 0xFFFF_FFFFL));
        assertThat(new Timestamp(10, 1_500_000_000).toInstant()).isEqualTo(Instant.ofEpochSecond(11, 500_000_000));
    }

    private static int offset(int blockSize, int anySlot) {
        return 32 + anySlot % ((blockSize - 32) / 256) * 256;
    }
}
