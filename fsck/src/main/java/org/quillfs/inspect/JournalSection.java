package org.quillfs.inspect;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.quillfs.format.BlockType;
import org.quillfs.format.Geometry;
import org.quillfs.format.JournalHeader;
import org.quillfs.format.JournalMaster;
import org.quillfs.journal.JournalDamagedException;
import org.quillfs.journal.LogRecord;
import org.quillfs.journal.LogRegion;
import org.quillfs.journal.LogScanner;

/**
 * The journal region's header, its two master records, and a summary of the log from the
 * current master's tail to its end: what recovery would read.
 */
final class JournalSection {

    private JournalSection() {
    }

    static void describe(Image image, Report report) {
        Geometry g = image.superblock.geometry();
        Map<String, Object> s = report.section("journal");
        long start = g.journalStart();
        s.put("region", start + ".." + (start + g.journalBlocks() - 1) + " (" + g.journalBlocks() + " blocks)");

        ByteBuffer headerBlock = image.read(start);
        JournalHeader header = JournalHeader.decode(headerBlock);
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("block", start);
        h.put("journal version", header.journalVersion());
        h.put("log", header.logStart() + ".." + (header.logStart() + header.logBlocks() - 1)
                + " (" + header.logBlocks() + " blocks)");
        h.put("log id", String.format("%016x", header.logId()));
        s.put("header", h);
        image.check(headerBlock, BlockType.JOURNAL_HEADER, start).ifPresent(p -> report.problem(h, "journal header (block " + start + ")", p));

        for (int copy = 0; copy < 2; copy++) {
            long blockNr = start + 1 + copy;
            ByteBuffer block = image.read(blockNr);
            JournalMaster master = JournalMaster.decode(block);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("block", blockNr);
            m.put("sequence", master.sequence());
            m.put("checkpoint lsn", master.checkpointLsn());
            m.put("tail lsn", master.tailLsn());
            m.put("epoch", master.epoch());
            s.put(copy == 0 ? "master A" : "master B", m);
            image.check(block, BlockType.JOURNAL_MASTER, blockNr)
                    .ifPresent(p -> report.problem(m, "journal master (block " + blockNr + ")", p));
        }
        if (image.check(headerBlock, BlockType.JOURNAL_HEADER, start).isEmpty()) {
            describeLog(image, s, LogRegion.of(image.superblock, header));
        }
    }

    private static void describeLog(Image image, Map<String, Object> s, LogRegion region) {
        Map<String, Object> l = new LinkedHashMap<>();
        s.put("log", l);
        JournalMaster current;
        try {
            current = image.masters().current();
        } catch (JournalDamagedException e) {
            l.put("state", "unreadable: " + e.getMessage());
            return;
        }
        long tail = current.tailLsn() == 0 ? region.lsnOf(1) : current.tailLsn();
        LogScanner scanner = image.scanLog(region, tail);
        Set<Long> open = new TreeSet<>();
        long records = 0;
        for (Optional<LogScanner.Logged> next = scanner.next(); next.isPresent(); next = scanner.next()) {
            LogRecord record = next.get().record();
            records++;
            if (record instanceof LogRecord.Commit || record instanceof LogRecord.Abort) {
                open.remove(record.txn());
            } else if (record.txn() != 0) {
                open.add(record.txn());
            }
        }
        l.put("from lsn", tail);
        l.put("to lsn", scanner.endLsn());
        l.put("records", records);
        l.put("state", records == 0 ? "empty: nothing to recover" : "holds records: recovery will replay them");
        l.put("unfinished transactions", open.stream().map(t -> (Object) t).toList());
    }
}
