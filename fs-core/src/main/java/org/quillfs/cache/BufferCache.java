package org.quillfs.cache;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
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
 * An access-ordered map under one lock gives LRU order. When the cache is full, pinning evicts
 * the least recently used unpinned blocks: clean ones at once, dirty ones after writing a batch
 * of them home. If every block is pinned the cache grows past its bound rather than deadlock;
 * pins are short (one operation). Device reads happen outside the cache lock, under the block's
 * own latch, so a slow read of one block does not stall the others.
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

    private final BlockDevice device;
    private final UUID uuid;
    private final WriteAheadLog log;
    private final int capacityBlocks;
    private final LinkedHashMap<Long, CachedBlock> blocks = new LinkedHashMap<>(16, 0.75f, true);
    /** Blocks dirty now; changed under each block's latch, so not under the cache's lock. */
    private final AtomicInteger dirtyBlocks = new AtomicInteger();
    private long writes;
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
        CachedBlock block;
        List<CachedBlock> toWrite = List.of();
        synchronized (this) {
            block = blocks.get(blockNr);
            if (block == null) {
                toWrite = makeRoom();
                block = new CachedBlock(this, blockNr, device.blockSize());
                blocks.put(blockNr, block);
            }
            block.pins++;
        }
        try {
            if (!toWrite.isEmpty()) {
                try {
                    writeBack(toWrite);
                } finally {
                    evictClean(toWrite);
                }
            }
            block.load(this);
        } catch (RuntimeException | Error e) {
            abandon(block);
            throw e;
        }
        return block;
    }

    /** Unpins a block whose pin failed; drops it if it never loaded and no one else holds it. */
    private synchronized void abandon(CachedBlock block) {
        block.pins--;
        if (block.pins == 0 && !block.isLoaded() && blocks.get(block.blockNr()) == block) {
            blocks.remove(block.blockNr());
        }
    }

    /**
     * Writes nothing home from now on: the filesystem has stopped after an error, and what the
     * cache holds may include changes whose log records never became durable.
     */
    public void stopWriting() {
        writingStopped = true;
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

    synchronized void unpin(CachedBlock block) {
        if (block.pins <= 0) {
            throw new IllegalStateException("block " + block.blockNr() + " unpinned more often than pinned");
        }
        block.pins--;
    }

    synchronized void checkPinned(CachedBlock block) {
        if (block.pins <= 0 || blocks.get(block.blockNr()) != block) {
            throw new IllegalStateException("block " + block.blockNr() + " changed while not pinned");
        }
    }

    /**
     * Called with the lock held: evicts clean unpinned blocks until there is room, and returns
     * dirty unpinned ones to write home first when only those are left.
     */
    private List<CachedBlock> makeRoom() {
        List<CachedBlock> dirty = new ArrayList<>();
        Iterator<CachedBlock> lru = blocks.values().iterator();
        while (blocks.size() >= capacityBlocks && lru.hasNext()) {
            CachedBlock candidate = lru.next();
            if (candidate.pins > 0) {
                continue;
            }
            if (!candidate.isDirty()) {
                lru.remove();
            } else if (dirty.size() < EVICTION_BATCH && !writingStopped) {
                candidate.pins++; // keep it while it goes home
                dirty.add(candidate);
            }
        }
        return dirty;
    }

    private void evictClean(List<CachedBlock> written) {
        synchronized (this) {
            for (CachedBlock block : written) {
                block.pins--;
                if (block.pins == 0 && !block.isDirty() && blocks.size() > capacityBlocks) {
                    blocks.remove(block.blockNr());
                }
            }
        }
    }

    /**
     * Writes {@code dirty} home: forces the log up to their page LSNs (the write-ahead rule),
     * writes a sealed copy of each, flushes the device, and marks clean those that did not
     * change meanwhile.
     *
     * @throws WriteBackFailedException if the device failed a write or the flush, or the cache
     *     has {@linkplain #stopWriting stopped writing}
     */
    public void writeBack(List<CachedBlock> dirty) {
        if (writingStopped) {
            throw new WriteBackFailedException("no metadata block goes home: the filesystem stopped after an error", null);
        }
        List<CachedBlock.Snapshot> snapshots = new ArrayList<>(dirty.size());
        long maxLsn = 0;
        for (CachedBlock block : dirty) {
            CachedBlock.Snapshot s = block.snapshot();
            snapshots.add(s);
            maxLsn = Math.max(maxLsn, s.pageLsn());
        }
        log.force(maxLsn);
        snapshots.sort(Comparator.comparingLong(s -> s.block().blockNr()));
        try {
            for (CachedBlock.Snapshot s : snapshots) {
                BlockHeader.seal(s.data(), uuid);
                device.write(s.block().blockNr(), s.data());
            }
            device.flush();
        } catch (RuntimeException e) {
            throw new WriteBackFailedException("writing metadata blocks home failed: " + e.getMessage(), e);
        }
        synchronized (this) {
            writes += snapshots.size();
        }
        for (CachedBlock.Snapshot s : snapshots) {
            s.block().wentHome(s.pageLsn(), s.data());
        }
    }

    /** Writes home the dirty blocks among {@code blockNrs} that are still cached (a checkpoint's). */
    public void writeBackBlocks(List<Long> blockNrs) {
        List<CachedBlock> dirty = new ArrayList<>();
        synchronized (this) {
            for (long blockNr : blockNrs) {
                CachedBlock block = blocks.get(blockNr);
                if (block != null && block.isDirty()) {
                    block.pins++;
                    dirty.add(block);
                }
            }
        }
        try {
            for (int from = 0; from < dirty.size(); from += EVICTION_BATCH * 8) {
                writeBack(dirty.subList(from, Math.min(dirty.size(), from + EVICTION_BATCH * 8)));
            }
        } finally {
            evictClean(dirty);
        }
    }

    /** Every dirty block and its recLSN: the dirty-block table a checkpoint records. */
    public synchronized List<DirtyEntry> dirtyTable() {
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
    public synchronized long minRecLsn() {
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
    public synchronized long writes() {
        return writes;
    }

    /** An entry of the dirty-block table. */
    public record DirtyEntry(long blockNr, long recLsn) {
    }
}
