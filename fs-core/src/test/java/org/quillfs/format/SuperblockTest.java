package org.quillfs.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.UUID;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class SuperblockTest {

    private static final UUID UUID_1 = UUID.fromString("00112233-4455-6677-8899-aabbccddeeff");

    @Property
    void superblockRoundTripsThroughItsCodec(@ForAll(supplier = FormatArbitraries.Superblocks.class) Superblock sb,
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize, @ForAll long blockNr) {
        ByteBuffer block = TestBlocks.zeroed(blockSize);
        sb.encode(block, blockNr);
        assertThat(Superblock.decode(block)).isEqualTo(sb);
        TestBlocks.assertVerifiesOnceSealed(block, BlockType.SUPERBLOCK, blockNr);
    }

    @Property
    void superblockEncodesTheSameBytesIntoGarbageAsIntoZeros(
            @ForAll(supplier = FormatArbitraries.Superblocks.class) Superblock sb,
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize, @ForAll long seed) {
        TestBlocks.assertSameBytesIntoGarbageAsIntoZeros(blockSize, seed, block -> sb.encode(block, 0));
    }

    @Example
    void superblockFieldsSitAtTheirSpecifiedOffsets() {
        Geometry g = new Geometry(4096, 0x1_0000_0001L, 0x2_0000_0002L, 32512, 8000, 3, 4, 5006, 5, 5000);
        Superblock sb = new Superblock(1, 0x11, 0x22, 0x33, g, UUID_1, "quill", Superblock.STATE_CLEAN, 7, -1, 1, 16,
                99, -5L, 101L, 102L, 103L, 104L, 105L, 0x0706050403020100L, 0x0f0e0d0c0b0a0908L, 1, Limits.INODE_SIZE);
        ByteBuffer block = TestBlocks.zeroed(4096);
        sb.encode(block, 0);
        ByteBuffer b = TestBlocks.le(block);

        assertThat(BlockHeader.typeCode(block)).isEqualTo(1);
        assertThat(new int[] {b.getInt(32), b.getInt(36), b.getInt(40), b.getInt(44), b.getInt(48), b.getInt(52)})
                .containsExactly(1, 0x11, 0x22, 0x33, 4096, 256);
        assertThat(new long[] {b.getLong(56), b.getLong(64)}).containsExactly(0x1_0000_0001L, 0x2_0000_0002L);
        assertThat(new int[] {b.getInt(72), b.getInt(76), b.getInt(80), b.getInt(84)}).containsExactly(32512, 8000, 3, 4);
        assertThat(new long[] {b.getLong(88), b.getLong(96), b.getLong(104)}).containsExactly(5006, 5, 5000);
        assertThat(Arrays.copyOfRange(TestBlocks.bytes(block), 112, 128))
                .containsExactly(0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                        0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff);
        assertThat(Arrays.copyOfRange(TestBlocks.bytes(block), 128, 192))
                .isEqualTo(Arrays.copyOf("quill".getBytes(java.nio.charset.StandardCharsets.UTF_8), 64));
        assertThat(b.getShort(192)).isEqualTo((short) 1);
        assertThat(new int[] {b.getInt(196), b.getInt(200), b.getInt(204), b.getInt(208), b.getInt(212)})
                .containsExactly(7, -1, 1, 16, 99);
        assertThat(new long[] {b.getLong(216), b.getLong(224), b.getLong(232), b.getLong(240), b.getLong(248),
                b.getLong(256)}).containsExactly(-5, 101, 102, 103, 104, 105);
        // dir_hash_seed: the SipHash key bytes 00 01 .. 0f, i.e. key0 and key1 little-endian.
        assertThat(Arrays.copyOfRange(TestBlocks.bytes(block), 264, 280))
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        assertThat(b.getInt(280)).isEqualTo(1);
        assertThat(Arrays.copyOfRange(TestBlocks.bytes(block), 284, 4096)).containsOnly(0);
    }

    @Example
    void aPlannedFilesystemsSuperblockHasNoProblem() {
        assertThat(planned().problem()).isEmpty();
    }

    @Example
    void problemReportsAnotherFormatVersion() {
        Superblock sb = decodeAfter(planned(), b -> b.putInt(32, 2));
        assertThat(sb.problem()).hasValueSatisfying(p -> assertThat(p).contains("format version 2"));
    }

    @Example
    void problemReportsAnInodeSizeOtherThan256() {
        Superblock sb = decodeAfter(planned(), b -> b.putInt(52, 512));
        assertThat(sb.inodeSize()).isEqualTo(512);
        assertThat(sb.problem()).hasValueSatisfying(p -> assertThat(p).contains("inode size 512"));
    }

    @Example
    void problemReportsAGeometryThatCannotBe() {
        Superblock sb = decodeAfter(planned(), b -> b.putInt(72, 1000));
        assertThat(sb.problem()).hasValueSatisfying(p -> assertThat(p).contains("blocks per group 1000"));
    }

    @Example
    void problemReportsMisplacedRootAndFirstInodes() {
        assertThat(decodeAfter(planned(), b -> b.putInt(204, 2)).problem())
                .hasValueSatisfying(p -> assertThat(p).contains("root inode 2"));
        assertThat(decodeAfter(planned(), b -> b.putInt(208, 11)).problem())
                .hasValueSatisfying(p -> assertThat(p).contains("first inode 11"));
    }

    @Example
    void aLabelOfMalformedUtf8DecodesWithReplacementsAndIsReportedWhenItGrowsPast64Bytes() {
        Superblock sb = decodeAfter(planned(), b -> {
            for (int i = 128; i < 192; i++) {
                b.put(i, (byte) 0xFF);
            }
        });
        assertThat(sb.label()).isEqualTo("\uFFFD".repeat(64));
        assertThat(sb.problem()).hasValueSatisfying(p -> assertThat(p).contains("label is 192 bytes"));
    }

    @Example
    void theLabelEndsAtTheFirstNul() {
        Superblock sb = decodeAfter(planned(), b -> b.put(128, "abc\0def".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(sb.label()).isEqualTo("abc");
    }

    @Example
    void encodeRefusesALabelItCannotStore() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        assertThatThrownBy(() -> withLabel("x".repeat(65)).encode(block, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65 bytes");
        assertThatThrownBy(() -> withLabel("a\0b").encode(block, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> withLabel("\uD800").encode(block, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Unicode");
        assertThat(withLabel("é".repeat(32)).problem()).isEmpty();
    }

    @Example
    void encodeRefusesAStateThatDoesNotFitItsU16() {
        Superblock p = planned();
        Superblock sb = new Superblock(p.formatVersion(), 0, 0, 0, p.geometry(), p.uuid(), "", 0x10000, 0, -1, 1, 16,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Limits.INODE_SIZE);
        assertThatThrownBy(() -> sb.encode(TestBlocks.zeroed(1024), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A consistent superblock of a 64 MiB filesystem with 4 KiB blocks. */
    static Superblock planned() {
        return withLabel("quillfs");
    }

    static Superblock withFeatures(int compat, int roCompat, int incompat) {
        Superblock p = planned();
        return new Superblock(1, compat, roCompat, incompat, p.geometry(), p.uuid(), p.label(), 0, 0, -1, 1, 16, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, Limits.INODE_SIZE);
    }

    private static Superblock withLabel(String label) {
        Geometry g = Geometry.plan(4096, 16384, 1024, 4096);
        return new Superblock(1, 0, 0, 0, g, UUID_1, label, Superblock.STATE_CLEAN, 0, -1, 1, 16, 0, 1, 0, 1, 1,
                10000, 4000, 1, 2, 0, Limits.INODE_SIZE);
    }

    private static Superblock decodeAfter(Superblock sb, java.util.function.Consumer<ByteBuffer> damage) {
        ByteBuffer block = TestBlocks.zeroed(4096);
        sb.encode(block, 0);
        damage.accept(TestBlocks.le(block));
        return Superblock.decode(block);
    }
}
