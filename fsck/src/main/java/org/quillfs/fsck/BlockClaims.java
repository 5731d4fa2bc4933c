package org.quillfs.fsck;

import java.util.HashMap;
import java.util.Map;
import org.quillfs.format.Geometry;

/**
 * Which blocks of the groups' data areas inodes claim, as found by pass 1 and kept up to date by
 * every repair: the map pass 5 compares the block bitmaps with. Group metadata (backup
 * superblocks, bitmaps, inode tables) is not in it: its place follows from the geometry.
 *
 * <p>A block claimed twice is <em>multiply claimed</em>: pass 1B finds the claimants. The claim
 * count of such a block is kept so that one claimant letting go leaves it claimed by the other.
 *
 * <p>fsck's own changes — blocks it frees (orphans, dropped extents, rewritten trees) and
 * blocks it allocates (rebuilt trees, clones, lost+found) — are remembered too: pass 5 applies
 * them to the bitmaps and counts as part of the repair that made them, without reporting them
 * as differences.
 */
final class BlockClaims {

    private final Volume volume;
    private final Geometry geometry;
    private final LongBitSet claimed;
    private final LongBitSet multiply;
    private final Map<Long, Integer> claimCount = new HashMap<>();
    private final LongBitSet freedByFsck;
    private final LongBitSet allocatedByFsck;
    private long allocationCursor;
    private java.util.function.LongPredicate inUseOnDisk = b -> false;

    BlockClaims(Volume volume) {
        this.volume = volume;
        this.geometry = volume.geometry;
        long n = geometry.blockCount();
        this.claimed = new LongBitSet(n);
        this.multiply = new LongBitSet(n);
        this.freedByFsck = new LongBitSet(n);
        this.allocatedByFsck = new LongBitSet(n);
        this.allocationCursor = geometry.groupsStart();
    }

    /** Claims {@code count} blocks from {@code first} (a valid data run); returns how many were claimed already. */
    int claim(long first, long count) {
        int again = 0;
        boolean any = claimed.anySet(first, first + count);
        for (long b = first; b < first + count; b++) {
            if (any && claimed.get(b)) {
                again++;
                multiply.set(b);
                claimCount.merge(b, 2, (old, two) -> old + 1);
            } else {
                claimed.set(b);
            }
        }
        return again;
    }

    /** The first claimed block in {@code from .. to - 1}, or -1. */
    long nextClaimed(long from, long to) {
        return claimed.nextSet(from, to);
    }

    boolean isClaimed(long block) {
        return claimed.get(block);
    }

    boolean isMultiplyClaimed(long block) {
        return multiply.get(block);
    }

    boolean anyMultiplyClaimed() {
        return multiply.nextSet(0, geometry.blockCount()) >= 0;
    }

    LongBitSet multiplyClaimed() {
        return multiply;
    }

    /** One claimant lets go of {@code block}: it stays claimed if another claimant remains; else fsck frees it. */
    void release(long block) {
        if (multiply.get(block)) {
            int left = claimCount.merge(block, -1, Integer::sum);
            if (left <= 1) {
                multiply.clear(block);
                claimCount.remove(block);
            }
            return;
        }
        if (claimed.get(block)) {
            claimed.clear(block);
            freedByFsck.set(block);
            allocatedByFsck.clear(block);
        }
    }

    /** Remembers that fsck freed {@code block}, which nobody claimed (an orphan's block). */
    void noteFreed(long block) {
        if (!claimed.get(block)) {
            freedByFsck.set(block);
        }
    }

    boolean freedByFsck(long block) {
        return freedByFsck.get(block);
    }

    boolean allocatedByFsck(long block) {
        return allocatedByFsck.get(block);
    }

    /** Claimed blocks of group {@code group}'s data area: pass 5's count. */
    long claimedIn(long from, long to) {
        return claimed.count(from, to);
    }

    /**
     * Allocates up to {@code max} contiguous free data blocks, preferring {@code goal} and what
     * follows it; returns {@code [first, count]}, or null when no block is free.
     */
    long[] allocate(long goal, int max) {
        long start = goal >= geometry.groupsStart() && goal < geometry.blockCount() ? goal : allocationCursor;
        boolean strict = true;
        long found = findFree(start, geometry.blockCount(), true);
        if (found < 0) {
            found = findFree(geometry.groupsStart(), start, true);
        }
        if (found < 0) {
            strict = false;
            found = findFree(start, geometry.blockCount(), false);
        }
        if (found < 0) {
            found = findFree(geometry.groupsStart(), start, false);
        }
        if (found < 0) {
            return null;
        }
        int g = geometry.groupOfBlock(found);
        long groupEnd = geometry.groupStart(g) + geometry.groupLength(g);
        long n = 1;
        while (n < max && found + n < groupEnd && usable(found + n, strict)) {
            n++;
        }
        for (long b = found; b < found + n; b++) {
            claimed.set(b);
            if (!freedByFsck.get(b)) {
                allocatedByFsck.set(b);
            }
            freedByFsck.clear(b);
        }
        allocationCursor = found + n;
        return new long[] {found, n};
    }

    /**
     * Says which blocks the block bitmaps on disk mark in use. Allocation avoids them (but for
     * blocks fsck itself freed) while it can: such a block may belong to an inode a "no" kept, or
     * to one fsck cleared, whose blocks are better left as they are.
     */
    void onDiskBitmaps(java.util.function.LongPredicate inUseOnDisk) {
        this.inUseOnDisk = inUseOnDisk;
    }

    /** Allocates one block, {@code preferred} if it is free, else near {@code goal}; -1 when none is free. */
    long allocateOne(long preferred, long goal) {
        if (preferred > 0 && volume.isDataBlock(preferred) && usable(preferred, true)) {
            claimed.set(preferred);
            if (!freedByFsck.get(preferred)) {
                allocatedByFsck.set(preferred);
            }
            freedByFsck.clear(preferred);
            return preferred;
        }
        long[] run = allocate(goal, 1);
        return run == null ? -1 : run[0];
    }

    /** Unclaimed, and ({@code strict}) not in use on disk unless fsck freed it. */
    private boolean usable(long block, boolean strict) {
        return !claimed.get(block) && (!strict || freedByFsck.get(block) || !inUseOnDisk.test(block));
    }

    /** The first usable data block in {@code from .. to - 1}, or -1. */
    private long findFree(long from, long to, boolean strict) {
        long b = Math.max(from, geometry.groupsStart());
        while (b < to) {
            int g = geometry.groupOfBlock(b);
            long dataStart = geometry.firstDataBlock(g);
            long groupEnd = geometry.groupStart(g) + geometry.groupLength(g);
            if (b < dataStart) {
                b = dataStart;
            }
            long end = Math.min(groupEnd, to);
            for (long free = claimed.nextClear(b, end); free >= 0; free = claimed.nextClear(free + 1, end)) {
                if (usable(free, strict)) {
                    return free;
                }
            }
            b = groupEnd;
        }
        return -1;
    }
}
