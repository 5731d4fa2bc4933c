package org.quillfs.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quillfs.format.TestBlocks.le;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.quillfs.format.XattrBlock.Entry;
import org.quillfs.format.XattrBlock.Namespace;

class XattrBlockTest {

    private static final Namespace USER = Namespace.USER;

    /** Up to {@code n} distinct entries that fit a block of {@code blockSize}, in stored order, from {@code seed}. */
    static List<Entry> entries(int blockSize, int n, long seed) {
        Random random = new Random(seed);
        TreeSet<Entry> set = new TreeSet<>(XattrBlock.KEY_ORDER);
        int used = 0;
        for (int i = 0; i < n; i++) {
            Namespace ns = Namespace.values()[random.nextInt(Namespace.values().length)];
            byte[] suffix = ns.hasSuffix() ? suffix(random, 1 + random.nextInt(ns.maxSuffixBytes())) : new byte[0];
            // at most B - 300 bytes: with the longest suffix the first entry always fits, so no list is empty
            byte[] value = new byte[random.nextInt(4) == 0 ? random.nextInt(blockSize - 300) : random.nextInt(40)];
            random.nextBytes(value);
            Entry e = new Entry(ns, suffix, value);
            if (used + e.size() <= blockSize - 40 && set.add(e)) {
                used += e.size();
            }
        }
        return new ArrayList<>(set);
    }

    /** A UTF-8 suffix of at most {@code maxBytes} bytes, mixing one- to four-byte characters. */
    private static byte[] suffix(Random random, int maxBytes) {
        StringBuilder s = new StringBuilder();
        String[] pieces = {"a", "Z", "_", "é", "€", "\uD83D\uDE00"};
        while (true) {
            String piece = pieces[random.nextInt(pieces.length)];
            if (utf8(s + piece).length > maxBytes) {
                return s.length() > 0 ? utf8(s.toString()) : utf8("x");
            }
            s.append(piece);
            if (random.nextInt(8) == 0) {
                return utf8(s.toString());
            }
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Entry user(String suffix, int valueBytes) {
        return new Entry(USER, utf8(suffix), new byte[valueBytes]);
    }

    @Property
    void aBlockRoundTripsAndVerifiesOnceSealed(@ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize,
            @ForAll @IntRange(min = 1, max = 300) int n, @ForAll long seed,
            @ForAll @LongRange(min = 1, max = 1L << 50) long blockNr,
            @ForAll(supplier = FormatArbitraries.InodeNumbers.class) long owner) {
        List<Entry> entries = entries(blockSize, n, seed);
        ByteBuffer block = TestBlocks.zeroed(blockSize);
        XattrBlock.encode(block, blockNr, owner, entries);

        assertThat(XattrBlock.owner(block)).isEqualTo(owner);
        assertThat(XattrBlock.entryCount(block)).isEqualTo(entries.size());
        assertThat(XattrBlock.entries(block)).isEqualTo(entries);
        assertThat(XattrBlock.problem(block)).isEmpty();
        TestBlocks.assertSameBytesIntoGarbageAsIntoZeros(blockSize, seed,
                b -> XattrBlock.encode(b, blockNr, owner, entries));
        TestBlocks.assertVerifiesOnceSealed(block, BlockType.XATTR, blockNr);
    }

    @Property
    void aSealedBlockWithAnyBitFlippedFailsVerification(
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize, @ForAll long seed,
            @ForAll @IntRange(min = 0, max = 65536 * 8 - 1) int anyBit) {
        UUID uuid = new UUID(seed, ~seed);
        ByteBuffer block = TestBlocks.zeroed(blockSize);
        XattrBlock.encode(block, 9, 17, entries(blockSize, 20, seed));
        BlockHeader.seal(block, uuid);
        TestBlocks.flipBit(block, anyBit % (blockSize * 8));
        assertThat(BlockHeader.problem(block, uuid, BlockType.XATTR, 9)).isPresent();
    }

    @Property
    void garbageNeverThrowsAndIsNeverAnAttributeBlock(
            @ForAll(supplier = FormatArbitraries.BlockSizes.class) int blockSize, @ForAll long seed) {
        ByteBuffer block = TestBlocks.garbage(blockSize, seed);
        XattrBlock.owner(block);
        XattrBlock.entryCount(block);
        assertThat(XattrBlock.problem(block)).isPresent();
        try {
            XattrBlock.entries(block);
        } catch (IllegalArgumentException refused) {
            // garbage may be refused, but with nothing else
        }
    }

    @Example
    void theLayoutIsTheOneInFormatMd() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        XattrBlock.encode(block, 77, 0x01020304L, List.of(
                new Entry(USER, utf8("ab"), new byte[] {1, 2, 3}),
                new Entry(Namespace.POSIX_ACL_ACCESS, new byte[0], new byte[] {9})));
        ByteBuffer b = le(block);
        assertThat(BlockHeader.typeCode(block)).isEqualTo(12);
        assertThat(BlockHeader.blockNr(block)).isEqualTo(77);
        assertThat(b.getInt(32)).isEqualTo(0x01020304);
        assertThat(new int[] {b.getShort(36), b.getShort(38)}).containsExactly(2, 0);
        // entry 0 at 40: namespace 1, suffix_length 2, value_length 3, "ab", 1 2 3
        assertThat(new int[] {b.get(40), b.get(41), b.getInt(42), b.get(46), b.get(47), b.get(48), b.get(49), b.get(50)})
                .containsExactly(1, 2, 3, 'a', 'b', 1, 2, 3);
        // entry 1 at 51 = 40 + 6 + 2 + 3: namespace 4, no suffix, value_length 1, 9
        assertThat(new int[] {b.get(51), b.get(52), b.getInt(53), b.get(57)}).containsExactly(4, 0, 1, 9);
        for (int i = 58; i < 1024; i++) {
            assertThat(b.get(i)).as("byte %d after the entries", i).isZero();
        }
        assertThat(XattrBlock.capacity(1024)).isEqualTo(984);
        assertThat(XattrBlock.capacity(65536)).isEqualTo(65496);
    }

    @Example
    void theNamespacesAreTheOnesInFormatMd() {
        assertThat(Namespace.values()).extracting(Namespace::index).containsExactly(1, 2, 3, 4, 5);
        assertThat(Namespace.values()).extracting(Namespace::prefix).containsExactly("user.", "trusted.",
                "security.", "system.posix_acl_access", "system.posix_acl_default");
        assertThat(Namespace.values()).extracting(Namespace::maxSuffixBytes).containsExactly(250, 247, 246, 0, 0);
        assertThat(Namespace.fromIndex(0)).isEmpty();
        assertThat(Namespace.fromIndex(6)).isEmpty();
        assertThat(Namespace.fromIndex(3)).contains(Namespace.SECURITY);
    }

    @Example
    void entriesAreOrderedByNamespaceThenByUnsignedBytes() {
        List<Entry> ordered = List.of(user("Z", 0), user("a", 0), user("z", 0), user("é", 0),
                new Entry(Namespace.TRUSTED, utf8("A"), new byte[0]),
                new Entry(Namespace.POSIX_ACL_DEFAULT, new byte[0], new byte[0]));
        ByteBuffer block = TestBlocks.zeroed(1024);
        XattrBlock.encode(block, 5, 17, ordered);
        assertThat(XattrBlock.entries(block)).isEqualTo(ordered);

        List<Entry> signedOrder = List.of(user("é", 0), user("a", 0)); // 0xC3 first if bytes were signed
        assertThatThrownBy(() -> XattrBlock.encode(block, 5, 17, signedOrder))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not come after");
    }

    @Example
    void encodingRefusesWhatTheFormatCannotHold() {
        ByteBuffer block = TestBlocks.zeroed(1024);
        assertRefused(b -> XattrBlock.encode(b, 5, 17, List.of()), "at least one entry");
        assertRefused(b -> XattrBlock.encode(b, 5, 17, List.of(user("b", 0), user("a", 0))), "does not come after");
        assertRefused(b -> XattrBlock.encode(b, 5, 17, List.of(user("a", 0), user("a", 1))), "does not come after");
        assertRefused(b -> XattrBlock.encode(b, 5, 1L << 32, List.of(user("a", 0))), "u32");
        assertRefused(b -> XattrBlock.encode(b, 5, 17, List.of(user("", 0))), "1..250 bytes, not 0");
        assertRefused(b -> XattrBlock.encode(b, 5, 17, List.of(user("x".repeat(251), 0))), "not 251");
        assertRefused(b -> XattrBlock.encode(b, 5, 17,
                List.of(new Entry(Namespace.SECURITY, utf8("x".repeat(247)), new byte[0]))), "1..246 bytes");
        assertRefused(b -> XattrBlock.encode(b, 5, 17,
                List.of(new Entry(Namespace.POSIX_ACL_ACCESS, utf8("x"), new byte[0]))), "whole name");
        assertRefused(b -> XattrBlock.encode(b, 5, 17, List.of(user("a\0b", 0))), "NUL");
        assertRefused(b -> XattrBlock.encode(b, 5, 17,
                List.of(new Entry(USER, new byte[] {'a', (byte) 0xFF}, new byte[0]))), "not UTF-8");

        // One entry of 6 + 1 + 977 bytes fills the 984 bytes of a 1 KiB block exactly; one more byte does not fit.
        XattrBlock.encode(block, 5, 17, List.of(user("a", 977)));
        assertThat(XattrBlock.problem(block)).isEmpty();
        assertThat(XattrBlock.fits(1024, List.of(user("a", 977)))).isTrue();
        assertThat(XattrBlock.fits(1024, List.of(user("a", 978)))).isFalse();
        assertRefused(b -> XattrBlock.encode(b, 5, 17, List.of(user("a", 978))), "do not fit");
        assertRefused(b -> XattrBlock.encode(b, 5, 17, List.of(user("a", 900), user("b", 78))), "do not fit");
        assertThat(XattrBlock.entries(block)).containsExactly(user("a", 977));
    }

    private static void assertRefused(Consumer<ByteBuffer> encoder, String why) {
        ByteBuffer block = TestBlocks.zeroed(1024);
        assertThatThrownBy(() -> encoder.accept(block)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(why);
    }

    @Example
    void everyKindOfDamageIsNamed() {
        // a sound block: user.a = {1, 2}, then trusted.b = {}, written through the codec
        ByteBuffer sound = TestBlocks.zeroed(1024);
        XattrBlock.encode(sound, 5, 17, List.of(user("a", 2), new Entry(Namespace.TRUSTED, utf8("b"), new byte[0])));
        int second = 40 + 6 + 1 + 2;

        assertDamage(sound, b -> b.putShort(36, (short) 0), "no entries");
        assertDamage(sound, b -> b.putShort(36, (short) 3), "entry 2: namespace 0 is not 1..5");
        assertDamage(sound, b -> b.put(40, (byte) 6), "entry 0: namespace 6 is not 1..5");
        assertDamage(sound, b -> b.putInt(42, 1024 - 40 - 6 - 1 + 1), "entry 0 at offset 40 runs past the end");
        assertDamage(sound, b -> b.putInt(42, -1), "entry 0 at offset 40 runs past the end");
        assertDamage(sound, b -> b.put(second + 1, (byte) 0).putInt(second + 2, 1),
                "entry 1: a name after trusted. is 1..247 bytes, not 0");
        assertDamage(sound, b -> b.put(second, (byte) 5), "system.posix_acl_default is a whole name");
        assertDamage(sound, b -> b.put(46, (byte) 0), "contains NUL");
        assertDamage(sound, b -> b.put(46, (byte) 0x80), "not UTF-8");
        assertDamage(sound, b -> b.put(second, (byte) 1).put(second + 6, (byte) 'a'),
                "entry 1: user.a does not come after user.a");
        assertDamage(sound, b -> b.put(40, (byte) 3), "entry 1: trusted.b does not come after security.a");
    }

    private static void assertDamage(ByteBuffer sound, Consumer<ByteBuffer> damage, String why) {
        ByteBuffer block = TestBlocks.zeroed(sound.capacity());
        block.put(0, TestBlocks.bytes(sound));
        damage.accept(le(block));
        assertThat(XattrBlock.problem(block)).as(why).hasValueSatisfying(p -> assertThat(p).contains(why));
    }
}
