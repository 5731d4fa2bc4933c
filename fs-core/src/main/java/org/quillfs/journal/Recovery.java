package org.quillfs.journal;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.JournalHeader;
import org.quillfs.format.JournalMaster;
import org.quillfs.format.LogBlock;
import org.quillfs.format.Superblock;
import org.quillfs.journal.LogRecord.Abort;
import org.quillfs.journal.LogRecord.CheckpointBegin;
import org.quillfs.journal.LogRecord.CheckpointEnd;
import org.quillfs.journal.LogRecord.Commit;
import org.quillfs.journal.LogRecord.Compensation;
import org.quillfs.journal.LogRecord.DataBlock;
import org.quillfs.journal.LogRecord.DirtyBlock;
import org.quillfs.journal.LogRecord.Update;
import org.quillfs.journal.LogScanner.Logged;
import org.quillfs.volume.BlockDevice;

/**
 * Brings the metadata to "committed transactions rolled forward, the others rolled back"
 * after a crash (docs/JOURNAL.md, "Recovery"): analysis, redo, undo.
 *
 * <p>Analysis reads the log from the tail to its end: which transactions ended, which blocks
 * may need redo and from which LSN (the last checkpoint's dirty-block table, extended by the
 * blocks changed after it began). Redo reads each of those blocks once, replays its records in
 * order and keeps it in memory; undo rolls back the losers newest change first, writing a CLR
 * for each change, so a crash during recovery is recovered in turn. Finally every touched block
 * goes home once, the device is flushed, and the master record says the log is empty.
 *
 * <p>Journaled file data (DATA_BLOCK records, data=journal) is redo-only: analysis keeps, for
 * each block, the contents of the last such record of a transaction that committed, and those
 * go home with the rest. Records of transactions that aborted or never committed are dropped:
 * their blocks were never written home (docs/JOURNAL.md, "File data"). Undo steps over them.
 *
 * <p>Memory: the blocks to redo (bounded by the cache that dirtied them), the records of
 * transactions still open at the point of the scan and the journaled data blocks (both bounded
 * by the log).
 */
public final class Recovery {

    /** Where the log continues after recovery, and what it did. */
    public record Result(LogRegion region, MasterStore master, long nextLsn, long nextTxnId, RecoveryReport report) {
    }

    private final BlockDevice device;
    private final Superblock superblock;
    private final LogRegion region;
    private final MasterStore master;

    private final Map<Long, List<Logged>> openRecords = new HashMap<>();
    private final Map<Long, Boolean> ended = new HashMap<>();
    private final Map<Long, Long> firstChange = new HashMap<>();
    /** Per block, its first change since the last CHECKPOINT_BEGIN read. */
    private final Map<Long, Long> firstChangeSinceBegin = new HashMap<>();
    /** Per block, its first change since the BEGIN of the checkpoint whose END was read. */
    private final Map<Long, Long> firstChangeSinceCheckpoint = new HashMap<>();
    private List<DirtyBlock> checkpointDirty;
    private long checkpointBegin;
    private long lastBeginSeen;
    private long maxTxn;
    private long recordsRead;
    private int committed;

    private final TreeMap<Long, RecoveredBlock> blocks = new TreeMap<>();
    /** Journaled data of committed transactions: block → its last committed contents. */
    private final TreeMap<Long, byte[]> committedData = new TreeMap<>();

    private Recovery(BlockDevice device, Superblock superblock) {
        this.device = device;
        this.superblock = superblock;
        long journalStart = superblock.geometry().journalStart();
        ByteBuffer headerBlock = ByteBuffer.allocate(device.blockSize());
        device.read(journalStart, headerBlock);
        Optional<String> problem = BlockHeader.problem(headerBlock, superblock.uuid(), BlockType.JOURNAL_HEADER,
                journalStart);
        if (problem.isPresent()) {
            throw new JournalDamagedException("journal header (block " + journalStart + "): " + problem.get());
        }
        this.region = LogRegion.of(superblock, JournalHeader.decode(headerBlock));
        this.master = new MasterStore(device, superblock.uuid(), journalStart);
    }

    /** Recovers the filesystem on {@code device}. Writes nothing when the log holds nothing. */
    public static Result run(BlockDevice device, Superblock superblock) {
        long started = System.nanoTime();
        Recovery recovery = new Recovery(device, superblock);
        return recovery.recover(started);
    }

    private Result recover(long started) {
        JournalMaster m = master.current();
        long start = m.tailLsn() == 0 ? region.lsnOf(1) : m.tailLsn();
        long end = analyse(start);
        if (recordsRead == 0) {
            return new Result(region, master, region.alignUp(end), 1,
                    new RecoveryReport(0, 0, 0, 0, Duration.ofNanos(System.nanoTime() - started)));
        }
        redo(start);
        List<Long> losers = openRecords.keySet().stream().filter(txn -> !ended.getOrDefault(txn, false)).sorted().toList();
        long next = region.alignUp(end);
        if (!losers.isEmpty()) {
            // A mount raises the epoch before it writes to the log, so no block in it is newer.
            master.write(m.checkpointLsn(), start, m.epoch() + 1);
            LogWriter log = new LogWriter(device, region, next, start, m.epoch() + 1, () -> { });
            undo(losers, log);
            log.forceAll();
            next = log.appendedLsn(); // a flush leaves the head on a block boundary
        }
        int written = 0;
        for (RecoveredBlock block : blocks.values()) {
            if (block.changed) {
                if (block.blockNr == 0 && (superblock.state() & Superblock.STATE_ERRORS) != 0) {
                    // Set on the device directly when the filesystem stopped (no record carries
                    // it): the state bytes a record replays must not clear it. Only fsck does.
                    Superblock.markErrors(block.data);
                }
                BlockHeader.seal(block.data, superblock.uuid());
                device.write(block.blockNr, block.data.duplicate().clear());
                written++;
            }
        }
        for (var data : committedData.entrySet()) {
            device.write(data.getKey(), ByteBuffer.wrap(data.getValue())); // data blocks have no header to seal
            written++;
        }
        device.flush();
        next = pastStaleBlocks(next);
        master.write(0, next, master.current().epoch());
        RecoveryReport report = new RecoveryReport(committed, losers.size(), recordsRead, written,
                Duration.ofNanos(System.nanoTime() - started));
        return new Result(region, master, next, maxTxn + 1, report);
    }

    /**
     * {@code next}, or past the intact blocks that follow it in sequence: the rest of a flush group
     * whose earlier block a crash tore (the log ended there, and compensation records may now fill
     * the torn block's place). The next recovery starts at the tail with no block before it to
     * compare epochs with, so it would read them as the log and roll their transactions forward.
     */
    private long pastStaleBlocks(long next) {
        long sequence = region.sequenceOf(next);
        ByteBuffer candidate = ByteBuffer.allocate(region.blockSize());
        for (long skipped = 0; skipped < region.blocks(); skipped++, sequence++) {
            long physical = region.physicalBlock(sequence);
            device.read(physical, candidate.clear());
            if (LogBlock.problem(candidate, region.uuid(), physical, sequence, region.logId()).isPresent()) {
                break;
            }
        }
        return region.lsnOf(sequence);
    }

    /** Pass 1: transactions, dirty blocks, and the end of the log. */
    private long analyse(long start) {
        LogScanner scanner = new LogScanner(device, region, start);
        for (Optional<Logged> next = scanner.next(); next.isPresent(); next = scanner.next()) {
            Logged logged = next.get();
            LogRecord record = logged.record();
            recordsRead++;
            maxTxn = Math.max(maxTxn, record.txn());
            if (record instanceof Update u) {
                changed(logged, u.block());
            } else if (record instanceof Compensation c) {
                changed(logged, c.block());
            } else if (record instanceof DataBlock d) {
                if (d.contents().length != device.blockSize()) {
                    throw new JournalDamagedException("data block record at " + logged.lsn() + " holds "
                            + d.contents().length + " bytes, not a block of " + device.blockSize());
                }
                openRecords.computeIfAbsent(record.txn(), t -> new ArrayList<>()).add(logged);
            } else if (record instanceof Commit) {
                committed++;
                for (Logged own : openRecords.getOrDefault(record.txn(), List.of())) {
                    if (own.record() instanceof DataBlock d) {
                        committedData.put(d.block(), d.contents());
                    }
                }
                finish(record.txn());
            } else if (record instanceof Abort) {
                finish(record.txn());
            } else if (record instanceof CheckpointBegin) {
                lastBeginSeen = logged.lsn();
                firstChangeSinceBegin.clear();
            } else if (record instanceof CheckpointEnd e && e.beginLsn() == lastBeginSeen) {
                // The END may follow changes made after the tables were taken (it is appended
                // once transactions go on): every change since its BEGIN extends its table.
                checkpointBegin = e.beginLsn();
                checkpointDirty = e.dirty();
                firstChangeSinceCheckpoint.clear();
                firstChangeSinceCheckpoint.putAll(firstChangeSinceBegin);
            }
        }
        return scanner.endLsn();
    }

    private void changed(Logged logged, long block) {
        openRecords.computeIfAbsent(logged.record().txn(), t -> new ArrayList<>()).add(logged);
        firstChange.putIfAbsent(block, logged.lsn());
        firstChangeSinceBegin.putIfAbsent(block, logged.lsn());
        if (checkpointDirty != null) {
            firstChangeSinceCheckpoint.putIfAbsent(block, logged.lsn());
        }
    }

    private void finish(long txn) {
        ended.put(txn, true);
        openRecords.remove(txn);
    }

    /** The dirty-block table at the crash: block → the LSN redo starts from. */
    private Map<Long, Long> dirtyTable(long start) {
        Map<Long, Long> table = new HashMap<>();
        if (checkpointDirty == null) {
            table.putAll(firstChange);
        } else {
            for (DirtyBlock d : checkpointDirty) {
                table.put(d.block(), Math.max(d.recLsn(), start));
            }
            firstChangeSinceCheckpoint.forEach((block, lsn) -> table.merge(block, lsn, Math::min));
        }
        return table;
    }

    /** Pass 2: repeat history for the dirty blocks, each read once. */
    private void redo(long start) {
        Map<Long, Long> dirty = dirtyTable(start);
        if (dirty.isEmpty()) {
            return;
        }
        long from = dirty.values().stream().min(Long::compare).orElseThrow();
        LogScanner scanner = new LogScanner(device, region, from);
        for (Optional<Logged> next = scanner.next(); next.isPresent(); next = scanner.next()) {
            recordsRead++;
            Logged logged = next.get();
            long block;
            int offset;
            byte[] after;
            if (logged.record() instanceof Update u) {
                block = u.block();
                offset = u.offset();
                after = u.after();
            } else if (logged.record() instanceof Compensation c) {
                block = c.block();
                offset = c.offset();
                after = c.after();
            } else {
                continue;
            }
            Long recLsn = dirty.get(block);
            if (recLsn != null && logged.lsn() >= recLsn) {
                block(block).redo(offset, after, logged.lsn());
            }
        }
    }

    /** Pass 3: roll back the losers, newest change first across all of them, with CLRs. */
    private void undo(List<Long> losers, LogWriter log) {
        record Cursor(long txn, long nextLsn, long lastLsn, Map<Long, Logged> byLsn) {
        }
        PriorityQueue<Cursor> queue = new PriorityQueue<>((a, b) -> Long.compare(b.nextLsn, a.nextLsn));
        for (long txn : losers) {
            List<Logged> records = openRecords.get(txn);
            Map<Long, Logged> byLsn = new HashMap<>();
            records.forEach(r -> byLsn.put(r.lsn(), r));
            Logged last = records.get(records.size() - 1);
            long next = last.record() instanceof Compensation c ? c.undoNextLsn() : last.lsn();
            queue.add(new Cursor(txn, next, last.lsn(), byLsn));
        }
        while (!queue.isEmpty()) {
            Cursor cursor = queue.poll();
            long lastLsn = cursor.lastLsn();
            if (cursor.nextLsn() != 0) {
                Logged logged = cursor.byLsn().get(cursor.nextLsn());
                if (logged != null && logged.record() instanceof DataBlock d) {
                    queue.add(new Cursor(cursor.txn(), d.prevLsn(), lastLsn, cursor.byLsn())); // redo-only: no undo
                    continue;
                }
                if (logged == null || !(logged.record() instanceof Update u)) {
                    throw new IllegalStateException("undo of transaction " + cursor.txn() + " needs record "
                            + cursor.nextLsn() + ", which is not an update of it in the log");
                }
                long lsn = log.append(new Compensation(cursor.txn(), lastLsn, u.block(), u.offset(), u.prevLsn(),
                        u.before()));
                block(u.block()).redo(u.offset(), u.before(), lsn);
                queue.add(new Cursor(cursor.txn(), u.prevLsn(), lsn, cursor.byLsn()));
            } else {
                log.append(new Abort(cursor.txn(), lastLsn));
            }
        }
    }

    private RecoveredBlock block(long blockNr) {
        return blocks.computeIfAbsent(blockNr, n -> {
            ByteBuffer data = ByteBuffer.allocate(device.blockSize());
            device.read(n, data);
            return new RecoveredBlock(n, data, BlockHeader.isSound(data, superblock.uuid(), n));
        });
    }

    /** A block being recovered, in memory until it goes home once at the end. */
    private static final class RecoveredBlock {
        final long blockNr;
        final ByteBuffer data;
        /** Whether the page LSN read from disk can be trusted (the block was sound). */
        final boolean trustLsn;
        final long diskLsn;
        boolean changed;

        RecoveredBlock(long blockNr, ByteBuffer data, boolean sound) {
            this.blockNr = blockNr;
            this.data = data;
            this.trustLsn = sound;
            this.diskLsn = sound ? BlockHeader.lsn(data) : 0;
        }

        /** Applies a logged image unless the block was sound and already had it. */
        void redo(int offset, byte[] after, long lsn) {
            if (trustLsn && lsn <= diskLsn) {
                return;
            }
            data.put(offset, after);
            BlockHeader.setLsn(data, lsn);
            changed = true;
        }
    }
}
