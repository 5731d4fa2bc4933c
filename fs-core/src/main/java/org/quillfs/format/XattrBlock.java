package org.quillfs.format;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An XATTR block (docs/FORMAT.md, "Extended attributes"): every extended attribute of one inode.
 *
 * <pre>
 *   0 header (type XATTR)   32 u32 owner   36 u16 entry_count (≥ 1)   38 u16 reserved
 *  40 entries, packed one after another in ascending (namespace, suffix) order, each
 *     u8 namespace, u8 suffix_length, u32 value_length, suffix, value   (6 + suffix + value bytes)
 *     ... zero to the end of the block
 * </pre>
 *
 * An attribute's full name is its namespace's prefix followed by the suffix; the two
 * {@code system.posix_acl_*} namespaces are whole names and have an empty suffix. Suffixes are
 * UTF-8 without NUL, compared as unsigned bytes. A block with no entries is never stored: the
 * last attribute's removal frees it.
 *
 * The accessors trust the block's structure: call {@link #problem} first on a block read from
 * disk.
 */
public final class XattrBlock {

    private XattrBlock() {
    }

    private static final int OWNER = 32;
    private static final int ENTRY_COUNT = 36;
    private static final int ENTRIES = 40;

    private static final int NAMESPACE = 0;
    private static final int SUFFIX_LENGTH = 1;
    private static final int VALUE_LENGTH = 2;
    private static final int SUFFIX = 6;

    /** The namespaces and their stored indexes; a full name is the prefix, then the suffix. */
    public enum Namespace {
        USER(1, "user."),
        TRUSTED(2, "trusted."),
        SECURITY(3, "security."),
        POSIX_ACL_ACCESS(4, "system.posix_acl_access"),
        POSIX_ACL_DEFAULT(5, "system.posix_acl_default");

        private final int index;
        private final String prefix;

        Namespace(int index, String prefix) {
            this.index = index;
            this.prefix = prefix;
        }

        /** The number stored in an entry. */
        public int index() {
            return index;
        }

        /** ASCII: its length in characters is its length in bytes. */
        public String prefix() {
            return prefix;
        }

        /** Whether names of this namespace go on after the prefix (the system ACL names do not). */
        public boolean hasSuffix() {
            return prefix.endsWith(".");
        }

        /** The longest suffix: the full name is at most {@link Limits#MAX_NAME_BYTES}. */
        public int maxSuffixBytes() {
            return hasSuffix() ? Limits.MAX_NAME_BYTES - prefix.length() : 0;
        }

        public static Optional<Namespace> fromIndex(int index) {
            for (Namespace ns : values()) {
                if (ns.index == index) {
                    return Optional.of(ns);
                }
            }
            return Optional.empty();
        }
    }

    /** One attribute: its namespace, the rest of its name and its value, copied in and out. */
    public record Entry(Namespace namespace, byte[] suffix, byte[] value) {

        public Entry {
            Objects.requireNonNull(namespace, "namespace");
            suffix = suffix.clone();
            value = value.clone();
        }

        @Override
        public byte[] suffix() {
            return suffix.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        /** Bytes the entry takes in a block. */
        public int size() {
            return SUFFIX + suffix.length + value.length;
        }

        /** The full name: the prefix, then the suffix decoded as UTF-8. */
        public String fullName() {
            return namespace.prefix() + new String(suffix, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && namespace == e.namespace && Arrays.equals(suffix, e.suffix)
                    && Arrays.equals(value, e.value);
        }

        @Override
        public int hashCode() {
            return Objects.hash(namespace, Arrays.hashCode(suffix), Arrays.hashCode(value));
        }

        @Override
        public String toString() {
            return "Entry[" + fullName() + ", " + value.length + " value bytes]";
        }
    }

    /** The stored order: namespace index, then suffix as unsigned bytes. Values are not compared. */
    public static final Comparator<Entry> KEY_ORDER = Comparator.<Entry>comparingInt(e -> e.namespace().index())
            .thenComparing(Entry::suffix, Arrays::compareUnsigned);

    /** Bytes a block of {@code blockSize} has for entries: {@code B − 40}. */
    public static int capacity(int blockSize) {
        return blockSize - ENTRIES;
    }

    /** Whether {@code entries} fit together in one block of {@code blockSize}. */
    public static boolean fits(int blockSize, List<Entry> entries) {
        long bytes = 0;
        for (Entry e : entries) {
            bytes += e.size();
        }
        return bytes <= capacity(blockSize);
    }

    /**
     * Makes {@code block} (every byte) the attribute block (unsealed) of inode {@code owner}
     * holding {@code entries}.
     *
     * @throws IllegalArgumentException if there are no entries, they are not in strictly
     *     ascending {@link #KEY_ORDER}, a suffix breaks its namespace's rules, they do not fit,
     *     or {@code owner} does not fit in a u32
     */
    public static void encode(ByteBuffer block, long blockNr, long owner, List<Entry> entries) {
        int ownerBits = Unsigned.u32("owner", owner);
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("an attribute block holds at least one entry");
        }
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            suffixProblem(e.namespace(), e.suffix).ifPresent(why -> {
                throw new IllegalArgumentException(why);
            });
            if (i > 0 && KEY_ORDER.compare(entries.get(i - 1), e) >= 0) {
                throw new IllegalArgumentException(e + " does not come after " + entries.get(i - 1));
            }
        }
        if (!fits(block.capacity(), entries)) {
            throw new IllegalArgumentException(entries.size() + " entries do not fit in a block of "
                    + block.capacity() + " bytes");
        }
        ByteBuffer b = MetadataBlock.begin(block, BlockType.XATTR, blockNr);
        b.putInt(OWNER, ownerBits);
        b.putShort(ENTRY_COUNT, Unsigned.u16("entry_count", entries.size()));
        int at = ENTRIES;
        for (Entry e : entries) {
            b.put(at + NAMESPACE, (byte) e.namespace().index());
            b.put(at + SUFFIX_LENGTH, (byte) e.suffix.length);
            b.putInt(at + VALUE_LENGTH, e.value.length);
            b.put(at + SUFFIX, e.suffix);
            b.put(at + SUFFIX + e.suffix.length, e.value);
            at += e.size();
        }
    }

    public static long owner(ByteBuffer block) {
        return Integer.toUnsignedLong(BlockHeader.le(block).getInt(OWNER));
    }

    public static int entryCount(ByteBuffer block) {
        return Short.toUnsignedInt(BlockHeader.le(block).getShort(ENTRY_COUNT));
    }

    /**
     * The entries in stored order.
     *
     * @throws IllegalArgumentException if an entry lies outside the block or names an unknown
     *     namespace
     */
    public static List<Entry> entries(ByteBuffer block) {
        ByteBuffer b = BlockHeader.le(block);
        int count = entryCount(b);
        List<Entry> entries = new ArrayList<>();
        int at = ENTRIES;
        for (int i = 0; i < count; i++) {
            int end = entryEnd(b, at);
            if (end < 0) {
                throw new IllegalArgumentException(entryOutside(i, at));
            }
            int index = Byte.toUnsignedInt(b.get(at + NAMESPACE));
            Namespace ns = Namespace.fromIndex(index)
                    .orElseThrow(() -> new IllegalArgumentException(unknownNamespace(index)));
            byte[] suffix = new byte[suffixLength(b, at)];
            b.get(at + SUFFIX, suffix);
            byte[] value = new byte[end - at - SUFFIX - suffix.length];
            b.get(at + SUFFIX + suffix.length, value);
            entries.add(new Entry(ns, suffix, value));
            at = end;
        }
        return entries;
    }

    /**
     * What is structurally wrong with {@code block} as an attribute block, or empty: it must hold
     * at least one entry, every entry must lie inside the block, name a known namespace and a
     * suffix that follows the namespace's rules, and the entries must ascend strictly in
     * {@link #KEY_ORDER}. Neither the header nor the owner is checked. Any bytes are examined
     * without throwing.
     */
    public static Optional<String> problem(ByteBuffer block) {
        ByteBuffer b = BlockHeader.le(block);
        int count = entryCount(b);
        if (count == 0) {
            return Optional.of("attribute block holds no entries (an empty one is freed, never stored)");
        }
        int at = ENTRIES;
        Entry previous = null;
        for (int i = 0; i < count; i++) {
            int end = entryEnd(b, at);
            if (end < 0) {
                return Optional.of(entryOutside(i, at));
            }
            int index = Byte.toUnsignedInt(b.get(at + NAMESPACE));
            Optional<Namespace> ns = Namespace.fromIndex(index);
            if (ns.isEmpty()) {
                return Optional.of("entry " + i + ": " + unknownNamespace(index));
            }
            byte[] suffix = new byte[suffixLength(b, at)];
            b.get(at + SUFFIX, suffix);
            Optional<String> suffixProblem = suffixProblem(ns.get(), suffix);
            if (suffixProblem.isPresent()) {
                return Optional.of("entry " + i + ": " + suffixProblem.get());
            }
            Entry key = new Entry(ns.get(), suffix, new byte[0]);
            if (previous != null && KEY_ORDER.compare(previous, key) >= 0) {
                return Optional.of("entry " + i + ": " + key.fullName() + " does not come after "
                        + previous.fullName());
            }
            previous = key;
            at = end;
        }
        return Optional.empty();
    }

    /** Why {@code suffix} cannot follow {@code ns}'s prefix, or empty. */
    private static Optional<String> suffixProblem(Namespace ns, byte[] suffix) {
        if (!ns.hasSuffix()) {
            return suffix.length == 0 ? Optional.empty()
                    : Optional.of(ns.prefix() + " is a whole name, yet a suffix of " + suffix.length + " bytes follows");
        }
        if (suffix.length == 0 || suffix.length > ns.maxSuffixBytes()) {
            return Optional.of("a name after " + ns.prefix() + " is 1.." + ns.maxSuffixBytes() + " bytes, not "
                    + suffix.length);
        }
        for (byte c : suffix) {
            if (c == 0) {
                return Optional.of("a name after " + ns.prefix() + " contains NUL");
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(suffix));
        } catch (CharacterCodingException e) {
            return Optional.of("a name after " + ns.prefix() + " is not UTF-8");
        }
        return Optional.empty();
    }

    private static int suffixLength(ByteBuffer b, int at) {
        return Byte.toUnsignedInt(b.get(at + SUFFIX_LENGTH));
    }

    /** The end of the entry at {@code at}, or -1 when it does not lie inside the block. */
    private static int entryEnd(ByteBuffer b, int at) {
        if (at + SUFFIX > b.capacity()) {
            return -1;
        }
        long end = (long) at + SUFFIX + suffixLength(b, at) + Integer.toUnsignedLong(b.getInt(at + VALUE_LENGTH));
        return end <= b.capacity() ? (int) end : -1;
    }

    private static String entryOutside(int i, int at) {
        return "entry " + i + " at offset " + at + " runs past the end of the block";
    }

    private static String unknownNamespace(int index) {
        return "namespace " + index + " is not 1.." + Namespace.values().length;
    }
}
