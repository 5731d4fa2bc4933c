package org.quillfs.fs;

import java.nio.ByteBuffer;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import org.quillfs.alloc.Reservation;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.ExtentRoot;
import org.quillfs.format.Inode;
import org.quillfs.format.Limits;
import org.quillfs.format.Timestamp;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.txn.Transaction;

/**
 * The operations on a file's bytes: read, write, truncate (through setattr) and fallocate.
 *
 * <p>A write is one transaction per {@value #WRITE_CHUNK} bytes: its data goes to the device in
 * ordered mode inside {@link org.quillfs.file.FileData#write}, then the transaction maps it and
 * sets size, mtime and ctime. A larger write is several transactions, each complete in itself:
 * a crash keeps a prefix of it, as with any file system that does not promise atomic writes.
 * Shrinking a large file, or punching a long hole, is likewise done in steps, each one
 * transaction whose size and extents agree.
 */
final class FileIo {

    static final int WRITE_CHUNK = 1 << 20;
    private static final long INODE_LOG_BYTES = LogRecordCodec.updateSize(Limits.INODE_SIZE);

    private final Layers layers;
    private final long maxStepLogBytes;

    /** Log bytes of one inode write, worst case. */
    static long inodeLogBytes() {
        return INODE_LOG_BYTES;
    }

    FileIo(Layers layers, long maxStepLogBytes) {
        this.layers = layers;
        this.maxStepLogBytes = maxStepLogBytes;
    }

    /** What a read did: the bytes read, and whether the inode's access time should now change. */
    record Read(int bytes, boolean touchAtime) {
    }

    /** Reads into {@code dst}; asks {@code needsAtime} of the inode it read, in the same transaction. */
    Read read(long number, long offset, ByteBuffer dst, Predicate<Inode> needsAtime) {
        if (offset < 0) {
            throw new FsException(Errno.EINVAL, "negative offset " + offset);
        }
        return layers.transactions.read(txn -> {
            Inode inode = regularFile(layers.inode(txn, number), number);
            int start = dst.position();
            try {
                int n = layers.data.read(txn, ExtentRoot.decode(inode.data()), inode.size(), offset, dst);
                return new Read(n, needsAtime.test(inode));
            } catch (RuntimeException e) {
                dst.position(start); // a deadlock replays the read from the start
                throw e;
            }
        });
    }

    /**
     * Writes {@code src} at {@code offset}, or at the end of the file when {@code append}; returns
     * the bytes written. {@code clearSetId}: the writer lacks CAP_FSETID, so the file loses its
     * set-ID bits ({@link Inode#withSetIdCleared}) in the same transaction.
     */
    int write(long number, long offset, ByteBuffer src, boolean append, boolean clearSetId) {
        layers.checkWritable();
        if (offset < 0) {
            throw new FsException(Errno.EINVAL, "negative offset " + offset);
        }
        int length = src.remaining();
        if (!append && layers.data.mayOverwriteInPlace(offset, length)
                && overwriteInPlace(number, offset, src, clearSetId)) {
            return length;
        }
        int total = 0;
        long at = offset;
        int chunkLimit = WRITE_CHUNK;
        while (src.hasRemaining()) {
            int wanted = Math.min(src.remaining(), chunkLimit);
            int[] n = new int[1]; // decided by the plan, which runs again before every retry
            long chunkAt = at;
            long end;
            try {
                end = layers.transactions.write(txn -> {
                    Inode inode = layers.inode(txn, number);
                    ExtentRoot root = ExtentRoot.decode(inode.data());
                    long where = append ? inode.size() : chunkAt;
                    n[0] = stepLength(root, where, wanted);
                    return INODE_LOG_BYTES + layers.data.logBytesForWrite(root, where, n[0]);
                }, txn -> writeChunk(txn, number, chunkAt, src.slice(src.position(), n[0]), append, clearSetId))
                        .result();
            } catch (FsException e) {
                if (e.errno() != Errno.ENOSPC) {
                    throw e;
                }
                if (n[0] > layers.geometry.blockSize()) {
                    chunkLimit = n[0] / 2; // what fits may be less than asked: write(2) then writes less
                    continue;
                }
                if (total > 0) {
                    return total; // a short write, as write(2) gives when the disk fills
                }
                throw e;
            }
            src.position(src.position() + n[0]);
            total += n[0];
            at = end;
        }
        return total;
    }

    /**
     * The write that needs no transaction: whole blocks over blocks the file holds, written,
     * below its size ({@link org.quillfs.file.FileData#overwriteInPlace}), when its mtime and
     * ctime already are {@linkplain Layers#now now}, so that the write would change no metadata.
     * The kernel skips the inode update in the same case (its coarse clock has not ticked since
     * the last write), and it is the common case of a database's or a disk image's page writes:
     * one write per tick changes the times, the others only write data. A write that must clear
     * set-ID bits the file has changes its mode, so it is not one of these. Returns whether it
     * wrote.
     */
    private boolean overwriteInPlace(long number, long offset, ByteBuffer src, boolean clearSetId) {
        return layers.transactions.read(txn -> {
            Inode inode = regularFile(layers.inode(txn, number), number);
            Timestamp now = layers.now();
            return inode.mtime().equals(now) && inode.ctime().equals(now)
                    && !(clearSetId && inode.hasSetIdToClear())
                    && layers.data.overwriteInPlace(txn, ExtentRoot.decode(inode.data()), offset, src, inode.size());
        });
    }

    /**
     * The first {@code wanted} bytes at {@code where}, or fewer: as many as one transaction may
     * log for (a small journal allows less than {@value #WRITE_CHUNK}), at least up to the end of
     * the first block.
     */
    private int stepLength(ExtentRoot root, long where, int wanted) {
        int firstBlock = (int) Math.min(wanted, layers.geometry.blockSize() - where % layers.geometry.blockSize());
        long budget = maxStepLogBytes - INODE_LOG_BYTES;
        if (layers.data.logBytesForWrite(root, where, firstBlock) > budget) {
            return firstBlock;
        }
        return (int) layers.data.writeStepLength(root, where, wanted, budget);
    }

    /** One transaction's share of a write; returns where it ended. */
    private long writeChunk(Transaction txn, long number, long offset, ByteBuffer chunk, boolean append,
            boolean clearSetId) {
        Inode inode = regularFile(layers.inodeForUpdate(txn, number), number);
        long where = append ? inode.size() : offset;
        int n = chunk.remaining();
        ExtentRoot root = ExtentRoot.decode(inode.data());
        Reservation reservation = layers.allocator.reserve(txn, layers.data.blocksForWrite(root, where, n), 0);
        long mark = layers.allocator.netBlocksAllocated(txn);
        root = layers.data.write(txn, reservation, root, where, chunk, layers.geometry.inodeBlock(number), inode.size());
        Timestamp now = layers.now();
        long end = where + n;
        Inode written = inode.withData(root.encode(), inode.flags())
                .withSize(Math.max(inode.size(), end))
                .withBlocks(inode.blocks() + layers.allocator.netBlocksAllocated(txn) - mark)
                .withTimes(inode.atime(), now, now);
        layers.inodes.write(txn, number, clearSetId ? written.withSetIdCleared() : written);
        return end;
    }

    /**
     * Sets the size of regular file {@code number}: frees what lies past a smaller size, in steps if
     * need be. {@code last} makes the caller's other changes to the inode (setattr's mode, owner,
     * times) in the last step's transaction, so that they and the new size are one.
     */
    void truncate(long number, long size, BiFunction<Inode, Timestamp, Inode> last) {
        if (size < 0) {
            throw new FsException(Errno.EINVAL, "negative size " + size);
        }
        boolean done = false;
        while (!done) {
            done = layers.transactions.write(txn -> {
                Inode inode = layers.inode(txn, number);
                if ((inode.mode() & Inode.S_IFMT) != Inode.S_IFREG) {
                    return INODE_LOG_BYTES; // the step refuses it
                }
                return INODE_LOG_BYTES + Math.min(maxStepLogBytes,
                        layers.data.logBytesForTruncate(txn, ExtentRoot.decode(inode.data()), size));
            }, txn -> truncateStep(txn, number, size, last)).result();
        }
    }

    private boolean truncateStep(Transaction txn, long number, long size, BiFunction<Inode, Timestamp, Inode> last) {
        Inode inode = regularFile(layers.inodeForUpdate(txn, number), number);
        ExtentRoot root = ExtentRoot.decode(inode.data());
        Timestamp now = layers.now();
        if (size > inode.size()) {
            layers.inodes.write(txn, number, last.apply(inode.withSize(size).withTimes(inode.atime(), now, now), now));
            return true;
        }
        // To the same size too: that frees blocks preallocated past the end, as ext4's truncate
        // does, but changes no time (truncate(2) to the same size changes nothing visible).
        long target = layers.data.truncateStepTarget(txn, root, size, maxStepLogBytes);
        long mark = layers.allocator.netBlocksAllocated(txn);
        ExtentRoot after = layers.data.truncate(txn, root, InodeReclaimer.BEYOND_EVERY_EXTENT, target);
        Inode truncated = inode.withData(after.encode(), inode.flags())
                .withBlocks(inode.blocks() + layers.allocator.netBlocksAllocated(txn) - mark)
                .withSize(Math.min(inode.size(), target));
        if (size < inode.size()) {
            truncated = truncated.withTimes(inode.atime(), now, now);
        }
        if (target == size) {
            truncated = last.apply(truncated, now);
        }
        layers.inodes.write(txn, number, truncated);
        return target == size;
    }

    /**
     * fallocate mode 0 or FALLOC_FL_KEEP_SIZE: every block of the range gets space (holes become
     * UNWRITTEN extents, reading as zeros); mode 0 also grows the size to the range's end, with
     * mtime and ctime, as ext4. One transaction per chunk, as writes; on ENOSPC what was
     * allocated before stays, as on ext4.
     */
    void preallocate(long number, long offset, long length, boolean keepSize) {
        long end = offset + length;
        long at = offset;
        while (at < end) {
            int wanted = (int) Math.min(end - at, WRITE_CHUNK);
            int[] step = new int[1]; // decided by the plan, which runs again before every retry
            long from = at;
            layers.transactions.write(txn -> {
                ExtentRoot root = ExtentRoot.decode(layers.inode(txn, number).data());
                step[0] = stepLength(root, from, wanted);
                return INODE_LOG_BYTES + layers.data.logBytesForWrite(root, from, step[0]);
            }, txn -> {
                int n = step[0];
                Inode inode = regularFile(layers.inodeForUpdate(txn, number), number);
                ExtentRoot root = ExtentRoot.decode(inode.data());
                Reservation reservation = layers.allocator.reserve(txn, layers.data.blocksForWrite(root, from, n), 0);
                long mark = layers.allocator.netBlocksAllocated(txn);
                root = layers.data.preallocate(txn, reservation, root, from, n, layers.geometry.inodeBlock(number));
                Inode after = inode.withData(root.encode(), inode.flags())
                        .withBlocks(inode.blocks() + layers.allocator.netBlocksAllocated(txn) - mark);
                if (!keepSize && from + n > inode.size()) {
                    Timestamp now = layers.now();
                    after = after.withSize(from + n).withTimes(inode.atime(), now, now);
                }
                layers.inodes.write(txn, number, after);
                return null;
            });
            at += step[0];
        }
    }

    /** fallocate with FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE: the range reads as zeros and owns no blocks. */
    void punchHole(long number, long offset, long length) {
        long end = offset + length;
        long at = offset;
        while (at < end) {
            long from = at;
            at = layers.transactions.write(txn -> INODE_LOG_BYTES + Math.min(maxStepLogBytes,
                    layers.data.logBytesForPunch(txn, ExtentRoot.decode(layers.inode(txn, number).data()), from,
                            end - from)), txn -> {
                Inode inode = regularFile(layers.inodeForUpdate(txn, number), number);
                ExtentRoot root = ExtentRoot.decode(inode.data());
                long stepEnd = layers.data.punchStepEnd(txn, root, from, end - from, maxStepLogBytes);
                long mark = layers.allocator.netBlocksAllocated(txn);
                ExtentRoot after = layers.data.punchHole(txn, root, from, stepEnd - from);
                Timestamp now = layers.now();
                layers.inodes.write(txn, number, inode.withData(after.encode(), inode.flags())
                        .withBlocks(inode.blocks() + layers.allocator.netBlocksAllocated(txn) - mark)
                        .withTimes(inode.atime(), now, now));
                return stepEnd;
            }).result();
        }
    }

    private static Inode regularFile(Inode inode, long number) {
        int type = inode.mode() & Inode.S_IFMT;
        if (type == Inode.S_IFDIR) {
            throw new FsException(Errno.EISDIR, "inode " + number + " is a directory");
        }
        if (type != Inode.S_IFREG) {
            throw new FsException(Errno.EINVAL, "inode " + number + " is not a regular file");
        }
        return inode;
    }
}
