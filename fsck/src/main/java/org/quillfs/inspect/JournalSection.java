package org.quillfs.inspect;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.quillfs.format.BlockType;
import org.quillfs.format.Geometry;
import org.quillfs.format.JournalHeader;
import org.quillfs.format.JournalMaster;

/** The journal region's header and its two master records. The log itself comes with issue 3. */
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
            s.put(copy == 0 ? "master A" : "master B", m);
            image.check(block, BlockType.JOURNAL_MASTER, blockNr)
                    .ifPresent(p -> report.problem(m, "journal master (block " + blockNr + ")", p));
        }
    }
}
