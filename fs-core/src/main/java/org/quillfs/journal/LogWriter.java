package org.quillfs.journal;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.quillfs.cache.WriteAheadLog;
import org.quillfs.concurrent.LockOrder;
import org.quillfs.concurrent.Spinner;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.LogBlock;
import org.quillfs.volume.BlockDevice;

/**
 * Appends records to the circular log and makes them durable with group commit.
 *
 * <h2>Overview</h2>
 * {@link #append} encodes a record into an in-memory buffer and returns its LSN. {@link #force}
 * makes everything up to an LSN durable: the first thread that needs a flush becomes the
 * writer, takes every record appended so far, writes their blocks (one vectored write per
 * contiguous run of the region) and issues one device flush; threads whose LSNs that flush
 * covers just wait for it. Records appended while a flush is running go to the next one. A
 * block, once written, is never written again: each flush pads its last block and the stream
 * continues at the next block (docs/JOURNAL.md), so a torn write can only damage records that
 * were not yet durable. When a megabyte (an eighth of a small log) is pending and no writer is
 * out, the blocks it fills whole are written, without a flush (write-behind), so the buffer
 * stays small between forces: by a background thread when one was given
 * ({@link #writeBehindOn}), so that the operation whose append crossed the mark does not wait
 * for that I/O (nor for the data flush that may come first, "Ordered data") while it holds its
 * locks; by the appending thread itself without one, or when four times as much is pending
 * (the background thread falls behind).
 *
 * <h2>Ordered data</h2>
 * File data written around the log is {@linkplain #dataWritten announced}; before the writer
 * writes a batch it flushes the device if data that must be ordered was announced since the last
 * flush ({@link DataBarrier}). A COMMIT is appended after its transaction's data writes were
 * announced, so the batch that carries it is written only after a flush that made that data
 * durable: the order "data, flush, log, flush" without a flush per data write. Overwrites of
 * blocks the file already held ({@linkplain #dataOverwritten announced} apart) need no such
 * order: the flush after the log write makes them durable with it, "data, log, flush".
 *
 * <h2>Log space</h2>
 * The bytes between the tail (moved by checkpoints, {@link #moveTail}) and the head are in
 * use. Transactions {@link #reserve} their worst case before they start, waiting while the log
 * lacks it, and {@link #release} what they did not use. The head is counted up to the end of
 * its block (the padding a flush may add); a padding reserve is kept back for the flushes of
 * transactions already running, and a checkpoint reserve for checkpoint records. An append that would overrun the tail means this
 * accounting is broken and fails loudly.
 *
 * <h2>Failure</h2>
 * If writing or flushing the log fails, the records of that batch may not be on the device.
 * The journal is then aborted: the failed call and every later append, force and reservation
 * throw {@link JournalAbortedException}, so nothing is ever reported durable that may not be.
 * A failed device flush of any kind aborts it too: after one, the writes it was to cover may
 * be lost, and the order "data, flush, COMMIT" can no longer be promised. The layers above
 * abort it themselves ({@link #abort}) when metadata can no longer be made durable (a block
 * failed to go home). The next mount's recovery finds the log as far as it reached the device.
 *
 * <h2>Implementation notes</h2>
 * One lock guards the buffer and the LSNs; it is held for memory copies only, never across
 * device I/O. {@code flushing} marks that a writer is out doing I/O. The space counters are
 * {@link LogSpace}'s, under a lock of their own.
 */
public final class LogWriter implements WriteAheadLog {

    /**
     * How long a thread spins for the log lock, or the log space lock, before it sleeps: many
     * times the longest hold.
     */
    private static final long SPIN_NANOS = 20_000;

    private final BlockDevice device;
    private final LogRegion region;
    private final long epoch;
    private final LogSpace space;
    private final DataBarrier dataBarrier = new DataBarrier();
    /**
     * Pending bytes past which an append writes out the whole blocks they fill, without a flush
     * (1 MiB, or an eighth of a small log): not durable until a {@link #force}, but the buffer
     * stays small and a force has less to write.
     */
    private final int writeBehindBytes;
    /** Runs write-behind off the appending thread; null: the appending thread does it. */
    private volatile Executor writeBehind;
    /** A write-behind task is queued and has not run yet; guarded by the lock. */
    private boolean writeBehindQueued;

    private final ReentrantLock lock = new ReentrantLock();
    private final Spinner spinner = new Spinner(SPIN_NANOS);
    private final Condition flushed = lock.newCondition();


    /** Bytes appended and not yet handed to a writer; they start at {@code pendingStart} (a block boundary). */
    private byte[] pending = new byte[1 << 16];
    /** The other buffer: {@code pending} while a writer is out with this one, so appends go on meanwhile. */
    private byte[] spare = new byte[1 << 16];
    /**
     * The log blocks a writer encodes its batch into, kept for the next writer (one is out at a
     * time, {@code flushing}): a block written is never allocated. Grows to the largest batch.
     * Direct, so that the JDK hands it to the kernel as it is: from a heap buffer it copies every
     * write into a temporary direct buffer first.
     */
    private ByteBuffer blocksOut = ByteBuffer.allocateDirect(0);
    private int pendingLength;
    private long pendingStart;
    /** Written under the lock; volatile so that {@link #appendedLsn()} (asked at every block change) reads it without. */
    private volatile long nextLsn;
    /** Written under the lock; volatile so that {@link #durableLsn()} reads it without. */
    private volatile long durableLsn;
    private boolean flushing;
    /** Set when a log write or flush failed: the journal is aborted. */
    private RuntimeException failure;
    private long flushes;
    private long bytesWritten;

    /**
     * @param nextLsn       where the log continues: a block boundary after every durable record
     * @param tailLsn       the oldest LSN recovery still needs
     * @param epoch         this mount's epoch, stamped on every block written
     * @param onSpaceWanted called (without locks held) when a reservation has to wait
     */
    public LogWriter(BlockDevice device, LogRegion region, long nextLsn, long tailLsn, long epoch,
            Runnable onSpaceWanted) {
        if (region.offsetOf(nextLsn) != 0 || tailLsn > nextLsn) {
            throw new IllegalArgumentException("the log must continue at a block boundary after its tail");
        }
        this.device = device;
        this.region = region;
        this.epoch = epoch;
        this.space = new LogSpace(region, tailLsn, this::appendedLsn, onSpaceWanted, spinner);
        this.writeBehindBytes = (int) Math.min(1 << 20, region.capacity() / 8);
        this.nextLsn = nextLsn;
        this.pendingStart = nextLsn;
        this.durableLsn = nextLsn;
    }

    public LogRegion region() {
        return region;
    }

    /** Appends {@code record}; returns its LSN. The record is durable once {@link #force} of it returns. */
    public long append(LogRecord record) {
        int size = LogRecordCodec.size(record);
        lockLog();
        try {
            long lsn = makeRoom(size);
            LogRecordCodec.encode(record, pending, pendingLength);
            appended(size);
            return lsn;
        } finally {
            unlockLog();
        }
    }

    /**
     * Write-behind runs on {@code executor} from now on (see "Overview"); an executor that
     * refuses the task (shut down) leaves it to the appending thread again.
     */
    public void writeBehindOn(Executor executor) {
        writeBehind = executor;
    }

    /** Called with the lock held, a megabyte pending and no writer out. */
    private void startWriteBehind() {
        Executor executor = writeBehind;
        if (executor == null || pendingLength >= 4 * writeBehindBytes) {
            writeWholeBlocks();
            return;
        }
        if (writeBehindQueued) {
            return;
        }
        writeBehindQueued = true;
        try {
            executor.execute(this::writeBehindNow);
        } catch (RejectedExecutionException e) {
            writeBehindQueued = false;
            writeWholeBlocks();
        }
    }

    /** The background write-behind: whole pending blocks, if still a megabyte and no writer is out. */
    private void writeBehindNow() {
        lockLog();
        try {
            writeBehindQueued = false;
            if (failure == null && pendingLength >= writeBehindBytes && !flushing) {
                writeWholeBlocks();
            }
        } finally {
            unlockLog();
        }
    }

    /**
     * Appends one UPDATE per run of changed bytes of {@code block}, under one hold of the lock:
     * the same records as {@link #append} of each {@link LogRecord.Update}, encoded straight
     * from slices of the caller's arrays ({@link LogRecordCodec#encodeUpdate}) without making
     * the records and their image arrays. One hold, because a change of one block is often
     * several runs (a directory leaf insert changes the header, a slot and an entry), and with
     * two threads appending, every hold moves the lock's and the buffer's cache lines between
     * processors. Run {@code i} is the bytes {@code [runs[2i], runs[2i+1])} relative to
     * {@code offset} (and to {@code afterFrom} in {@code after}); the before images lie one after
     * another in {@code before} from {@code beforeFrom}. The first record's previous LSN is
     * {@code prevLsn}, each next one's the record before it; run {@code i}'s LSN goes to
     * {@code lsns[i]}.
     */
    public void appendUpdates(long txn, long prevLsn, long block, int offset, int[] runs, byte[] before,
            int beforeFrom, byte[] after, int afterFrom, long[] lsns) {
        lockLog();
        try {
            long prev = prevLsn;
            int image = beforeFrom;
            for (int i = 0; i < runs.length; i += 2) {
                int n = runs[i + 1] - runs[i];
                int size = LogRecordCodec.updateSize(n);
                long lsn = makeRoom(size);
                LogRecordCodec.encodeUpdate(pending, pendingLength, txn, prev, block, offset + runs[i], before, image,
                        after, afterFrom + runs[i], n);
                appended(size);
                lsns[i / 2] = lsn;
                prev = lsn;
                image += n;
            }
        } finally {
            unlockLog();
        }
    }

    /** Under the lock: checks that a record of {@code size} bytes may go at the head, makes room for it in the buffer, returns its LSN. */
    private long makeRoom(int size) {
        checkNotAborted();
        long lsn = nextLsn;
        long end = region.alignUp(lsn + size);
        long tail = space.tail();
        if (end - region.lsnOf(region.sequenceOf(tail)) > region.capacity()) {
            throw new IllegalStateException("log overrun: appending " + size + " bytes at " + lsn
                    + " would overwrite the tail at " + tail + " (log space accounting is broken)");
        }
        if (pendingLength + size > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + size));
        }
        return lsn;
    }

    /** Under the lock: the record of {@code size} bytes encoded at the end of the buffer is appended. */
    private void appended(int size) {
        pendingLength += size;
        nextLsn += size;
        if (pendingLength >= writeBehindBytes && !flushing) {
            startWriteBehind();
        }
    }

    /** The LSN the next record will get: every LSN below it has been appended. */
    @Override
    public long appendedLsn() {
        return nextLsn;
    }

    /**
     * Returns once the record that starts at {@code lsn}, and every record before it, is durable
     * (group commit). An {@code lsn} past the head forces everything appended.
     */
    @Override
    public void force(long lsn) {
        LockOrder.mayWaitFor("a log flush");
        lockLog();
        try {
            while (durableLsn <= Math.min(lsn, nextLsn - 1)) {
                checkNotAborted();
                if (flushing) {
                    flushed.awaitUninterruptibly();
                } else {
                    writeAndFlushPending();
                }
            }
        } finally {
            unlockLog();
        }
    }

    /** The LSN up to which the log is durable: every record that starts below it is on the device. */
    public long durableLsn() {
        return durableLsn;
    }

    @Override
    public void dataWritten() {
        dataBarrier.announce(true);
    }

    @Override
    public void dataOverwritten() {
        dataBarrier.announce(false);
    }

    /**
     * Flushes the device if file data was announced that no flush has covered yet: after a
     * {@link #force}, makes the data written before it durable too, without a second flush when
     * the force's log write already had one (its flush counts for the data).
     */
    public void flushDataIfAnnounced() {
        flushOrAbort(() -> dataBarrier.flushIfWritten(device));
    }

    /**
     * Flushes the device: every write issued before the call is durable when it returns, data
     * written around the log included. A checkpoint calls it before its master record moves the
     * tail past journaled data that went home without a flush of its own.
     */
    public void flushDevice() {
        flushOrAbort(() -> dataBarrier.flush(device));
    }

    /**
     * Writes every pending record and flushes the device. Called with the lock held; releases
     * it during the I/O.
     */
    private void writeAndFlushPending() {
        long batchStart = pendingStart;
        long batchEnd = nextLsn;
        // Pad: the stream continues at the next block boundary; this block is never rewritten.
        nextLsn = region.alignUp(nextLsn);
        writeOut(pendingLength, batchStart, batchEnd, true);
    }

    /**
     * Write-behind: writes the pending records that fill whole blocks, without a flush, so the
     * buffer stays small between forces. The records are not durable yet, and nothing is
     * padded: the partly filled last block stays pending, and no block is ever written twice.
     * Called with the lock held; releases it during the I/O.
     */
    private void writeWholeBlocks() {
        int bytes = pendingLength / region.payload() * region.payload();
        writeOut(bytes, pendingStart, pendingStart + bytes, false);
    }

    /**
     * Hands the first {@code bytes} pending bytes (LSNs {@code batchStart ..}) to the device,
     * keeps the rest pending from the next block, and flushes if {@code flush}, which makes
     * everything up to {@code batchEnd} durable. Appends go on into the other buffer meanwhile.
     */
    private void writeOut(int bytes, long batchStart, long batchEnd, boolean flush) {
        flushing = true;
        byte[] batch = pending;
        int rest = pendingLength - bytes;
        if (spare.length < Math.max(rest, 1 << 16)) {
            spare = new byte[Math.max(rest, 1 << 16)];
        }
        System.arraycopy(batch, bytes, spare, 0, rest);
        pending = spare;
        pendingLength = rest;
        pendingStart = region.alignUp(batchStart + bytes);
        unlockLog();
        RuntimeException failed = null;
        try {
            dataBarrier.flushBeforeLogWrite(device); // data its COMMITs map reaches the device first
            writeBlocks(batch, bytes, batchStart);
            if (flush) {
                dataBarrier.flush(device); // counted as covering the data announced before it too
            }
        } catch (RuntimeException e) {
            failed = e;
        } finally {
            lockLog();
            flushing = false;
            spare = batch; // free again: the next writer's buffer
            if (failed == null) {
                if (flush) {
                    durableLsn = Math.max(durableLsn, region.alignUp(batchEnd)); // and every batch written before
                    flushes++;
                }
                bytesWritten += bytes;
            } else {
                // These records are lost: never let a later flush report them durable.
                abortLocked("writing the log failed: " + failed.getMessage(), failed);
            }
            flushed.signalAll();
        }
        checkNotAborted(); // the writer learns of its own failure as every later caller does
    }

    private void checkNotAborted() {
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Aborts the journal, if it is not already: nothing more is appended, forced or reserved.
     * For a failure the log writer cannot see: metadata that could not be written home.
     */
    public void abort(String why, Throwable cause) {
        lock.lock();
        try {
            abortLocked(why, cause);
        } finally {
            lock.unlock();
        }
    }

    private void abortLocked(String why, Throwable cause) {
        if (failure == null) {
            failure = new JournalAbortedException("the journal was aborted: " + why, cause);
            flushed.signalAll();
            space.abort(failure); // a reservation waiting for a checkpoint would wait for ever
        }
    }

    /** Whether the journal has been aborted: the filesystem can make nothing more durable. */
    public boolean aborted() {
        lock.lock();
        try {
            return failure != null;
        } finally {
            lock.unlock();
        }
    }

    /** Runs a device flush; a failed one aborts the journal (see "Failure" above). */
    private void flushOrAbort(Runnable flush) {
        lock.lock();
        try {
            checkNotAborted();
        } finally {
            lock.unlock();
        }
        try {
            flush.run();
        } catch (RuntimeException e) {
            abort("flushing the device failed: " + e.getMessage(), e);
            throw failure;
        }
    }

    /**
     * Encodes {@code batch} into log blocks and writes them: one write for the whole batch, or
     * two where it wraps around the end of the region.
     */
    private void writeBlocks(byte[] batch, int length, long batchStart) {
        if (length == 0) {
            return;
        }
        int payload = region.payload();
        long firstSequence = region.sequenceOf(batchStart);
        int blocks = (length + payload - 1) / payload;
        int blockSize = region.blockSize();
        if (blocksOut.capacity() < blocks * blockSize) {
            blocksOut = ByteBuffer.allocateDirect(blocks * blockSize);
        }
        int runFirst = 0;
        long runStart = region.physicalBlock(firstSequence);
        for (int i = 0; i < blocks; i++) {
            long sequence = firstSequence + i;
            long physical = region.physicalBlock(sequence);
            if (physical != runStart + (i - runFirst)) { // wrapped around the region
                writeRun(runStart, runFirst, i);
                runFirst = i;
                runStart = physical;
            }
            ByteBuffer block = blocksOut.slice(i * blockSize, blockSize); // encode zeroes it first
            int from = i * payload;
            LogBlock.encode(block, physical, sequence, region.logId(), epoch,
                    ByteBuffer.wrap(batch, from, Math.min(payload, length - from)));
            BlockHeader.seal(block, region.uuid());
        }
        writeRun(runStart, runFirst, blocks);
    }

    /** Writes encoded blocks {@code [from, to)} of {@link #blocksOut} from device block {@code physical} on. */
    private void writeRun(long physical, int from, int to) {
        int blockSize = region.blockSize();
        device.write(physical, blocksOut.slice(from * blockSize, (to - from) * blockSize));
    }

    /**
     * Makes everything appended so far durable, and the file data announced so far: an
     * overwrite that changed no metadata appended nothing, and yet must be durable after a
     * commit interval as every other completed operation is.
     */
    public void forceAll() {
        force(appendedLsn());
        flushDataIfAnnounced();
    }

    /**
     * Reserves {@code bytes} of log space, waiting (for a checkpoint to move the tail) while the
     * log lacks them.
     *
     * <p>One reservation may take up to half the log: what is left covers the padding and
     * checkpoint reserves, so it can always be granted once the transactions before it end and a
     * checkpoint moves the tail (a waiting reservation holds no page locks, so they can end).
     * Half, not less, so that a rename on a small filesystem (1 MiB journal) fits.
     *
     * @throws IllegalArgumentException if the whole log could never hold them
     */
    public void reserve(long bytes) {
        space.reserve(bytes);
    }

    /** Gives back reserved space: bytes reserved and not appended, or appended and accounted elsewhere. */
    public void release(long bytes) {
        space.release(bytes);
    }

    /** A checkpoint made everything before {@code newTail} unnecessary: its space is free again. */
    public void moveTail(long newTail) {
        space.moveTail(newTail);
    }

    /**
     * Zeroes the block the log would continue in, before a master record declares the log empty
     * there (a clean unmount): an intact block of an earlier run that a crash interrupted, left
     * past a torn one, may lie there in sequence, and the next recovery, which has no block
     * before it to compare epochs with, would read it as the log. Call with everything forced.
     */
    public void clearBlockAtHead() {
        long sequence = region.sequenceOf(region.alignUp(appendedLsn()));
        device.write(region.physicalBlock(sequence), ByteBuffer.allocate(region.blockSize()));
    }

    /** Bytes between the tail and the end of the head's block: what a checkpoint would free. */
    public long usedBytes() {
        return space.used();
    }

    /**
     * Log bytes kept back from transactions for checkpoint records, which are appended without
     * a reservation: a checkpoint must be able to run when the log is full.
     */
    public long checkpointReserve() {
        return space.checkpointReserve();
    }

    public long epoch() {
        return epoch;
    }

    /** Device flushes issued so far: with group commit, far fewer than commits. */
    public long flushes() {
        return underLock(() -> flushes);
    }

    /** Record bytes written so far (padding not counted); durable once a {@link #force} covers them. */
    public long bytesWritten() {
        return underLock(() -> bytesWritten);
    }

    /**
     * Takes the lock, spinning a little before it sleeps: it is held for a memory copy, a
     * fraction of a microsecond, and every update of every transaction takes it, so with two
     * threads appending a sleeping waiter's park and unpark (tens of microseconds on these
     * machines) cost more than the wait and were a fifth of the CPU of two threads creating files.
     */
    private void lockLog() {
        LockOrder.taking(LockOrder.Level.LOG);
        spinner.lock(lock);
    }

    private void unlockLog() {
        lock.unlock();
        LockOrder.released(LockOrder.Level.LOG);
    }

    private long underLock(LongSupplier read) {
        lockLog();
        try {
            return read.getAsLong();
        } finally {
            unlockLog();
        }
    }
}
