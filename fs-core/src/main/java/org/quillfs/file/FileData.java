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
import org.quillfs.txn.BlockReader;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.BlockDevice;

/**
 * A file's bytes on the device, found through its {@link ExtentTree}.
 *
 * <h2>Ordered mode</h2>
 * Data blocks are not journaled: they go straight to the {@link BlockDevice}. What the journal
 * orders is the metadata that points at them (DESIGN.md, layer 7): new data must be on the
 * device before the transaction that maps it commits, or a crash could leave a file whose
 * extents hold another file's old bytes. {@link #write} therefore writes its data blocks and
 * then flushes the device <em>before it returns</em>, so anything the caller commits afterwards
 * points at durable data. Doing it inside {@code write} rather than in a separate method the
 * caller must remember to call before commit means no caller can forget it, and a write is one
 * operation, one transaction in the facade; the price is one device flush per write call, even
 * when the transaction then aborts. The same holds for the zeroing done by {@link #truncate} and
 * {@link #punchHole}.
 *
 * <p>One more order matters: a block freed by a transaction that has committed but whose COMMIT
 * is not yet durable may be allocated again at once. Were new data written into it before that
 * COMMIT reached the log, a crash would give the block back to its old file, holding the new
 * file's bytes. So a write that fills holes first makes the log durable up to everything
 * appended (group commit: usually one log flush, nothing when it already is), then writes the
 * data (jbd2 keeps such blocks from being reused until the commit is durable instead).
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

    private final BlockDevice device;
    private final ExtentTree tree;
    private final WriteAheadLog log;
    private final int blockSize;

    /** File data on {@code device}, mapped by {@code tree}, ordered against the metadata's {@code log}. */
    public FileData(BlockDevice device, ExtentTree tree, WriteAheadLog log) {
        this.device = device;
        this.tree = tree;
        this.log = log;
        this.blockSize = device.blockSize();
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
        for (int i = 0; i < n; i++) {
            dst.put(start + i, (byte) 0);
        }
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
                if (buffer == null || buffer.length < blocks * blockSize) {
                    buffer = new byte[blocks * blockSize];
                }
                device.read(e.physical() + (b - e.logical()), ByteBuffer.wrap(buffer, 0, blocks * blockSize));
                long bytesFrom = Math.max(offset, b * blockSize);
                long bytesTo = Math.min(end, (b + blocks) * blockSize);
                dst.put(start + (int) (bytesFrom - offset), buffer, (int) (bytesFrom - b * blockSize),
                        (int) (bytesTo - bytesFrom));
            }
        }
        dst.position(start + n);
        return n;
    }

    /**
     * Writes {@code src}'s remaining bytes at byte {@code offset}, allocating the blocks that are
     * missing out of {@code reservation} (near {@code goal} when nothing precedes them), then
     * flushes the device: the data is durable before the caller commits. The caller updates the
     * inode's size and writes the returned root back. Budgets: {@link #blocksForWrite},
     * {@link #logBytesForWrite}.
     *
     * @throws FsException EINVAL for a negative offset, EFBIG past the largest byte offset
     */
    public ExtentRoot write(Transaction txn, Reservation reservation, ExtentRoot root, long offset, ByteBuffer src,
            long goal) {
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
        if (!coversAll(before, first, count)) {
            log.force(log.appendedLsn()); // the frees of the blocks just allocated are durable
        }
        int srcStart = src.position();
        long written = 0;
        for (ExtentEntry e : tree.map(txn, after, first, count)) {
            long from = Math.max(first, e.logical());
            long to = Math.min(last + 1, e.logical() + e.length());
            for (long b = from; b < to; b += MAX_IO_BLOCKS) {
                int blocks = (int) Math.min(MAX_IO_BLOCKS, to - b);
                ByteBuffer[] buffers = new ByteBuffer[blocks];
                for (int i = 0; i < blocks; i++) {
                    buffers[i] = blockToWrite(b + i, e.physical() + (b + i - e.logical()), before, src, srcStart,
                            offset, end);
                }
                device.write(e.physical() + (b - e.logical()), buffers);
                written += blocks;
            }
        }
        if (written != count) {
            throw new IllegalStateException("the extent tree maps " + written + " of the " + count
                    + " blocks it was asked to allocate");
        }
        device.flush();
        src.position(srcStart + n);
        return after;
    }

    /** Logical block {@code b}'s new contents: straight from {@code src} when it covers the block, else merged. */
    private ByteBuffer blockToWrite(long b, long physical, List<ExtentEntry> before, ByteBuffer src, int srcStart,
            long offset, long end) {
        long blockStart = b * blockSize;
        int from = (int) Math.max(0, offset - blockStart);
        int to = (int) Math.min(blockSize, end - blockStart);
        int at = srcStart + (int) (blockStart + from - offset);
        if (from == 0 && to == blockSize) {
            return src.duplicate().limit(at + blockSize).position(at).slice();
        }
        byte[] block = new byte[blockSize];
        if (isWritten(before, b)) {
            device.read(physical, ByteBuffer.wrap(block));
        }
        src.get(at, block, from, to - from);
        return ByteBuffer.wrap(block);
    }

    /**
     * Shrinks or grows the file from {@code oldSize} to {@code newSize} bytes: frees the blocks
     * wholly past the new end and, when the new end falls inside a written block, zeroes the rest
     * of that block on the device (flushed before returning, as {@link #write}). Never needs new
     * blocks. Log bytes: {@link #logBytesForTruncate}, and {@link #truncateStepTarget} for a
     * large file.
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
        if (newSize % blockSize != 0 && zero(txn, after, newSize, Math.min(oldSize, blockEnd))) {
            device.flush();
        }
        return after;
    }

    /**
     * Makes bytes {@code offset .. offset + length - 1} a hole: whole blocks are freed, the
     * partial blocks at the ends are zeroed in place on the device (flushed before returning).
     * Blocks: the tree reserves its own ({@link ExtentTree#punchHole}); log bytes:
     * {@link #logBytesForPunch}, and {@link #punchStepEnd} for a long hole.
     */
    public ExtentRoot punchHole(Transaction txn, ExtentRoot root, long offset, long length) {
        if (length <= 0) {
            return root;
        }
        long end = endOf(offset, length);
        long firstWhole = ceilDiv(offset, blockSize);
        long endWhole = end / blockSize;
        ExtentRoot after = firstWhole < endWhole ? tree.punchHole(txn, root, firstWhole, endWhole - firstWhole) : root;
        boolean zeroed = false;
        if (firstWhole > endWhole) { // inside one block
            zeroed = zero(txn, after, offset, end);
        } else {
            if (offset % blockSize != 0) {
                zeroed = zero(txn, after, offset, firstWhole * blockSize);
            }
            if (end % blockSize != 0) {
                zeroed |= zero(txn, after, endWhole * blockSize, end);
            }
        }
        if (zeroed) {
            device.flush();
        }
        return after;
    }

    /** Zeroes bytes {@code from .. to - 1} of one block if it is written; returns whether it wrote. */
    private boolean zero(BlockReader txn, ExtentRoot root, long from, long to) {
        long b = from / blockSize;
        List<ExtentEntry> mapped = tree.map(txn, root, b, 1);
        if (from >= to || !isWritten(mapped, b)) {
            return false;
        }
        ExtentEntry e = mapped.get(0);
        long physical = e.physical() + (b - e.logical());
        byte[] block = new byte[blockSize];
        device.read(physical, ByteBuffer.wrap(block));
        Arrays.fill(block, (int) (from - b * blockSize), (int) (to - b * blockSize), (byte) 0);
        device.write(physical, ByteBuffer.wrap(block));
        return true;
    }

    // ---- budgets ----

    /** Blocks a {@link #write} of {@code length} bytes at {@code offset} may allocate, worst case. */
    public long blocksForWrite(ExtentRoot root, long offset, long length) {
        return tree.blocksForAllocate(root, blocksSpanned(offset, length));
    }

    /** Log bytes a {@link #write} of {@code length} bytes at {@code offset} may append, worst case. */
    public long logBytesForWrite(ExtentRoot root, long offset, long length) {
        return tree.logBytesForAllocate(root, blocksSpanned(offset, length));
    }

    /**
     * Log bytes a {@link #truncate} to {@code newSize} may append, worst case, for the tree as it
     * is now (read it under the inode's lock, e.g. in a read-only transaction first).
     */
    public long logBytesForTruncate(BlockReader txn, ExtentRoot root, long newSize) {
        return tree.logBytesForTruncate(txn, root, ceilDiv(newSize, blockSize));
    }

    /**
     * The size one {@link #truncate} towards {@code newSize} can go down to in a transaction of
     * {@code maxLogBytes}: a large file is truncated in steps from its end, each its own
     * transaction ({@link ExtentTree#truncateStep}).
     */
    public long truncateStepTarget(BlockReader txn, ExtentRoot root, long newSize, long maxLogBytes) {
        long blocks = tree.truncateStep(txn, root, ceilDiv(newSize, blockSize), maxLogBytes);
        return blocks <= ceilDiv(newSize, blockSize) ? newSize : blocks * blockSize;
    }

    /** Log bytes a {@link #punchHole} of {@code length} bytes at {@code offset} may append, worst case, for the tree as it is now. */
    public long logBytesForPunch(BlockReader txn, ExtentRoot root, long offset, long length) {
        long firstWhole = ceilDiv(offset, blockSize);
        long endWhole = endOf(offset, length) / blockSize;
        return firstWhole < endWhole ? tree.logBytesForPunch(txn, root, firstWhole, endWhole - firstWhole) : 0;
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
        long stepEnd = tree.punchStep(txn, root, firstWhole, endWhole, maxLogBytes);
        return stepEnd == endWhole ? end : stepEnd * blockSize;
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

    /** Whether {@code extents} hold every block of {@code first .. first + count - 1}. */
    private static boolean coversAll(List<ExtentEntry> extents, long first, long count) {
        long covered = 0;
        for (ExtentEntry e : extents) {
            covered += Math.min(first + count, e.logical() + e.length()) - Math.max(first, e.logical());
        }
        return covered == count;
    }

    private static boolean isWritten(List<ExtentEntry> extents, long logical) {
        for (ExtentEntry e : extents) {
            if (e.logical() <= logical && logical < e.logical() + e.length()) {
                return (e.flags() & ExtentEntry.UNWRITTEN) == 0;
            }
        }
        return false;
    }

    private static long ceilDiv(long a, long b) {
        return a / b + (a % b == 0 ? 0 : 1);
    }
}
