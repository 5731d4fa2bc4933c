package org.quillfs.txn;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.quillfs.concurrent.LockOrder;
import org.quillfs.concurrent.Spinner;

/**
 * Block-level ("page") locks that transactions hold until they commit or abort
 * (docs/JOURNAL.md, "Transactions, locks and commit").
 *
 * <p>A transaction reads a block under a shared lock and changes it under an exclusive one;
 * {@link #releaseAll} at commit or abort gives every lock back. A request that would deadlock
 * fails at once with {@link DeadlockException}; a request that waits longer than the watchdog
 * limit fails with {@link LockTimeoutException}. A transaction is driven by one thread at a
 * time and waits for at most one block at a time.
 */
public final class PageLockManager {

    /*
     * Overview
     *
     * What is locked is a block number, not a key or a byte range: two operations that touch
     * neighbouring entries of one directory block serialise on that block instead of deadlocking
     * through it ("Lock pages, not keys", DESIGN.md). A lock has two modes. Shared: any number of
     * holders, for reading. Exclusive: one holder, for changing; it implies shared. Locks are
     * held until releaseAll (strict two-phase locking), so no other transaction sees a change
     * before it commits or is rolled back.
     *
     * A request for a mode the transaction already has (or a weaker one) returns at once and
     * never waits. A shared holder asking for exclusive upgrades: at once if it is the only
     * holder, otherwise it waits for the other holders to leave. Every other request is granted
     * at once only if it is compatible with the holders AND nobody is queued for the block;
     * otherwise it joins the block's FIFO queue. So a stream of new readers cannot starve a
     * queued writer: they queue behind it. An upgrade queues ahead of requests from transactions
     * that do not hold the block, since those would wait for its shared lock anyway.
     *
     * Deadlocks are detected, not prevented: an operation cannot always know its blocks before
     * it starts (a lookup finds the next block to read), so a global acquisition order is not
     * available. When a request must wait, it follows the wait-for graph from the transactions
     * it would wait for; if the path comes back to the requester, waiting would close a cycle
     * and the requester is the victim. It gets DeadlockException at once and keeps the locks it
     * holds; its caller aborts the transaction, which releases them and lets the others go on,
     * and replays the operation ("Replay instead of failing on conflict"). Two shared holders
     * that both ask for exclusive are such a cycle: each waits for the other's shared lock.
     *
     * A wait longer than the watchdog limit (10 s unless the constructor says otherwise) throws
     * LockTimeoutException naming the block and its holders. That is a bug report, not a
     * mechanism: correct use never waits that long.
     *
     * Implementation notes
     *
     * The lock table maps a block number to its PageLock: the holders and their modes, and the
     * queue of waiting requests, all guarded by that PageLock's monitor. An uncontended request
     * is a table lookup, one monitor on that block and an add to the transaction's own list of
     * held locks (only a new grant adds: a lock is in the list once); no lock shared by all
     * blocks is touched. A PageLock that release leaves unused (no holders, empty queue) stays
     * in the table for the next transaction that locks its block: inserting and removing a
     * table entry per lock wrote the table's shared counters and bins, which two threads creating
     * files in their own directories paid for in cache misses. When the table has grown past
     * twice its size after the last sweep (and past SWEEP_MIN), the release that notices sweeps
     * the unused ones out (under each one's monitor, marked retired first). A thread that fetched
     * a PageLock just before it was removed finds it retired once inside the monitor and fetches
     * again. Only release can empty a PageLock: a queued request always has a holder in its
     * way (the grant loop below never leaves a grantable request at the head of a queue), so
     * withdrawing one leaves the holders in place.
     *
     * Waiting: the waiter sits in the block's queue and in timed waits on the block's monitor.
     * Whoever removes a holder or a request (release, withdrawal) grants the queue from its head,
     * in order, while the head is compatible with the holders: marks each request granted, makes
     * it a holder, then calls notifyAll. The waiter tests its granted flag under the same monitor
     * before every wait, so a grant made before it waits is not lost. Interrupts do not end a
     * wait (an operation cannot stop at an arbitrary point between two blocks); the wait is
     * bounded by the watchdog and the interrupt status is restored afterwards.
     *
     * The wait-for graph is not stored; its edges are read from the PageLocks. A queued request
     * waits for the holders whose mode conflicts with it and for the queued requests ahead of it
     * whose mode conflicts with it. The map "waiting" says which block each waiting transaction
     * is queued on. The deadlock check runs under one global monitor, since it only runs when a
     * request must wait, and takes one block monitor at a time while it holds it. Lock order:
     * the check's monitor, then a block monitor, then the table's own internal locks; never
     * the reverse.
     *
     * Why the check finds every cycle, exactly once: a request is registered and queued before
     * its check runs, and checks run one at a time. Of the transactions whose new waits form a
     * cycle, the last to run its check sees all the cycle's edges (a cycle does not untangle by
     * itself: everyone in it is waiting) and becomes the victim. The victim withdraws its
     * request before it leaves the check's monitor, so no later check sees that cycle again.
     * Edges appear otherwise only in two ways, and neither creates a path that did not exist, so
     * neither can close a cycle: a queued request that is granted turns the edges from the
     * requests behind it into edges to a holder; a sole holder that upgrades in place gains
     * edges from the requests queued for the block, which already waited for it through the
     * exclusive request at the head of the queue.
     *
     * Tolerated races: the check reads the blocks one after another while they change. An edge
     * that appears meanwhile is of one of the two kinds above or belongs to a request whose own
     * check is still to come, so no cycle goes unreported. The other way round, a cycle pieced
     * together from edges read at different moments may already have broken (a member's wait
     * timed out, say); its victim then aborts and replays needlessly, which is slower but
     * correct. If the victim's own request was granted while the check ran, it keeps the lock and
     * returns normally.
     */

    /** How long a waiter spins before it waits in the monitor. */
    private static final long SPIN_NANOS = 20_000;

    /** How long a request may wait before the watchdog calls it a bug. */
    public static final Duration DEFAULT_WAIT_LIMIT = Duration.ofSeconds(10);

    private enum Mode {
        SHARED, EXCLUSIVE;

        boolean conflictsWith(Mode other) {
            return this == EXCLUSIVE || other == EXCLUSIVE;
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A queued request; {@code granted} is set under its block's monitor, and volatile so that
     * the waiter may spin on it before it waits in the monitor.
     */
    private static final class Request {
        final long txnId;
        final Mode mode;
        volatile boolean granted;

        Request(long txnId, Mode mode) {
            this.txnId = txnId;
            this.mode = mode;
        }
    }

    /** What {@link PageLock#tryGrant} did. */
    private enum Grant {
        /** The transaction held the mode (or a stronger one) already. */
        ALREADY_HELD,
        /** Granted now to a transaction that did not hold the block. */
        GRANTED,
        /** A shared holder's exclusive request, granted in place. */
        UPGRADED,
        /** Not grantable without a wait. */
        MUST_WAIT
    }

    /**
     * The lock of one block: its holders and its queue, guarded by this object's monitor.
     * Holders are two parallel arrays, not a map: almost always there is one, and a map entry
     * per grant (with a boxed id) was a good part of what a create allocated.
     */
    private static final class PageLock {
        final long blockNr;
        private long[] holderIds = new long[2];
        private Mode[] holderModes = new Mode[2];
        private int holderCount;
        final List<Request> queue = new ArrayList<>();
        boolean retired;

        PageLock(long blockNr) {
            this.blockNr = blockNr;
        }

        /**
         * Not the identity hash: a lock goes into its holders' sets while its monitor is held,
         * and an identity hash taken then makes the JVM inflate the monitor. Equality stays
         * identity (a retired lock and its successor for the same block are two locks).
         */
        @Override
        public int hashCode() {
            return Long.hashCode(blockNr);
        }

        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        /** Grants {@code mode} at once if that needs no wait. */
        Grant tryGrant(long txnId, Mode mode) {
            Mode held = heldMode(txnId);
            if (held == Mode.EXCLUSIVE || held == mode) {
                return Grant.ALREADY_HELD;
            }
            boolean grantable = held == null ? queue.isEmpty() && compatible(txnId, mode) : holderCount == 1;
            if (!grantable) {
                return Grant.MUST_WAIT;
            }
            putHolder(txnId, mode);
            return held == null ? Grant.GRANTED : Grant.UPGRADED;
        }

        /** The mode {@code txnId} holds, or null. */
        Mode heldMode(long txnId) {
            for (int i = 0; i < holderCount; i++) {
                if (holderIds[i] == txnId) {
                    return holderModes[i];
                }
            }
            return null;
        }

        /** Makes {@code txnId} a holder of {@code mode}, or changes the mode it holds. */
        private void putHolder(long txnId, Mode mode) {
            for (int i = 0; i < holderCount; i++) {
                if (holderIds[i] == txnId) {
                    holderModes[i] = mode;
                    return;
                }
            }
            if (holderCount == holderIds.length) {
                holderIds = Arrays.copyOf(holderIds, 2 * holderCount);
                holderModes = Arrays.copyOf(holderModes, 2 * holderCount);
            }
            holderIds[holderCount] = txnId;
            holderModes[holderCount] = mode;
            holderCount++;
        }

        private void removeHolder(long txnId) {
            for (int i = 0; i < holderCount; i++) {
                if (holderIds[i] == txnId) {
                    holderCount--;
                    holderIds[i] = holderIds[holderCount];
                    holderModes[i] = holderModes[holderCount];
                    holderModes[holderCount] = null;
                    return;
                }
            }
        }

        Request enqueue(long txnId, Mode mode) {
            Request request = new Request(txnId, mode);
            if (heldMode(txnId) != null) {
                int upgrades = 0;
                while (upgrades < queue.size() && heldMode(queue.get(upgrades).txnId) != null) {
                    upgrades++;
                }
                queue.add(upgrades, request);
            } else {
                queue.add(request);
            }
            return request;
        }

        void release(long txnId) {
            removeHolder(txnId);
            grantQueued();
        }

        void withdraw(Request request) {
            queue.remove(request);
            grantQueued();
        }

        boolean unused() {
            return holderCount == 0 && queue.isEmpty();
        }

        /** The transactions that {@code txnId}'s queued request waits for; none if it has none queued. */
        List<Long> blockersOf(long txnId) {
            int at = 0;
            while (at < queue.size() && queue.get(at).txnId != txnId) {
                at++;
            }
            if (at == queue.size()) {
                return List.of();
            }
            Mode mode = queue.get(at).mode;
            List<Long> blockers = new ArrayList<>();
            for (int i = 0; i < holderCount; i++) {
                if (holderIds[i] != txnId && holderModes[i].conflictsWith(mode)) {
                    blockers.add(holderIds[i]);
                }
            }
            for (Request ahead : queue.subList(0, at)) {
                if (ahead.mode.conflictsWith(mode)) {
                    blockers.add(ahead.txnId);
                }
            }
            return blockers;
        }

        String describeHolders() {
            StringJoiner joiner = new StringJoiner(", ", holderCount == 1 ? "transaction " : "transactions ", "");
            for (int i = 0; i < holderCount; i++) {
                joiner.add(holderIds[i] + " (" + holderModes[i] + ")");
            }
            return joiner.toString();
        }

        private boolean compatible(long txnId, Mode mode) {
            for (int i = 0; i < holderCount; i++) {
                if (holderIds[i] != txnId && holderModes[i].conflictsWith(mode)) {
                    return false;
                }
            }
            return true;
        }

        private void grantQueued() {
            boolean granted = false;
            while (!queue.isEmpty() && compatible(queue.get(0).txnId, queue.get(0).mode)) {
                Request head = queue.remove(0);
                putHolder(head.txnId, head.mode);
                head.granted = true;
                granted = true;
            }
            if (granted) {
                notifyAll();
            }
        }
    }

    /** The table size below which unused locks are left in place. */
    static final int SWEEP_MIN = 4096;

    private final Duration waitLimit;
    private final ConcurrentHashMap<Long, PageLock> table = new ConcurrentHashMap<>();
    /** The table size past which a release sweeps unused locks out: twice the size the last sweep left. */
    private volatile int sweepAbove = SWEEP_MIN;
    /** Set while one thread sweeps: the others go on. */
    private final AtomicBoolean sweeping = new AtomicBoolean();
    /**
     * Per transaction, the locks it holds, each once; each list is used only by its
     * transaction's thread.
     */
    private final ConcurrentHashMap<Long, List<PageLock>> heldBy = new ConcurrentHashMap<>();
    /** Per waiting transaction, the block it is queued on. */
    private final ConcurrentHashMap<Long, PageLock> waiting = new ConcurrentHashMap<>();
    private final Object deadlockCheck = new Object();
    /**
     * Waiters spin for a few microseconds before they wait in the monitor: a page lock is mostly
     * held for a few microseconds, and a wait in the monitor and the wake-up that ends it cost
     * tens, which made creates in one directory from two threads five times slower than from one.
     */
    private final Spinner spinner = new Spinner(SPIN_NANOS);
    private final ConcurrencyCounters counters;

    public PageLockManager(ConcurrencyCounters counters) {
        this(DEFAULT_WAIT_LIMIT, counters);
    }

    /** @param waitLimit the watchdog: a request waiting this long fails with {@link LockTimeoutException} */
    public PageLockManager(Duration waitLimit) {
        this(waitLimit, new ConcurrencyCounters());
    }

    /**
     * @param waitLimit the watchdog: a request waiting this long fails with {@link LockTimeoutException}
     * @param counters where lock waits are counted
     */
    public PageLockManager(Duration waitLimit, ConcurrencyCounters counters) {
        if (waitLimit.isNegative() || waitLimit.isZero()) {
            throw new IllegalArgumentException("a page lock wait limit must be positive, not " + waitLimit);
        }
        this.waitLimit = waitLimit;
        this.counters = counters;
    }

    /**
     * Takes a shared lock on {@code blockNr} for {@code txnId}, waiting if another transaction
     * holds it exclusive or a request is queued for it. Returns at once if the transaction holds
     * the block in either mode.
     *
     * @throws DeadlockException if waiting would close a cycle: abort and replay the operation
     * @throws LockTimeoutException if the wait outlasts the watchdog limit
     */
    public void lockShared(long txnId, long blockNr) {
        lock(txnId, blockNr, Mode.SHARED);
    }

    /**
     * Takes an exclusive lock on {@code blockNr} for {@code txnId}, upgrading a shared lock it
     * holds; waits while other transactions hold the block. Returns at once if the transaction
     * holds it exclusive.
     *
     * @throws DeadlockException if waiting would close a cycle: abort and replay the operation
     * @throws LockTimeoutException if the wait outlasts the watchdog limit
     */
    public void lockExclusive(long txnId, long blockNr) {
        lock(txnId, blockNr, Mode.EXCLUSIVE);
    }

    /** Releases every lock {@code txnId} holds, granting waiters they were in the way of. */
    public void releaseAll(long txnId) {
        List<PageLock> held = heldBy.remove(txnId);
        if (held == null) {
            return;
        }
        for (PageLock lock : held) {
            synchronized (lock) {
                lock.release(txnId);
            }
        }
        if (table.size() > sweepAbove) {
            sweepUnused();
        }
    }

    /** Removes the locks nobody holds or waits for from the table (see "Implementation notes"). */
    private void sweepUnused() {
        if (!sweeping.compareAndSet(false, true)) {
            return;
        }
        try {
            for (PageLock lock : table.values()) {
                synchronized (lock) {
                    if (lock.unused()) {
                        lock.retired = true;
                        table.remove(lock.blockNr, lock);
                    }
                }
            }
            sweepAbove = Math.max(SWEEP_MIN, 2 * table.size());
        } finally {
            sweeping.set(false);
        }
    }

    /**
     * The blocks {@code txnId} holds, in ascending order, and for each whether it holds it
     * exclusive: what a deadlock victim's replay takes again ({@link ReadSet}).
     */
    public List<HeldLock> held(long txnId) {
        List<HeldLock> held = new ArrayList<>();
        for (PageLock lock : heldBy.getOrDefault(txnId, List.of())) {
            synchronized (lock) {
                held.add(new HeldLock(lock.blockNr, lock.heldMode(txnId) == Mode.EXCLUSIVE));
            }
        }
        held.sort(Comparator.comparingLong(HeldLock::blockNr));
        return held;
    }

    /** A block a transaction holds, and whether exclusive. */
    public record HeldLock(long blockNr, boolean exclusive) {
    }

    public boolean holdsExclusive(long txnId, long blockNr) {
        return heldMode(txnId, blockNr) == Mode.EXCLUSIVE;
    }

    /** True if {@code txnId} holds {@code blockNr} in either mode. */
    public boolean holdsShared(long txnId, long blockNr) {
        return heldMode(txnId, blockNr) != null;
    }

    public ConcurrencyCounters counters() {
        return counters;
    }

    /** Blocks someone holds or waits for. */
    int blocksTracked() {
        int inUse = 0;
        for (PageLock lock : table.values()) {
            synchronized (lock) {
                inUse += lock.unused() ? 0 : 1;
            }
        }
        return inUse;
    }

    /** Locks in the table, unused ones not yet swept out included. */
    int tableSize() {
        return table.size();
    }

    private void lock(long txnId, long blockNr, Mode mode) {
        LockOrder.mayWaitFor("a page lock");
        for (;;) {
            PageLock lock = table.get(blockNr);
            if (lock == null) {
                lock = table.computeIfAbsent(blockNr, PageLock::new);
            }
            Request request;
            boolean upgrade;
            synchronized (lock) {
                if (lock.retired) {
                    continue;
                }
                Grant grant = lock.tryGrant(txnId, mode);
                if (grant == Grant.GRANTED) {
                    remember(txnId, lock);
                }
                if (grant != Grant.MUST_WAIT) {
                    return;
                }
                upgrade = lock.heldMode(txnId) != null;
                PageLock other = waiting.putIfAbsent(txnId, lock);
                if (other != null) {
                    throw new IllegalStateException("transaction " + txnId + " asks for block " + blockNr
                            + " while it waits for block " + other.blockNr
                            + ": a transaction waits for one block at a time");
                }
                request = lock.enqueue(txnId, mode);
            }
            counters.lockWaited();
            try {
                checkForDeadlock(lock, request);
                awaitGrant(lock, request);
            } finally {
                waiting.remove(txnId);
            }
            if (!upgrade) {
                remember(txnId, lock);
            }
            return;
        }
    }

    private void remember(long txnId, PageLock lock) {
        heldBy.computeIfAbsent(txnId, id -> new ArrayList<>()).add(lock);
    }

    private Mode heldMode(long txnId, long blockNr) {
        PageLock lock = table.get(blockNr);
        if (lock == null) {
            return null;
        }
        synchronized (lock) {
            return lock.heldMode(txnId);
        }
    }

    /** Throws {@link DeadlockException}, withdrawing {@code request}, if waiting for it would close a cycle. */
    private void checkForDeadlock(PageLock lock, Request request) {
        synchronized (deadlockCheck) {
            List<Long> cycle = cycleThrough(request.txnId);
            if (cycle.isEmpty()) {
                return;
            }
            synchronized (lock) {
                if (request.granted) {
                    return;
                }
                lock.withdraw(request);
            }
            StringJoiner path = new StringJoiner(" -> ");
            cycle.forEach(txn -> path.add(Long.toString(txn)));
            throw new DeadlockException("transaction " + request.txnId + " would deadlock waiting for block "
                    + lock.blockNr + " (" + request.mode + "): transactions waiting for each other " + path
                    + "; abort it and replay the operation");
        }
    }

    /**
     * A path of waits from {@code txnId} back to itself, as transaction ids starting and ending
     * with it; empty if there is none. Called under the deadlock check's monitor.
     */
    private List<Long> cycleThrough(long txnId) {
        Map<Long, Long> reachedFrom = new HashMap<>();
        Deque<Long> toVisit = new ArrayDeque<>();
        toVisit.push(txnId);
        while (!toVisit.isEmpty()) {
            long txn = toVisit.pop();
            for (long blocker : blockersOf(txn)) {
                if (reachedFrom.putIfAbsent(blocker, txn) != null) {
                    continue;
                }
                if (blocker == txnId) {
                    List<Long> cycle = new ArrayList<>();
                    long at = txnId;
                    do {
                        cycle.add(0, at);
                        at = reachedFrom.get(at);
                    } while (at != txnId);
                    cycle.add(0, txnId);
                    return cycle;
                }
                toVisit.push(blocker);
            }
        }
        return List.of();
    }

    private List<Long> blockersOf(long txnId) {
        PageLock lock = waiting.get(txnId);
        if (lock == null) {
            return List.of();
        }
        synchronized (lock) {
            return lock.blockersOf(txnId);
        }
    }

    /** Waits until {@code request} is granted; on timeout withdraws it and throws. */
    private void awaitGrant(PageLock lock, Request request) {
        if (spinner.spinUntil(() -> request.granted)) {
            return;
        }
        long deadline = System.nanoTime() + waitLimit.toNanos();
        boolean interrupted = false;
        try {
            synchronized (lock) {
                while (!request.granted) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        String holders = lock.describeHolders();
                        lock.withdraw(request);
                        throw new LockTimeoutException("transaction " + request.txnId + " waited "
                                + waitLimit.toMillis() + " ms for block " + lock.blockNr + " (" + request.mode
                                + "), held by " + holders + ": a lost wake-up, or a transaction that never ended");
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(lock, left);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
