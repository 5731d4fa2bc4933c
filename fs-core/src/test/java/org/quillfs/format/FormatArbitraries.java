package org.quillfs.format;

import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ArbitrarySupplier;
import net.jqwik.api.Combinators;

/**
 * Generators for on-disk values: any value each field's on-disk range allows, consistent or not
 * (the codecs must carry inconsistent values faithfully; problem() judges them).
 */
final class FormatArbitraries {

    private FormatArbitraries() {
    }

    /** 2^k for k in 10..16: every valid block size. */
    static final class BlockSizes implements ArbitrarySupplier<Integer> {
        @Override
        public Arbitrary<Integer> get() {
            return Arbitraries.integers().between(10, 16).map(k -> 1 << k);
        }
    }

    static final class Uuids implements ArbitrarySupplier<UUID> {
        @Override
        public Arbitrary<UUID> get() {
            return uuids();
        }
    }

    static final class Superblocks implements ArbitrarySupplier<Superblock> {
        @Override
        public Arbitrary<Superblock> get() {
            Arbitrary<List<Integer>> ints = Arbitraries.integers().list().ofSize(11);
            Arbitrary<List<Long>> longs = Arbitraries.longs().list().ofSize(8);
            return Combinators.combine(ints, longs, u16(), geometries(), uuids(), labels()).as((i, l, state, g, uuid, label) ->
                    new Superblock(i.get(0), i.get(1), i.get(2), i.get(3), g, uuid, label, state, i.get(4), i.get(5),
                            i.get(6), i.get(7), i.get(8), l.get(0), l.get(1), l.get(2), l.get(3), l.get(4), l.get(5),
                            l.get(6), l.get(7), i.get(9), i.get(10)));
        }
    }

    static final class GroupDescriptors implements ArbitrarySupplier<GroupDescriptor> {
        @Override
        public Arbitrary<GroupDescriptor> get() {
            return Combinators.combine(Arbitraries.longs().list().ofSize(3), u32().list().ofSize(4), u16())
                    .as((l, u, flags) -> new GroupDescriptor(l.get(0), l.get(1), l.get(2), u.get(0), u.get(1),
                            u.get(2), flags, u.get(3)));
        }
    }

    static final class Inodes implements ArbitrarySupplier<Inode> {
        @Override
        public Arbitrary<Inode> get() {
            Arbitrary<List<Timestamp>> times = Combinators.combine(Arbitraries.longs(), Arbitraries.integers())
                    .as(Timestamp::new).list().ofSize(4);
            return Combinators.combine(u16(), u32().list().ofSize(7), Arbitraries.longs().list().ofSize(4), times,
                    dataAreas()).as((mode, u, l, t, data) -> new Inode(mode, u.get(0), u.get(1), u.get(2), l.get(0),
                            l.get(1), t.get(0), t.get(1), t.get(2), t.get(3), u.get(3), u.get(4), l.get(2), l.get(3),
                            u.get(5), u.get(6), data));
        }
    }

    /** Inode numbers: 1 .. 2^32 - 1. */
    static final class InodeNumbers implements ArbitrarySupplier<Long> {
        @Override
        public Arbitrary<Long> get() {
            return Arbitraries.longs().between(1, Limits.MAX_INODES);
        }
    }

    static final class ExtentRoots implements ArbitrarySupplier<ExtentRoot> {
        @Override
        public Arbitrary<ExtentRoot> get() {
            Arbitrary<ExtentEntry> extents = Combinators.combine(Arbitraries.longs(), Arbitraries.longs(), u32(),
                    Arbitraries.integers()).as(ExtentEntry::new);
            Arbitrary<ExtentEntry> indexEntries = Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
                    .as(ExtentEntry::index);
            Arbitrary<ExtentRoot> leaves = extents.list().ofMaxSize(Limits.INODE_EXTENTS)
                    .map(entries -> new ExtentRoot(0, entries));
            Arbitrary<ExtentRoot> interior = Combinators.combine(Arbitraries.integers().between(1, 0xFFFF),
                    indexEntries.list().ofMaxSize(Limits.INODE_EXTENTS)).as(ExtentRoot::new);
            return Arbitraries.oneOf(leaves, interior);
        }
    }

    static final class DataAreas implements ArbitrarySupplier<byte[]> {
        @Override
        public Arbitrary<byte[]> get() {
            return dataAreas();
        }
    }

    static Arbitrary<Long> u32() {
        return Arbitraries.longs().between(0, 0xFFFF_FFFFL);
    }

    static Arbitrary<Integer> u16() {
        return Arbitraries.integers().between(0, 0xFFFF);
    }

    static Arbitrary<UUID> uuids() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(UUID::new);
    }

    static Arbitrary<byte[]> dataAreas() {
        return Arbitraries.bytes().array(byte[].class).ofSize(Limits.INODE_DATA_SIZE);
    }

    private static Arbitrary<Geometry> geometries() {
        return Combinators.combine(Arbitraries.integers().list().ofSize(5), Arbitraries.longs().list().ofSize(5))
                .as((i, l) -> new Geometry(i.get(0), l.get(0), l.get(1), i.get(1), i.get(2), i.get(3), i.get(4),
                        l.get(2), l.get(3), l.get(4)));
    }

    /** Labels that fit: up to 64 ASCII characters, or up to 16 code points of any width. */
    private static Arbitrary<String> labels() {
        Arbitrary<String> ascii = Arbitraries.strings().withCharRange('\u0001', '\u007f').ofMaxLength(64);
        Arbitrary<String> unicode = Arbitraries.integers().between(1, Character.MAX_CODE_POINT)
                .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE)
                .list().ofMaxSize(16)
                .map(cps -> new String(cps.stream().mapToInt(Integer::intValue).toArray(), 0, cps.size()));
        return Arbitraries.oneOf(ascii, unicode);
    }
}
