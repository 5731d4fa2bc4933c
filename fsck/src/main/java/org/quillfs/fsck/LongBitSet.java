package org.quillfs.fsck;

/**
 * A set of non-negative longs below a fixed bound, as bits in pages of {@value #PAGE_BITS} that
 * are allocated the first time a bit in them is set: memory follows the regions in use, not the
 * size of the volume (a 1 TiB filesystem with little data costs little). Not thread-safe.
 */
final class LongBitSet {

    private static final int PAGE_SHIFT = 16;
    static final int PAGE_BITS = 1 << PAGE_SHIFT;
    private static final int WORDS_PER_PAGE = PAGE_BITS / 64;

    private final long size;
    private final long[][] pages;

    LongBitSet(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        this.size = size;
        this.pages = new long[Math.toIntExact((size + PAGE_BITS - 1) >>> PAGE_SHIFT)][];
    }

    long size() {
        return size;
    }

    boolean get(long i) {
        if (i < 0 || i >= size) {
            return false;
        }
        long[] page = pages[(int) (i >>> PAGE_SHIFT)];
        return page != null && (page[(int) (i & (PAGE_BITS - 1)) >>> 6] & 1L << i) != 0;
    }

    /** Sets bit {@code i}; returns whether it was set before. */
    boolean set(long i) {
        check(i);
        int p = (int) (i >>> PAGE_SHIFT);
        long[] page = pages[p];
        if (page == null) {
            page = pages[p] = new long[WORDS_PER_PAGE];
        }
        int w = (int) (i & (PAGE_BITS - 1)) >>> 6;
        long mask = 1L << i;
        boolean was = (page[w] & mask) != 0;
        page[w] |= mask;
        return was;
    }

    void clear(long i) {
        if (i < 0 || i >= size) {
            return;
        }
        long[] page = pages[(int) (i >>> PAGE_SHIFT)];
        if (page != null) {
            page[(int) (i & (PAGE_BITS - 1)) >>> 6] &= ~(1L << i);
        }
    }

    /** Whether any bit of {@code from .. to - 1} is set. */
    boolean anySet(long from, long to) {
        return nextSet(from, to) >= 0;
    }

    /** The first set bit in {@code from .. to - 1}, or -1. */
    long nextSet(long from, long to) {
        to = Math.min(to, size);
        long i = Math.max(0, from);
        while (i < to) {
            long[] page = pages[(int) (i >>> PAGE_SHIFT)];
            if (page == null) {
                i = ((i >>> PAGE_SHIFT) + 1) << PAGE_SHIFT;
                continue;
            }
            int w = (int) (i & (PAGE_BITS - 1)) >>> 6;
            long word = page[w] & (-1L << i);
            if (word != 0) {
                long found = (i & ~63L) + Long.numberOfTrailingZeros(word);
                return found < to ? found : -1;
            }
            i = (i | 63) + 1;
        }
        return -1;
    }

    /** The first clear bit in {@code from .. to - 1}, or -1. */
    long nextClear(long from, long to) {
        to = Math.min(to, size);
        long i = Math.max(0, from);
        while (i < to) {
            long[] page = pages[(int) (i >>> PAGE_SHIFT)];
            if (page == null) {
                return i;
            }
            int w = (int) (i & (PAGE_BITS - 1)) >>> 6;
            long word = ~page[w] & (-1L << i);
            if (word != 0) {
                long found = (i & ~63L) + Long.numberOfTrailingZeros(word);
                return found < to ? found : -1;
            }
            i = (i | 63) + 1;
        }
        return -1;
    }

    /** Set bits in {@code from .. to - 1}. */
    long count(long from, long to) {
        long n = 0;
        for (long i = nextSet(from, to); i >= 0; i = nextSet(i + 1, to)) {
            long[] page = pages[(int) (i >>> PAGE_SHIFT)];
            int w = (int) (i & (PAGE_BITS - 1)) >>> 6;
            long wordEnd = (i | 63) + 1;
            long word = page[w] & (-1L << i);
            if (wordEnd > to) {
                word &= -1L >>> (64 - (to - (i & ~63L)));
            }
            n += Long.bitCount(word);
            i = wordEnd - 1;
        }
        return n;
    }

    private void check(long i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("bit " + i + " of a set of " + size);
        }
    }
}
