package org.quillfs.crash;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a recorded run did, as the oracle needs it: for each lane (a directory one thread works
 * in, or the whole tree for a one-thread workload) the tree after every operation, and when each
 * operation completed; and every call that made work durable (fsync, fdatasync, sync, the end of
 * a commit interval, the clean unmount), with the device flushes recorded when it returned.
 *
 * <p>Durability, in the terms of docs/FILESYSTEM.md ("fsync/fdatasync/sync make every completed
 * operation durable"): an operation that completed before such a call started is durable once
 * the call has returned, that is in every crash state that holds all the writes issued before the
 * flushes counted at its return. A global tick orders completions and calls across threads.
 * Counting flushes at the return, not at the call's own last flush, can only make the oracle ask
 * for less, never for something the filesystem did not promise.
 */
final class RunHistory {

    /** A directory whose tree changes only through one thread's operations, in that thread's order. */
    static final class Lane {
        final String path;
        final long inode;
        /** [0]: before the first operation; [i]: after operation i. */
        final List<TreeState> states = new ArrayList<>();
        /** [i − 1]: the tick at which operation i completed. */
        final List<Long> completedAt = new ArrayList<>();
        /** [i − 1]: what operation i was, and how it ended ("ok" or its errno). */
        final List<String> operations = new ArrayList<>();
        /**
         * [i − 1]: the inode whose data or extents operation i changed, or 0. The facade writes,
         * truncates, fallocates and punches in steps of what the log allows, one transaction each
         * (docs/FILESYSTEM.md, "One operation, one transaction"), so a crash may keep part of it.
         */
        final List<Long> wroteTo = new ArrayList<>();
        /**
         * State index → the bytes of files the lane's thread held open then, named or not: a file
         * unlinked while open is in no tree, but writes through its handle may still land in place
         * in blocks a crash gives back to its old name.
         */
        final java.util.Map<Integer, List<HeldFile>> held = new java.util.HashMap<>();
        final int blockSize;

        Lane(String path, long inode, int blockSize) {
            this.path = path;
            this.inode = inode;
            this.blockSize = blockSize;
        }

        int operationCount() {
            return operations.size();
        }
    }

    /** What an open file held after an operation. */
    record HeldFile(long inode, long generation, byte[] data) {
    }

    /** A call that made everything completed before {@code startTick} durable once {@code flushes} were done. */
    record SyncPoint(long startTick, int flushes, String what) {
    }

    private final AtomicLong ticks = new AtomicLong();
    private final List<SyncPoint> syncs = Collections.synchronizedList(new ArrayList<>());
    final List<Lane> lanes = new ArrayList<>();
    /** The tree outside the lanes (the root, lost+found, the lanes' parents): it never changes. */
    TreeState outside;

    long tick() {
        return ticks.incrementAndGet();
    }

    void synced(long startTick, int flushes, String what) {
        syncs.add(new SyncPoint(startTick, flushes, what));
    }

    List<SyncPoint> syncs() {
        synchronized (syncs) {
            return List.copyOf(syncs);
        }
    }

    /**
     * The tick before which every completed operation must be present in a crash state that holds
     * every write before flush {@code durableFlushes}; 0 when nothing need be.
     */
    long durableBefore(int durableFlushes) {
        long tick = 0;
        synchronized (syncs) {
            for (SyncPoint s : syncs) {
                if (s.flushes() <= durableFlushes) {
                    tick = Math.max(tick, s.startTick());
                }
            }
        }
        return tick;
    }

    /** How many of {@code lane}'s operations completed before {@code tick}. */
    static int completedBefore(Lane lane, long tick) {
        int n = 0;
        while (n < lane.completedAt.size() && lane.completedAt.get(n) < tick) {
            n++;
        }
        return n;
    }

    /** The call that made operation {@code op} (1-based) of {@code lane} durable first, for messages. */
    SyncPoint madeDurableBy(Lane lane, int op, int durableFlushes) {
        long completed = lane.completedAt.get(op - 1);
        SyncPoint best = null;
        for (SyncPoint s : syncs()) {
            if (s.startTick() > completed && s.flushes() <= durableFlushes && (best == null || s.flushes() < best.flushes())) {
                best = s;
            }
        }
        return best;
    }
}
