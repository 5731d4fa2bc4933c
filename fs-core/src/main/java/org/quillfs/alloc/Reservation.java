package org.quillfs.alloc;

import org.quillfs.txn.Transaction;

/**
 * Space and inodes set aside for one operation before it changes anything ("vote before
 * finish"): what the operation then allocates comes out of it, and when its transaction ends
 * the unused rest goes back. Made by {@link Allocator#reserve}; bound to one transaction.
 */
public final class Reservation {

    private final SpaceAccounting accounting;
    private final long blocks;
    private final long inodes;
    private long usedBlocks;
    private long usedInodes;

    Reservation(SpaceAccounting accounting, Transaction txn, long blocks, long inodes) {
        this.accounting = accounting;
        this.blocks = blocks;
        this.inodes = inodes;
        txn.onEnd(committed -> accounting.settle(blocks, inodes, committed ? usedBlocks : 0, committed ? usedInodes : 0));
    }

    void useBlocks(long n) {
        if (usedBlocks + n > blocks) {
            throw new IllegalStateException("allocating " + n + " more blocks than the " + blocks + " reserved");
        }
        usedBlocks += n;
    }

    void useInode() {
        if (usedInodes + 1 > inodes) {
            throw new IllegalStateException("allocating more inodes than the " + inodes + " reserved");
        }
        usedInodes++;
    }

    /** Blocks still reserved and not yet allocated. */
    public long blocksLeft() {
        return blocks - usedBlocks;
    }
}
