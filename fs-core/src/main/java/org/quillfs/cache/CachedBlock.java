package org.quillfs.cache;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;
import org.quillfs.concurrent.LockOrder;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;

/**
 * One metadata block in the {@link BufferCache}.
 *
 * <p>Life cycle: created unloaded and pinned by {@link BufferCache#pin}; loaded from the device
 * by the first pinner; changed only through {@link #apply}, which the transaction layer calls
 * after it has logged the change; written home by the cache (eviction or checkpoint) and then
 * clean again; evicted only when unpinned and clean.
 *
 * <p>Guarded by this object's monitor (the block latch): the contents, {@code pageLsn},
 * {@code recLsn}, {@code dirty} and {@code loaded} (written under it; volatile so that a pin of a
 * loaded block need not take the latch). Page locks (held by transactions, in the txn layer)
 * keep two transactions from changing the same block at once; the latch only makes each change
 * and each copy for write-back atomic. Lock order: the cache's lock may be held while taking a
 * block latch, never the reverse.
 *
 * <p>The pin count is an atomic counter, so that pinning a cached block takes no lock at all:
 * {@link #tryPin} raises it unless the cache has claimed the block for eviction
 * ({@link #tryClaimForEviction}: from 0 to {@code EVICTED}, for good). {@code referenced} is
 * the CLOCK bit: set by every pin, cleared by the cache's eviction sweep.
 */
public final class CachedBlock implements AutoCloseable {

    private final BufferCache cache;
    private final long blockNr;
    private final byte[] data;
    /** {@code data} for the latch holder's own absolute writes (the LSN); never handed out. */
    private final ByteBuffer ownView;
    private long pageLsn;
    private long recLsn;
    /** The page LSN of the last copy taken to go home, and the LSN of the first change since (0: none). */
    private long snapshotLsn = -1;
    private long firstChangeSinceSnapshot;
    private boolean dirty;
    private boolean verified;
    private volatile boolean loaded;
    private volatile int pins;
    volatile boolean referenced = true;

    private static final int EVICTED = -1;
    private static final VarHandle PINS;

    static {
        try {
            PINS = MethodHandles.lookup().findVarHandle(CachedBlock.class, "pins", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    CachedBlock(BufferCache cache, long blockNr, int blockSize) {
        this.cache = cache;
        this.blockNr = blockNr;
        this.data = new byte[blockSize];
        this.ownView = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    public long blockNr() {
        return blockNr;
    }

    /**
     * A read-only view of the contents: it shows every later change, and it keeps showing this
     * block's bytes after the block is unpinned or evicted (its array is never reused), so it
     * is as stable as the page lock its reader holds. Little-endian, as every on-disk field is.
     */
    public synchronized ByteBuffer contents() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The block size: how many bytes the block holds. */
    public int size() {
        return data.length;
    }

    /** Copies the whole block into {@code into}, an array of {@link #size} bytes; returns it. */
    public synchronized byte[] copyInto(byte[] into) {
        if (into.length != data.length) {
            throw new IllegalArgumentException("a copy of block " + blockNr + " needs " + data.length
                    + " bytes, not " + into.length);
        }
        System.arraycopy(data, 0, into, 0, data.length);
        return into;
    }

    /** Copies {@code length} bytes at {@code offset} into {@code into} at {@code at}. */
    public synchronized void copyTo(int offset, int length, byte[] into, int at) {
        System.arraycopy(data, offset, into, at, length);
    }

    /** A copy of {@code length} bytes at {@code offset}. */
    public synchronized byte[] copy(int offset, int length) {
        byte[] out = new byte[length];
        System.arraycopy(data, offset, out, 0, length);
        return out;
    }

    /**
     * Where {@code after[from .. from + length)} differs from this block's bytes at
     * {@code offset .. offset + length}: runs of changed bytes as pairs {@code [start, end)}
     * relative to {@code offset} (and {@code from}), ascending, with runs fewer than
     * {@code mergeGap} unchanged bytes apart joined into one. Empty when nothing differs.
     */
    public synchronized int[] differences(int offset, byte[] after, int from, int length, int mergeGap) {
        int[] runs = new int[8];
        int n = 0;
        int start = Arrays.mismatch(data, offset, offset + length, after, from, from + length);
        while (start >= 0) {
            int end = start + 1; // one past the last changed byte seen
            int i = end;
            while (i < length && i - end < mergeGap) {
                if (data[offset + i] != after[from + i]) {
                    end = i + 1;
                }
                i++;
            }
            if (n == runs.length) {
                runs = Arrays.copyOf(runs, 2 * n);
            }
            runs[n++] = start;
            runs[n++] = end;
            int next = i >= length ? -1
                    : Arrays.mismatch(data, offset + i, offset + length, after, from + i, from + length);
            start = next < 0 ? -1 : i + next;
        }
        return Arrays.copyOf(runs, n);
    }

    /** The LSN of the last change applied (0 for a block read from disk and not changed since load). */
    public synchronized long pageLsn() {
        return pageLsn;
    }

    /** The LSN of the first change not yet home, 0 when clean. */
    public synchronized long recLsn() {
        return dirty ? recLsn : 0;
    }

    public synchronized boolean isDirty() {
        return dirty;
    }

    /**
     * Applies a logged change: {@code after} at {@code offset}, made by the record at {@code lsn}.
     * Sets the page LSN (also in the block's header) and, for the first change since the block
     * was clean, its recLSN.
     *
     * @throws IllegalStateException if the change was not logged: its LSN is not above the
     *     block's page LSN or not below the log's head, or it would overwrite the header's LSN
     *     or checksum fields, or the block is not pinned
     */
    public void apply(int offset, byte[] after, long lsn) {
        apply(offset, after, 0, after.length, lsn);
    }

    /** Like {@link #apply(int, byte[], long)}, with the {@code length} bytes at {@code from} of {@code after}. */
    public void apply(int offset, byte[] after, int from, int length, long lsn) {
        cache.checkPinned(this); // before the latch: the cache lock is never taken under it
        long head = cache.log().appendedLsn();
        LockOrder.taking(LockOrder.Level.LATCH);
        try {
            applyLatched(offset, after, from, length, lsn, head);
        } finally {
            LockOrder.released(LockOrder.Level.LATCH);
        }
    }

    private synchronized void applyLatched(int offset, byte[] after, int from, int length, long lsn, long head) {
        if (lsn <= pageLsn || lsn >= head) {
            throw new IllegalStateException("block " + blockNr + " changed by an unlogged record: LSN " + lsn
                    + " is not above its page LSN " + pageLsn + " and below the log head " + head);
        }
        if (offset < BlockHeader.LSN_END && offset + length > BlockHeader.LSN_START) {
            throw new IllegalStateException("a change of block " + blockNr + " at " + offset + ".."
                    + (offset + length) + " covers the header's LSN or checksum");
        }
        System.arraycopy(after, from, data, offset, length);
        stamp(lsn);
    }

    private void stamp(long lsn) {
        if (firstChangeSinceSnapshot == 0) {
            firstChangeSinceSnapshot = lsn;
        }
        pageLsn = lsn;
        BlockHeader.setLsn(ownView, lsn);
        if (!dirty) {
            dirty = true;
            recLsn = lsn;
            cache.dirtied();
        }
    }

    /**
     * Whether a reader has checked this block's structure since it came from the device (see
     * {@link #markVerified}). Changes made in memory come from code that keeps the structure
     * sound, so they do not clear it.
     */
    public synchronized boolean isVerified() {
        return verified;
    }

    /**
     * Records that the contents were checked (header, checksum, structure) and found sound, so
     * that later readers of the cached copy need not check again: verification costs once per
     * read from the device, not once per access.
     */
    public synchronized void markVerified() {
        verified = true;
    }

    boolean isLoaded() {
        return loaded;
    }

    /**
     * Puts {@code before} back at {@code offset} without a log record: only when the journal has
     * been aborted and a transaction's changes must still vanish from memory, so that readers see
     * what committed. The block stays dirty; a stopped cache writes it nowhere.
     */
    public void revert(int offset, byte[] before) {
        cache.checkPinned(this);
        synchronized (this) {
            System.arraycopy(before, 0, data, offset, before.length);
        }
    }

    /**
     * Checks, once per read from the device, that this is a sound {@code type} block of the
     * filesystem {@code uuid} (magic, type, block number, checksum; a block changed since has a
     * stale checksum, so only its magic and type are checked); marks it verified if so.
     *
     * @return what is wrong, or empty
     */
    public synchronized Optional<String> verify(UUID uuid, BlockType type) {
        if (verified) {
            return Optional.empty();
        }
        ByteBuffer contents = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        Optional<String> problem;
        if (dirty) {
            problem = BlockHeader.magic(contents) != BlockHeader.MAGIC || BlockHeader.typeCode(contents) != type.code()
                    ? Optional.of("not a " + type + " block") : Optional.empty();
        } else {
            problem = BlockHeader.problem(contents, uuid, type, blockNr);
        }
        verified = problem.isEmpty();
        return problem;
    }

    void load(BufferCache owner) {
        if (loaded) {
            return;
        }
        LockOrder.taking(LockOrder.Level.LATCH);
        try {
            synchronized (this) {
                if (!loaded) {
                    owner.device().read(blockNr, ByteBuffer.wrap(data));
                    loaded = true;
                }
            }
        } finally {
            LockOrder.released(LockOrder.Level.LATCH);
        }
    }

    int pins() {
        return pins;
    }

    /** Pins the block unless it was claimed for eviction. */
    boolean tryPin() {
        for (;;) {
            int p = pins;
            if (p == EVICTED) {
                return false;
            }
            if (PINS.compareAndSet(this, p, p + 1)) {
                referenced = true;
                return true;
            }
        }
    }

    void unpinOnce() {
        for (;;) {
            int p = pins;
            if (p <= 0) {
                throw new IllegalStateException("block " + blockNr + " unpinned more often than pinned");
            }
            if (PINS.compareAndSet(this, p, p - 1)) {
                return;
            }
        }
    }

    /**
     * Claims an unpinned clean block for eviction: no pin succeeds afterwards. Fails if it is
     * pinned or dirty; the dirty test comes after the claim, since a pinner could have changed
     * and unpinned the block between an earlier test and the claim.
     */
    boolean tryClaimForEviction() {
        if (!PINS.compareAndSet(this, 0, EVICTED)) {
            return false;
        }
        if (isDirty()) {
            pins = 0;
            return false;
        }
        return true;
    }

    boolean evicted() {
        return pins == EVICTED;
    }

    /**
     * Copies the block into {@code target} (from index 0), to be sealed and written home;
     * returns the page LSN the copy holds.
     */
    synchronized long copyForHome(ByteBuffer target) {
        snapshotLsn = pageLsn;
        firstChangeSinceSnapshot = 0;
        target.put(0, data);
        return pageLsn;
    }

    /**
     * After the snapshot went home and the device flushed: clean, unless it changed meanwhile.
     * A clean block then holds exactly what is on disk, checksum included, so it verifies. A
     * block that changed meanwhile stays dirty, but only for the changes after the copy: the disk
     * holds everything up to {@code lsnWritten}, so its recLSN becomes the first change since
     * the copy (a record's LSN: a checkpoint may make it the tail, where recovery starts reading
     * records). Kept at the first change since it was clean, a block changed during every
     * write-back, a hot bitmap say, held the log's tail there for good, and the log filled. If
     * another copy was taken since, the recLSN stays as it is.
     */
    synchronized void wentHome(long lsnWritten, ByteBuffer sealed) {
        if (pageLsn == lsnWritten) {
            if (dirty) {
                dirty = false;
                cache.cleaned();
            }
            recLsn = 0;
            sealed.get(BlockHeader.CRC_OFFSET, data, BlockHeader.CRC_OFFSET, Integer.BYTES);
        } else if (dirty && snapshotLsn == lsnWritten && firstChangeSinceSnapshot != 0) {
            recLsn = Math.max(recLsn, firstChangeSinceSnapshot);
        }
    }

    /** Unpins the block. */
    @Override
    public void close() {
        cache.unpin(this);
    }
}
