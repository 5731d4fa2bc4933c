package org.quillfs.file;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.quillfs.alloc.Reservation;
import org.quillfs.cache.WriteAheadLog;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.ExtentEntry;
import org.quillfs.format.ExtentRoot;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.txn.BlockReader;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.BlockDevice;

/**
 * A file's bytes on the device, found through its {@link ExtentTree}, in one of two
 * {@linkplain DataMode data modes} chosen at construction (docs/JOURNAL.md, "File data").
 *
 * <h2>Ordered mode (the default)</h2>
 * Data blocks are not journaled: they go straight to the {@link BlockDevice}. What the journal
 * orders is the metadata that points at them (DESIGN.md, layer 7): new data must be on the
 * device before the transaction that maps it commits durably, or a crash could leave a file
 * whose extents hold another file's old bytes. Two rules give that without a device flush per
 * write, and without a log force:
 * <ul>
 * <li><b>Data before its COMMIT.</b> {@link #write} writes the data blocks without flushing and
 *     then announces them to the log ({@link WriteAheadLog#dataWritten}), before it returns and
 *     so before the caller appends the COMMIT. The log flushes the device before it writes any
 *     batch of log blocks when data was announced since the last flush, so the batch that
 *     carries the COMMIT reaches the device only after the data. Metadata that the buffer cache
 *     writes home early (steal) does not break this: it goes home only after the log is durable
 *     up to it, and if its transaction did not commit, recovery undoes it. Announcing inside
 *     {@code write} rather than in a method the caller must remember before commit means no
 *     caller can forget it; the price, a flush before the next log write, is paid once per log
 *     batch (group commit), not per write. Overwrites of blocks the file already held, written,
 *     below its size, are announced apart ({@link WriteAheadLog#dataOverwritten}): the mapping to
 *     them is durable already, so no COMMIT waits for them, and the log's next flush makes them
 *     durable (fsync). A crash may then keep an overwrite that was not fsync'd in part, or not at
 *     all, although later operations are durable — as ext4's data=ordered does. Bytes past the
 *     size are ordered even in a block the file holds: a COMMIT that grows the file must not
 *     show the zeros that were there.
 * <li><b>No new data in a block whose free may be undone.</b> A block freed by a transaction
 *     whose COMMIT is not yet durable would, after a crash, belong to its old file again: were
 *     new data written into it, that file would show it. The allocator never hands such a
 *     block out (docs/ALLOCATION.md, "Freed blocks wait"), so {@code write} never forces the
 *     log (jbd2 does the same).
 * </ul>
 * The zeroing done by {@link #truncate} and {@link #punchHole} is data written in place under
 * the same rules: announced, and so on the device before the COMMIT that shrinks the file.
 *
 * <h2>Journal mode (data=journal)</h2>
 * Every data block written (or zeroed) goes into the log whole, as a redo-only record of the
 * caller's transaction ({@link Transaction#logData}); nothing is written home before commit,
 * so a write is as atomic as its transaction and an abort leaves the old data. The commit
 * forces the log and then writes the blocks home, before it releases the locks; within the
 * transaction, reads and partial writes see its own journaled blocks. The log must hold the
 * data too: {@link #logBytesForWrite} counts it, and {@link #writeStepLength} tells a caller
 * with bounded transactions how much to write in each. Data blocks this mode frees wait for a
 * checkpoint before reuse, as metadata blocks do, because recovery may replay their old
 * contents until the tail has passed the free.
 *
 * <h2>Zeros</h2>
 * Holes and UNWRITTEN extents read as zeros, and a block that was a hole (or unwritten) is
 * written whole: the bytes a write does not cover are zeros, never what the block held before
 * (another file's freed data). A partial write of a block already written reads it first. Bytes
 * of the last block past the end of the file are kept zero: {@link #truncate} zeroes them when
 * it shrinks a file into the middle of a block, so that a later extension reads zeros there.
 *
 * <p>All methods run inside the caller's transaction, which also holds the inode (and so the
 * right to change this file).
 */
public final class FileData {

    /** Blocks moved by one device call at most. */
    private static final int MAX_IO_BLOCKS = 256;
    /** Zeros to copy into the holes of a read. */
    private static final byte[] ZEROS = new byte[16 * 1024];

    private final BlockDevice device;
    private final ExtentTree tree;
    private final WriteAheadLog log;
    private final DataMode mode;
    private final int blockSize;

    /** File data on {@code device}, mapped by {@code tree}, in ordered mode against the metadata's {@code log}. */
    public FileData(BlockDevice device, ExtentTree tree, WriteAheadLog log) {
        this(device, tree, log, DataMode.ORDERED);
    }

    /** File data on {@code device}, mapped by {@code tree}, in {@code mode} against the metadata's {@code log}. */
    public FileData(BlockDevice device, ExtentTree tree, WriteAheadLog log, DataMode mode) {
        this.device = device;
        this.tree = mode == DataMode.JOURNAL ? tree.journalingData() : tree;
        this.log = log;
        this.mode = mode;
        this.blockSize = device.blockSize();
    }

    public DataMode mode() {
        return mode;
    }

    /**
     * Reads from byte {@code offset} into {@code dst}, up to its remaining bytes or the end of
     * the file; returns the bytes read (0 at or past the end).
     *
     * @throws FsException EINVAL for a negative offset, EIO when the extent tree is damaged
     */
    public int read(BlockReader txn, ExtentRoot root, long fileSize, long offset, ByteBuffer dst) {
        if (offset < 0) {
            throw new FsException(Errno.EINVAL, "negative offset " + offset);
        }
        if (offset >= fileSize || !dst.hasRemaining()) {
            return 0;
        }
        int n = (int) Math.min(dst.remaining(), fileSize - offset);
        int start = dst.position();
        long end = offset + n;
        // Bytes of dst filled so far (from offset): the extents come in logical order, and the
        // gaps between them (holes, UNWRITTEN extents) are zeroed as they are passed.
        long filled = offset;
        long first = offset / blockSize;
        long last = (end - 1) / blockSize;
        byte[] buffer = null;
        for (ExtentEntry e : tree.map(txn, root, first, last - first + 1)) {
            if ((e.flags() & ExtentEntry.UNWRITTEN) != 0) {
                continue;
            }
            long from = Math.max(first, e.logical());
            long to = Math.min(last + 1, e.logical() + e.length());
            for (long b = from; b < to; b += MAX_IO_BLOCKS) {
                int blocks = (int) Math.min(MAX_IO_BLOCKS, to - b);
                long physical = e.physical() + (b - e.logical());
                long bytesFrom = Math.max(offset, b * blockSize);
                long bytesTo = Math.min(end, (b + blocks) * blockSize);
                int dstFrom = start + (int) (bytesFrom - offset);
                int dstTo = start + (int) (bytesTo - offset);
                zeroFill(dst, start + (int) (filled - offset), dstFrom);
                filled = bytesTo;
                if (bytesTo - bytesFrom == (long) blocks * blockSize && !(txn instanceof Transaction)) {
                    // whole blocks, with no journaled data to lay over them: straight into dst
                    device.read(physical, dst.duplicate().clear().limit(dstTo).position(dstFrom));
                    continue;
                }
                if (buffer == null || buffer.length < blocks * blockSize) {
                    buffer = new byte[blocks * blockSize];
                }
                device.read(physical, ByteBuffer.wrap(buffer, 0, blocks * blockSize));
                if (txn instanceof Transaction own) {
                    for (int i = 0; i < blocks; i++) {
                        overlayJournaled(own, physical + i, buffer, i * blockSize);
                    }
                }
                dst.put(dstFrom, buffer, (int) (bytesFrom - b * blockSize), dstTo - dstFrom);
            }
        }
        zeroFill(dst, start + (int) (filled - offset), start + n);
        dst.position(start + n);
        return n;
    }

    /**
     * Zeroes {@code dst} from index {@code from} to {@code to} with bulk copies: a loop of
     * single-byte puts over a whole read made cold reads CPU-bound until C2 compiled it.
     */
    private static void zeroFill(ByteBuffer dst, int from, int to) {
        for (int at = from; at < to; at += ZEROS.length) {
            dst.put(at, ZEROS, 0, Math.min(ZEROS.length, to - at));
        }
    }

    /**
     * {@link #write(Transaction, Reservation, ExtentRoot, long, ByteBuffer, long, long)} for a
     * caller that does not say the file's size: every byte counts as extending it, so all of
     * the data is ordered before the COMMIT.
     */
    public ExtentRoot write(Transaction txn, Reservation reservation, ExtentRoot root, long offset, ByteBuffer src,
            long goal) {
        return write(txn, reservation, root, offset, src, goal, 0);
    }

    /**
     * Writes {@code src}'s remaining bytes at byte {@code offset}, allocating the blocks that are
     * missing out of {@code reservation} (near {@code goal} when nothing precedes them): in
     * ordered mode to the device, announced to the log so that they reach the device before the
     * caller's COMMIT — unless they overwrite blocks the file held, written, below its
     * {@code size} ("Ordered mode" above); in journal mode into the log, to go home at commit. The
     * caller updates the inode's size and writes the returned root back. Budgets:
     * {@link #blocksForWrite}, {@link #logBytesForWrite}, {@link #writeStepLength}.
     *
     * @param size the file's size before the write: bytes past it extend the file, and a COMMIT
     *     that moves the size over them must not be durable before them
     * @throws FsException EINVAL for a negative offset, EFBIG past the largest byte offset
     */
    public ExtentRoot write(Transaction txn, Reservation reservation, ExtentRoot root, long offset, ByteBuffer src,
            long goal, long size) {
        int n = src.remaining();
        if (n == 0) {
            return root;
        }
        long end = endOf(offset, n);
        long first = offset / blockSize;
        long last = (end - 1) / blockSize;
        long count = last - first + 1;
        List<ExtentEntry> before = tree.map(txn, root, first, count);
        ExtentRoot after = tree.allocate(txn, reservation, root, first, count, goal);
        int srcStart = src.position();
        long written = 0;
        for (ExtentEntry e : tree.map(txn, after, first, count)) {
            long from = Math.max(first, e.logical());
            long to = Math.min(last + 1, e.logical() + e.length());
            for (long b = from; b < to; b += MAX_IO_BLOCKS) {
                int blocks = (int) Math.min(MAX_IO_BLOCKS, to - b);
                ByteBuffer[] buffers = new ByteBuffer[blocks];
                for (int i = 0; i < blocks; i++) {
                    buffers[i] = blockToWrite(txn, b + i, e.physical() + (b + i - e.logical()), before, src, srcStart,
                            offset, end);
                }
                boolean overwrite = Math.min(end, (b + blocks) * blockSize) <= size && allWritten(before, b, b + blocks);
                store(txn, e.physical() + (b - e.logical()), buffers, overwrite);
                written += blocks;
            }
        }
        if (written != count) {
            throw new IllegalStateException("the extent tree maps " + written + " of the " + count
                    + " blocks it was asked to allocate");
        }
        src.position(srcStart + n);
        return after;
    }

    /**
     * Whether a write of {@code length} bytes at {@code offset} may be an {@linkplain
     * #overwriteInPlace overwrite in place}, as far as it can tell without the file: ordered mode
     * and whole blocks. Lets a caller skip the transaction the rest of the test needs.
     */
    public boolean mayOverwriteInPlace(long offset, int length) {
        return mode == DataMode.ORDERED && length > 0 && offset >= 0 && offset % blockSize == 0
                && length % blockSize == 0;
    }

    /**
     * Writes {@code src}'s remaining bytes at {@code offset} when they change no metadata: ordered
     * mode, whole blocks, and every one of them a block the file holds, written, below its
     * {@code size}. Such a write needs no transaction of its own: {@code txn} only holds the
     * inode and the extent blocks shared while the data goes to the device, so that no truncate
     * frees the blocks under it (concurrent overwrites of the same blocks end as one of them;
     * partial blocks are left to {@link #write}, whose exclusive lock orders their read of the
     * block before their write). Announced as an overwrite ({@link WriteAheadLog#dataOverwritten}):
     * the next flush makes it durable.
     *
     * @return whether it wrote; if not, nothing was written and {@code src} is as it was
     */
    public boolean overwriteInPlace(BlockReader txn, ExtentRoot root, long offset, ByteBuffer src, long size) {
        int n = src.remaining();
        if (!mayOverwriteInPlace(offset, n) || offset > size - n) {
            return false;
        }
        long first = offset / blockSize;
        long count = n / blockSize;
        List<ExtentEntry> extents = tree.map(txn, root, first, count);
        if (!allWritten(extents, first, first + count)) {
            return false;
        }
        int srcStart = src.position();
        for (ExtentEntry e : extents) {
            long from = Math.max(first, e.logical());
            long to = Math.min(first + count, e.logical() + e.length());
            for (long b = from; b < to; b += MAX_IO_BLOCKS) {
                int blocks = (int) Math.min(MAX_IO_BLOCKS, to - b);
                ByteBuffer[] buffers = new ByteBuffer[blocks];
                for (int i = 0; i < blocks; i++) {
                    buffers[i] = wholeBlock(src, srcStart + (int) ((b + i - first) * blockSize));
                }
                device.write(e.physical() + (b - e.logical()), buffers);
            }
        }
        log.dataOverwritten();
        src.position(srcStart + n);
        return true;
    }

    /**
     * Puts whole blocks from {@code physical} on: to the device, announced to the log (ordered),
     * or into the log as records of {@code txn} (journal). {@code overwrite} says that every one
     * of them was the file's and written before: no COMMIT has to wait for them.
     */
    private void store(Transaction txn, long physical, ByteBuffer[] blocks, boolean overwrite) {
        if (mode == DataMode.ORDERED) {
            device.write(physical, blocks);
            // After the write returned: the log's next batch waits for it, or its next flush covers it.
            if (overwrite) {
                log.dataOverwritten();
            } else {
                log.dataWritten();
            }
            return;
        }
        for (int i = 0; i < blocks.length; i++) {
            byte[] contents = new byte[blockSize];
            blocks[i].duplicate().get(contents);
            txn.logData(physical + i, contents);
        }
    }

    /** Block {@code physical} as {@code txn} sees it: its own journaled contents if it has some, else the device's. */
    private void readBlock(Transaction txn, long physical, byte[] into) {
        device.read(physical, ByteBuffer.wrap(into));
        overlayJournaled(txn, physical, into, 0);
    }

    /** Puts {@code txn}'s journaled contents of block {@code physical}, if any, at {@code at} in {@code buffer}. */
    private void overlayJournaled(Transaction txn, long physical, byte[] buffer, int at) {
        if (mode == DataMode.JOURNAL) {
            byte[] own = txn.journaledData(physical);
            if (own != null) {
                System.arraycopy(own, 0, buffer, at, blockSize);
            }
        }
    }

    /** The block's worth of {@code src} from index {@code at}, without copying. */
    private ByteBuffer wholeBlock(ByteBuffer src, int at) {
        return src.duplicate().limit(at + blockSize).position(at).slice();
    }

    /** Logical block {@code b}'s new contents: straight from {@code src} when it covers the block, else merged. */
    private ByteBuffer blockToWrite(Transaction txn, long b, long physical, List<ExtentEntry> before, ByteBuffer src,
            int srcStart, long offset, long end) {
        long blockStart = b * blockSize;
        int from = (int) Math.max(0, offset - blockStart);
        int to = (int) Math.min(blockSize, end - blockStart);
        int at = srcStart + (int) (blockStart + from - offset);
        if (from == 0 && to == blockSize) {
            return wholeBlock(src, at);
        }
        byte[] block = new byte[blockSize];
        if (isWritten(before, b)) {
            readBlock(txn, physical, block);
        }
        src.get(at, block, from, to - from);
        return ByteBuffer.wrap(block);
    }

    /**
     * Shrinks or grows the file from {@code oldSize} to {@code newSize} bytes: frees the blocks
     * wholly past the new end and, when the new end falls inside a written block, zeroes the rest
     * of that block (in place, or through the log in journal mode, as {@link #write}). Never
     * needs new blocks. Log bytes: {@link #logBytesForTruncate}, and {@link #truncateStepTarget}
     * for a large file.
     */
    public ExtentRoot truncate(Transaction txn, ExtentRoot root, long oldSize, long newSize) {
        if (newSize < 0 || oldSize < 0) {
            throw new FsException(Errno.EINVAL, "negative size " + Math.min(newSize, oldSize));
        }
        if (newSize >= oldSize) {
            return root;
        }
        ExtentRoot after = tree.truncate(txn, root, ceilDiv(newSize, blockSize));
        long blockEnd = (newSize / blockSize + 1) * blockSize;
        if (newSize % blockSize != 0) {
            zero(txn, after, newSize, Math.min(oldSize, blockEnd));
        }
        return after;
    }

    /**
     * Makes bytes {@code offset .. offset + length - 1} a hole: whole blocks are freed, the
     * partial blocks at the ends are zeroed (in place, or through the log in journal mode, as
     * {@link #write}). Blocks: the tree reserves its own ({@link ExtentTree#punchHole}); log
     * bytes: {@link #logBytesForPunch}, and {@link #punchStepEnd} for a long hole.
     */
    public ExtentRoot punchHole(Transaction txn, ExtentRoot root, long offset, long length) {
        if (length <= 0) {
            return root;
        }
        long end = endOf(offset, length);
        long firstWhole = ceilDiv(offset, blockSize);
        long endWhole = end / blockSize;
        ExtentRoot after = firstWhole < endWhole ? tree.punchHole(txn, root, firstWhole, endWhole - firstWhole) : root;
        if (firstWhole > endWhole) { // inside one block
            zero(txn, after, offset, end);
        } else {
            if (offset % blockSize != 0) {
                zero(txn, after, offset, firstWhole * blockSize);
            }
            if (end % blockSize != 0) {
                zero(txn, after, endWhole * blockSize, end);
            }
        }
        return after;
    }

    /** Zeroes bytes {@code from .. to - 1} of one block if it is written. */
    private void zero(Transaction txn, ExtentRoot root, long from, long to) {
        long b = from / blockSize;
        List<ExtentEntry> mapped = tree.map(txn, root, b, 1);
        if (from >= to || !isWritten(mapped, b)) {
            return;
        }
        ExtentEntry e = mapped.get(0);
        long physical = e.physical() + (b - e.logical());
        byte[] block = new byte[blockSize];
        readBlock(txn, physical, block);
        Arrays.fill(block, (int) (from - b * blockSize), (int) (to - b * blockSize), (byte) 0);
        // Ordered even though the block is written: zeros past a new end must be durable before the
        // COMMIT that moves the end, or a later extension could read the old bytes back.
        store(txn, physical, new ByteBuffer[] {ByteBuffer.wrap(block)}, false);
    }

    // ---- budgets ----

    /**
     * fallocate without PUNCH_HOLE: gives every hole among the blocks of bytes {@code offset ..
     * offset + length - 1} a block, as an UNWRITTEN extent that reads as zeros; writes no data.
     * Budgets: those of a {@link #write} of the same range.
     *
     * @throws FsException EINVAL for a negative offset, EFBIG past the largest byte offset
     */
    public ExtentRoot preallocate(Transaction txn, Reservation reservation, ExtentRoot root, long offset, long length,
            long goal) {
        if (length <= 0) {
            return root;
        }
        long end = endOf(offset, length);
        long first = offset / blockSize;
        return tree.preallocate(txn, reservation, root, first, (end - 1) / blockSize - first + 1, goal);
    }

    /** Blocks a {@link #write} of {@code length} bytes at {@code offset} may allocate, worst case. */
    public long blocksForWrite(ExtentRoot root, long offset, long length) {
        return tree.blocksForAllocate(root, blocksSpanned(offset, length));
    }

    /**
     * Log bytes a {@link #write} of {@code length} bytes at {@code offset} may append, worst
     * case: the data's too in journal mode.
     */
    public long logBytesForWrite(ExtentRoot root, long offset, long length) {
        return writeCost(root, blocksSpanned(offset, length));
    }

    /**
     * How many of the {@code length} bytes at {@code offset} one {@link #write} can take in a
     * transaction of {@code maxLogBytes}: all of them when they fit, else as many whole blocks
     * from {@code offset} as fit (so the next step starts on a block boundary). A caller whose
     * transactions are bounded writes a large buffer in such steps, each its own transaction; in
     * journal mode, where the log holds the data, every large write needs this.
     *
     * @throws IllegalArgumentException if {@code maxLogBytes} is too small to write one block
     */
    public long writeStepLength(ExtentRoot root, long offset, long length, long maxLogBytes) {
        long spanned = blocksSpanned(offset, length);
        if (writeCost(root, spanned) <= maxLogBytes) {
            return Math.max(0, length);
        }
        if (writeCost(root, 1) > maxLogBytes) {
            throw new IllegalArgumentException(maxLogBytes + " log bytes are too few to write one block");
        }
        long low = 1; // cost(low) <= max < cost(high)
        long high = spanned;
        while (high - low > 1) {
            long mid = low + (high - low) / 2;
            if (writeCost(root, mid) <= maxLogBytes) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return low * blockSize - offset % blockSize;
    }

    private long writeCost(ExtentRoot root, long blocks) {
        return tree.logBytesForAllocate(root, blocks) + journaledBytes(blocks);
    }

    /**
     * Log bytes a {@link #truncate} to {@code newSize} may append, worst case, for the tree as it
     * is now (read it under the inode's lock, e.g. in a read-only transaction first).
     */
    public long logBytesForTruncate(BlockReader txn, ExtentRoot root, long newSize) {
        return tree.logBytesForTruncate(txn, root, ceilDiv(newSize, blockSize)) + zeroingBytes(newSize);
    }

    /**
     * The size one {@link #truncate} towards {@code newSize} can go down to in a transaction of
     * {@code maxLogBytes}: a large file is truncated in steps from its end, each its own
     * transaction ({@link ExtentTree#truncateStep}).
     */
    public long truncateStepTarget(BlockReader txn, ExtentRoot root, long newSize, long maxLogBytes) {
        long blocks = tree.truncateStep(txn, root, ceilDiv(newSize, blockSize), maxLogBytes - zeroingBytes(newSize));
        return blocks <= ceilDiv(newSize, blockSize) ? newSize : blocks * blockSize;
    }

    /** Log bytes a {@link #punchHole} of {@code length} bytes at {@code offset} may append, worst case, for the tree as it is now. */
    public long logBytesForPunch(BlockReader txn, ExtentRoot root, long offset, long length) {
        long firstWhole = ceilDiv(offset, blockSize);
        long endWhole = endOf(offset, length) / blockSize;
        long whole = firstWhole < endWhole ? tree.logBytesForPunch(txn, root, firstWhole, endWhole - firstWhole) : 0;
        return whole + journaledBytes(partialBlocks(offset, length));
    }

    /**
     * Where one {@link #punchHole} from {@code offset} towards {@code offset + length} can end in a
     * transaction of {@code maxLogBytes}: a long hole is punched in steps, each its own
     * transaction ({@link ExtentTree#punchStep}).
     */
    public long punchStepEnd(BlockReader txn, ExtentRoot root, long offset, long length, long maxLogBytes) {
        long end = endOf(offset, length);
        long firstWhole = ceilDiv(offset, blockSize);
        long endWhole = end / blockSize;
        if (firstWhole >= endWhole) {
            return end;
        }
        long zeroing = journaledBytes(partialBlocks(offset, length));
        long stepEnd = tree.punchStep(txn, root, firstWhole, endWhole, maxLogBytes - zeroing);
        return stepEnd == endWhole ? end : stepEnd * blockSize;
    }

    /** Log bytes of journaling {@code blocks} whole data blocks: none in ordered mode. */
    private long journaledBytes(long blocks) {
        return mode == DataMode.JOURNAL ? blocks * LogRecordCodec.dataBlockSize(blockSize) : 0;
    }

    /** Log bytes of zeroing the rest of the block a truncate to {@code newSize} ends in. */
    private long zeroingBytes(long newSize) {
        return journaledBytes(newSize % blockSize == 0 ? 0 : 1);
    }

    /** Blocks a punch of {@code length} bytes at {@code offset} zeroes in part: 0, 1 or 2. */
    private long partialBlocks(long offset, long length) {
        long end = endOf(offset, length);
        if (ceilDiv(offset, blockSize) > end / blockSize) {
            return 1; // inside one block
        }
        return (offset % blockSize != 0 ? 1 : 0) + (end % blockSize != 0 ? 1 : 0);
    }

    private long blocksSpanned(long offset, long length) {
        if (length <= 0) {
            return 0;
        }
        long end = endOf(offset, length);
        return (end - 1) / blockSize - offset / blockSize + 1;
    }

    private static long endOf(long offset, long length) {
        if (offset < 0) {
            throw new FsException(Errno.EINVAL, "negative offset " + offset);
        }
        if (offset > Long.MAX_VALUE - length) {
            throw new FsException(Errno.EFBIG, "bytes " + offset + " + " + length + " lie past the largest file offset");
        }
        return offset + length;
    }

    private static boolean isWritten(List<ExtentEntry> extents, long logical) {
        for (ExtentEntry e : extents) {
            if (e.logical() <= logical && logical < e.logical() + e.length()) {
                return (e.flags() & ExtentEntry.UNWRITTEN) == 0;
            }
        }
        return false;
    }

    /** Whether {@code extents} map every block of {@code from .. to - 1} as written. */
    private static boolean allWritten(List<ExtentEntry> extents, long from, long to) {
        long covered = 0;
        for (ExtentEntry e : extents) {
            if ((e.flags() & ExtentEntry.UNWRITTEN) == 0) {
                covered += Math.max(0, Math.min(to, e.logical() + e.length()) - Math.max(from, e.logical()));
            }
        }
        return covered == to - from;
    }

    private static long ceilDiv(long a, long b) {
        return a / b + (a % b == 0 ? 0 : 1);
    }
}
