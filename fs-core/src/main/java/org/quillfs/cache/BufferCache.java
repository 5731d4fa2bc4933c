package org.quillfs.cache;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.quillfs.concurrent.LockOrder;
import org.quillfs.format.BlockHeader;
import org.quillfs.volume.BlockDevice;

/**
 * The cache of metadata blocks: pin/unpin, dirty tracking with recLSN, a bounded size, and
 * write-back that obeys the write-ahead rule (docs/JOURNAL.md, "Writing blocks home").
 *
 * <h2>Overview</h2>
 * {@link #pin} returns a block, reading it from the device on first use; {@link CachedBlock#close}
 * unpins it. Changes arrive through {@link CachedBlock#apply} (only logged ones). No-force:
 * commit writes nothing home. Steal: a dirty block may go home before its transaction commits,
 * because {@link #writeBack} first forces the log up to the block's page LSN, so its undo
 * image is durable. A block is marked clean only after its write and a device flush, and only
 * if nothing changed it meanwhile.
 *
 * <h2>Implementation notes</h2>
 * Every operation pins several blocks, so a pin of a cached block takes no lock: a concurrent
 * map lookup and an atomic raise of the block's pin count ({@link CachedBlock#tryPin}). The
 * cache's lock guards only what changes the set of cached blocks: a miss, which inserts the
 * block, and eviction. Eviction is CLOCK (second chance), which needs no reordering on a hit:
 * blocks wait in a ring in insertion order, each pin sets the block's reference bit, and the
 * sweep gives a referenced block another round, evicts an unpinned clean one by claiming it
 * (a pin count no pin can raise again, then out of the map), and collects unpinned dirty ones to
 * write home in a batch. A pin that finds its block claimed takes the lock, behind which the
 * claim has finished, and inserts the block anew. If every block is pinned the cache grows past
 * its bound rather than deadlock; pins are short (one operation). Device reads happen outside
 * the cache lock, under the block's own latch, so a slow read of one block does not stall the
 * others.
 *
 * <h2>Failure</h2>
 * A pin whose read (or whose eviction's write-back) fails unpins what it pinned and throws: the
 * block is read again by the next pin. A write-back that fails throws
 * {@link WriteBackFailedException}; the layers above then stop the filesystem and
 * {@link #stopWriting} the cache: from then on nothing goes home, dirty blocks stay in memory
 * (the cache grows past its bound rather than evict them) and reads of cached blocks still work.
 */
public final class BufferCache {

    /** Dirty blocks written home together when eviction needs room. */
    private static final int EVICTION_BATCH = 32;
    /** Dirty blocks a checkpoint writes home with one device flush. */
    private static final int CHECKPOINT_BATCH = EVICTION_BATCH * 8;

    private final BlockDevice device;
    private final UUID uuid;
    private final WriteAheadLog log;
    private final int capacityBlocks;
    private final ConcurrentHashMap<Long, CachedBlock> blocks = new ConcurrentHashMap<>();
    /** The CLOCK ring: every cached block once, and claimed ones until the sweep meets them; under the lock. */
    private final ArrayDeque<CachedBlock> clock = new ArrayDeque<>();
    /** Blocks in {@link #blocks}; under the lock. */
    private int cached;
    /** Blocks dirty now; changed under each block's latch, so not under the cache's lock. */
    private final AtomicInteger dirtyBlocks = new AtomicInteger();
    private final AtomicLong writes = new AtomicLong();
    /** {@link #writeBack}'s direct buffers for its copies, free for the next write-back. */
    private final Queue<ByteBuffer> copyBuffers = new ConcurrentLinkedQueue<>();
    private volatile boolean writingStopped;

    /**
     * @param capacityBytes the bound (default 64 MiB, {@link #DEFAULT_CAPACITY})
     */
    public BufferCache(BlockDevice device, UUID uuid, WriteAheadLog log, long capacityBytes) {
        this.device = device;
        this.uuid = uuid;
        this.log = log;
        this.capacityBlocks = (int) Math.max(16, Math.min(Integer.MAX_VALUE, capacityBytes / device.blockSize()));
    }

    public static final long DEFAULT_CAPACITY = 64L << 20;

    BlockDevice device() {
        return device;
    }

    WriteAheadLog log() {
        return log;
    }

    /** Returns block {@code blockNr}, pinned; close it to unpin. */
    public CachedBlock pin(long blockNr) {
        CachedBlock block = blocks.get(blockNr);
        if (block == null || !block.tryPin()) {
            block = pinMissing(blockNr);
        }
        try {
            block.load(this);
        } catch (RuntimeException | Error e) {
            abandon(block);
            throw e;
        }
        return block;
    }

    /** Unpins a block whose pin failed; drops it if it never loaded and no one else holds it. */
    private void abandon(CachedBlock block) {
        block.unpinOnce();
        synchronized (this) {
            if (!block.isLoaded() && block.tryClaimForEviction()) {
                remove(block);
            }
        }
    }

    /**
     * Writes nothing home from now on: the filesystem has stopped after an error, and what the
     * cache holds may include changes whose log records never became durable.
     */
    public void stopWriting() {
        writingStopped = true;
    }

    /** A miss, or a block claimed for eviction: inserts it, first making room. */
    private CachedBlock pinMissing(long blockNr) {
        CachedBlock block;
        List<CachedBlock> toWrite;
        LockOrder.taking(LockOrder.Level.CACHE);
        synchronized (this) {
            try {
                block = blocks.get(blockNr);
                if (block != null && block.tryPin()) {
                    return block;
                }
                toWrite = makeRoom();
                block = new CachedBlock(this, blockNr, device.blockSize());
                block.tryPin();
                blocks.put(blockNr, block);
                clock.addLast(block);
                cached++;
            } finally {
                LockOrder.released(LockOrder.Level.CACHE);
            }
        }
        if (!toWrite.isEmpty()) {
            try {
                writeBack(toWrite);
            } catch (RuntimeException | Error e) {
                abandon(block);
                throw e;
            } finally {
                evictClean(toWrite);
            }
        }
        return block;
    }

    /**
     * Whether half the cache or more is dirty: time to write blocks home (a checkpoint) before
     * pins have to evict dirty blocks themselves, one batch and one device flush at a time.
     */
    public boolean mostlyDirty() {
        return dirtyBlocks.get() >= capacityBlocks / 2;
    }

    void dirtied() {
        dirtyBlocks.incrementAndGet();
    }

    void cleaned() {
        dirtyBlocks.decrementAndGet();
    }

    void unpin(CachedBlock block) {
        block.unpinOnce();
    }

    void checkPinned(CachedBlock block) {
        if (block.pins() <= 0 || blocks.get(block.blockNr()) != block) {
            throw new IllegalStateException("block " + block.blockNr() + " changed while not pinned");
        }
    }

    /**
     * Called with the lock held: one sweep of the CLOCK ring (at most twice round, so that every
     * reference bit is seen cleared once) evicting clean unpinned blocks until there is room, and
     * returning dirty unpinned ones, pinned, to write home first when only those are left.
     */
    private List<CachedBlock> makeRoom() {
        List<CachedBlock> dirty = new ArrayList<>();
        for (int steps = 2 * clock.size(); cached >= capacityBlocks && steps > 0; steps--) {
            CachedBlock candidate = clock.pollFirst();
            if (candidate.evicted()) {
                continue; // claimed by evictClean, which removed it from the map
            }
            if (candidate.pins() == 0 && !candidate.referenced && candidate.tryClaimForEviction()) {
                remove(candidate);
                continue;
            }
            if (candidate.pins() == 0 && !candidate.referenced && dirty.size() < EVICTION_BATCH && !writingStopped
                    && candidate.tryPin()) { // dirty: keep it pinned while it goes home
                dirty.add(candidate);
            }
            candidate.referenced = false;
            clock.addLast(candidate);
        }
        return dirty;
    }

    private void remove(CachedBlock claimed) {
        blocks.remove(claimed.blockNr(), claimed);
        cached--;
    }

    private void evictClean(List<CachedBlock> written) {
        LockOrder.taking(LockOrder.Level.CACHE);
        synchronized (this) {
            try {
                for (CachedBlock block : written) {
                    block.unpinOnce();
                    if (cached > capacityBlocks && block.tryClaimForEviction()) {
                        remove(block); // its ring entry goes when the sweep meets it
                    }
                }
            } finally {
                LockOrder.released(LockOrder.Level.CACHE);
            }
        }
    }

    /**
     * Writes {@code dirty} home: forces the log up to their page LSNs (the write-ahead rule),
     * writes a sealed copy of each, flushes the device, and marks clean those that did not
     * change meanwhile. The copies go into a direct buffer in block order, so blocks that lie
     * next to each other on the device (an inode table's, say) go in one write, and the JDK
     * hands the buffer to the kernel without copying it again.
     *
     * @throws WriteBackFailedException if the device failed a write or the flush, or the cache
     *     has {@linkplain #stopWriting stopped writing}
     */
    public void writeBack(List<CachedBlock> dirty) {
        if (writingStopped) {
            throw new WriteBackFailedException("no metadata block goes home: the filesystem stopped after an error", null);
        }
        List<CachedBlock> inOrder = new ArrayList<>(dirty);
        inOrder.sort(Comparator.comparingLong(CachedBlock::blockNr));
        int blockSize = device.blockSize();
        ByteBuffer copies = takeCopyBuffer(inOrder.size() * blockSize);
        try {
            ByteBuffer[] copy = new ByteBuffer[inOrder.size()];
            long[] pageLsns = new long[copy.length];
            long maxLsn = 0;
            for (int i = 0; i < copy.length; i++) {
                copy[i] = copies.slice(i * blockSize, blockSize);
                pageLsns[i] = inOrder.get(i).copyForHome(copy[i]);
                maxLsn = Math.max(maxLsn, pageLsns[i]);
            }
            log.force(maxLsn);
            try {
                int runFirst = 0;
                for (int i = 0; i < copy.length; i++) {
                    BlockHeader.seal(copy[i], uuid);
                    if (i + 1 == copy.length || inOrder.get(i + 1).blockNr() != inOrder.get(i).blockNr() + 1) {
                        device.write(inOrder.get(runFirst).blockNr(),
                                copies.slice(runFirst * blockSize, (i + 1 - runFirst) * blockSize));
                        runFirst = i + 1;
                    }
                }
                device.flush();
            } catch (RuntimeException e) {
                throw new WriteBackFailedException("writing metadata blocks home failed: " + e.getMessage(), e);
            }
            writes.addAndGet(copy.length);
            for (int i = 0; i < copy.length; i++) {
                inOrder.get(i).wentHome(pageLsns[i], copy[i]);
            }
        } finally {
            copyBuffers.offer(copies);
        }
    }

    /**
     * A direct buffer of at least {@code bytes} for {@link #writeBack}'s copies: a free one, or a
     * new one of a checkpoint batch's size. The free ones are as many as write-backs ever ran at once.
     */
    private ByteBuffer takeCopyBuffer(int bytes) {
        ByteBuffer free = copyBuffers.poll();
        if (free != null && free.capacity() >= bytes) {
            return free.clear();
        }
        return ByteBuffer.allocateDirect(Math.max(bytes, CHECKPOINT_BATCH * device.blockSize()));
    }

    /**
     * Writes home the dirty blocks among {@code blockNrs} that are still cached (a checkpoint's),
     * in block order, so that every batch holds as many neighbours as it can.
     */
    public void writeBackBlocks(List<Long> blockNrs) {
        List<CachedBlock> dirty = new ArrayList<>();
        for (long blockNr : blockNrs.stream().mapToLong(Long::longValue).sorted().toArray()) {
            CachedBlock block = blocks.get(blockNr);
            if (block != null && block.isDirty() && block.tryPin()) {
                dirty.add(block);
            }
        }
        try {
            for (int from = 0; from < dirty.size(); from += CHECKPOINT_BATCH) {
                writeBack(dirty.subList(from, Math.min(dirty.size(), from + CHECKPOINT_BATCH)));
            }
        } finally {
            evictClean(dirty);
        }
    }

    /**
     * Every dirty block and its recLSN: the dirty-block table a checkpoint records. No lock is
     * needed: only clean blocks leave the map, and a block enters it clean.
     */
    public List<DirtyEntry> dirtyTable() {
        List<DirtyEntry> table = new ArrayList<>();
        for (CachedBlock block : blocks.values()) {
            long recLsn = block.recLsn();
            if (recLsn != 0) {
                table.add(new DirtyEntry(block.blockNr(), recLsn));
            }
        }
        return table;
    }

    /** The smallest recLSN of any dirty block, or {@code Long.MAX_VALUE} when none is dirty. */
    public long minRecLsn() {
        long min = Long.MAX_VALUE;
        for (CachedBlock block : blocks.values()) {
            long recLsn = block.recLsn();
            if (recLsn != 0) {
                min = Math.min(min, recLsn);
            }
        }
        return min;
    }

    /** Writes every dirty block home (unmount). */
    public void writeBackAll() {
        writeBackBlocks(dirtyTable().stream().map(DirtyEntry::blockNr).toList());
    }

    /** Blocks written home so far. */
    public long writes() {
        return writes.get();
    }

    /** An entry of the dirty-block table. */
    public record DirtyEntry(long blockNr, long recLsn) {
    }
}
