package org.quillfs.alloc;

import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;

/**
 * Free blocks and inodes of the whole filesystem, in memory, for statfs and for reservations.
 *
 * <p>The group descriptors on disk are authoritative; this is their sum, read at mount and kept
 * in step: allocations count when their transaction commits, frees when theirs commits (or, for
 * blocks whose contents were journaled, when a checkpoint's tail has passed the free). A reservation takes space out of
 * {@code available} before an operation changes anything, so a full filesystem fails the
 * operation with ENOSPC up front and never half-way.
 *
 * <p>Guarded by this object's monitor: short critical sections only.
 */
final class SpaceAccounting {

    private long freeBlocks;
    private long freeInodes;
    private long reservedBlocks;
    private long reservedInodes;

    SpaceAccounting(long freeBlocks, long freeInodes) {
        this.freeBlocks = freeBlocks;
        this.freeInodes = freeInodes;
    }

    /** Takes {@code blocks} and {@code inodes} out of what others may reserve, or fails with ENOSPC. */
    synchronized void reserve(long blocks, long inodes) {
        if (blocks > freeBlocks - reservedBlocks) {
            throw new FsException(Errno.ENOSPC, "no space left: " + blocks + " blocks needed, "
                    + Math.max(0, freeBlocks - reservedBlocks) + " free");
        }
        if (inodes > freeInodes - reservedInodes) {
            throw new FsException(Errno.ENOSPC, "no inodes left: " + inodes + " needed, "
                    + Math.max(0, freeInodes - reservedInodes) + " free");
        }
        reservedBlocks += blocks;
        reservedInodes += inodes;
    }

    /** Ends a reservation: {@code usedBlocks} and {@code usedInodes} of it were allocated and committed. */
    synchronized void settle(long reservedBlocks, long reservedInodes, long usedBlocks, long usedInodes) {
        this.reservedBlocks -= reservedBlocks;
        this.reservedInodes -= reservedInodes;
        freeBlocks -= usedBlocks;
        freeInodes -= usedInodes;
        if (this.reservedBlocks < 0 || this.reservedInodes < 0 || freeBlocks < 0 || freeInodes < 0) {
            throw new IllegalStateException("space accounting went negative: " + this);
        }
    }

    /** Freed blocks and inodes (committed; journaled blocks once the tail has passed) become available again. */
    synchronized void freed(long blocks, long inodes) {
        freeBlocks += blocks;
        freeInodes += inodes;
    }

    synchronized long freeBlocks() {
        return freeBlocks;
    }

    synchronized long freeInodes() {
        return freeInodes;
    }

    @Override
    public synchronized String toString() {
        return "free " + freeBlocks + " blocks (" + reservedBlocks + " reserved), " + freeInodes + " inodes ("
                + reservedInodes + " reserved)";
    }
}
