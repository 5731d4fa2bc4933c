package org.quillfs.xattr;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import org.quillfs.alloc.Allocator;
import org.quillfs.alloc.Reservation;
import org.quillfs.cache.CachedBlock;
import org.quillfs.format.Bitmap;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Geometry;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.format.TestFormats;
import org.quillfs.txn.MetadataStore;
import org.quillfs.txn.ReadOnlyTransaction;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.MemoryBlockDevice;

/**
 * A formatted memory filesystem with an {@link XattrStore}, each operation in a transaction of
 * its own budgeted exactly as the store says (so a budget that is too small fails the test).
 * No inodes are written: {@link #blocks} holds each inode's {@code xattr_block} as the inode
 * would.
 */
final class XattrFixture implements AutoCloseable {

    static final long INODE = Limits.FIRST_INODE + 1;
    static final long OTHER_INODE = Limits.FIRST_INODE + 2;

    final MemoryBlockDevice device;
    final Superblock superblock;
    final Geometry geometry;
    final int blockSize;
    final Map<Long, Long> blocks = new HashMap<>();
    MetadataStore store;
    Allocator allocator;
    XattrStore xattrs;

    /** A filesystem of {@code bytes} with blocks of {@code blockSize} and the default journal. */
    XattrFixture(int blockSize, long bytes) {
        this(blockSize, bytes, 0);
    }

    /** With a journal of {@code journalBlocks} (0: the default). */
    XattrFixture(int blockSize, long bytes, long journalBlocks) {
        this.blockSize = blockSize;
        device = new MemoryBlockDevice("fs", blockSize, bytes / blockSize);
        superblock = Formatter.format(device, new FormatOptions(blockSize, bytes / blockSize, journalBlocks, 0,
                Limits.DEFAULT_BYTES_PER_INODE, "test", TestFormats.UUID, 1000, 1000, TestFormats.TIME,
                new Random(42)));
        geometry = superblock.geometry();
        open();
    }

    void open() {
        store = MetadataStore.open(device, superblock, MetadataStore.Options.defaults());
        allocator = Allocator.open(superblock, store);
        xattrs = new XattrStore(geometry, superblock.uuid(), allocator);
    }

    void reopen() {
        store.close();
        open();
    }

    @Override
    public void close() {
        store.close();
    }

    long block(long inode) {
        return blocks.getOrDefault(inode, 0L);
    }

    void set(long inode, String name, byte[] value) {
        set(inode, name, value, 0);
    }

    void set(long inode, String name, byte[] value, int flags) {
        write(xattrs.logBytesPerSet(), txn -> {
            Reservation r = allocator.reserve(txn, XattrStore.BLOCKS_PER_SET, 0);
            return xattrs.set(txn, r, inode, block(inode), geometry.inodeBlock(inode), name, value, flags);
        }, inode);
    }

    void remove(long inode, String name) {
        write(xattrs.logBytesPerRemove(), txn -> xattrs.remove(txn, inode, block(inode), name), inode);
    }

    void freeAll(long inode) {
        write(xattrs.logBytesPerRemove(), txn -> {
            xattrs.freeAll(txn, inode, block(inode));
            return 0;
        }, inode);
    }

    /** Runs {@code change} in a transaction of {@code budget} and keeps the block it returns as the inode's. */
    private void write(long budget, ToLongFunction<Transaction> change, long inode) {
        Transaction txn = store.transactions().begin(budget);
        long block;
        try {
            block = change.applyAsLong(txn);
            txn.commit();
        } catch (RuntimeException e) {
            txn.abort();
            throw e;
        }
        blocks.put(inode, block);
    }

    /** Sets, then aborts the transaction; returns the block {@code set} returned before the abort. */
    long abortedSet(long inode, String name, byte[] value) {
        Transaction txn = store.transactions().begin(xattrs.logBytesPerSet());
        try {
            Reservation r = allocator.reserve(txn, XattrStore.BLOCKS_PER_SET, 0);
            return xattrs.set(txn, r, inode, block(inode), geometry.inodeBlock(inode), name, value, 0);
        } finally {
            txn.abort();
        }
    }

    /** Removes, then aborts the transaction; returns the block {@code remove} returned before the abort. */
    long abortedRemove(long inode, String name) {
        Transaction txn = store.transactions().begin(xattrs.logBytesPerRemove());
        try {
            return xattrs.remove(txn, inode, block(inode), name);
        } finally {
            txn.abort();
        }
    }

    Optional<byte[]> get(long inode, String name) {
        try (ReadOnlyTransaction txn = store.transactions().beginReadOnly()) {
            return xattrs.get(txn, inode, block(inode), name);
        }
    }

    List<String> list(long inode) {
        try (ReadOnlyTransaction txn = store.transactions().beginReadOnly()) {
            return xattrs.list(txn, inode, block(inode));
        }
    }

    /** Whether block {@code nr} is marked in use in its group's block bitmap. */
    boolean inUse(long nr) {
        int group = geometry.groupOfBlock(nr);
        try (ReadOnlyTransaction txn = store.transactions().beginReadOnly();
                CachedBlock bitmap = txn.read(geometry.blockBitmapBlock(group))) {
            return Bitmap.isSet(bitmap.contents(), (int) (nr - geometry.groupStart(group)));
        }
    }

    /** Free blocks once every freed metadata block has left quarantine. */
    long freeBlocksAfterCheckpoint() {
        store.checkpointer().checkpoint();
        store.checkpointer().checkpoint();
        return allocator.freeBlocks();
    }

    /** Closes the store, changes block {@code nr} on the device with {@code damage}, and opens again. */
    void damageOnDisk(long nr, Consumer<ByteBuffer> damage) {
        store.close();
        ByteBuffer block = ByteBuffer.allocate(blockSize);
        device.read(nr, block);
        damage.accept(block);
        device.write(nr, block.clear());
        open();
    }
}
