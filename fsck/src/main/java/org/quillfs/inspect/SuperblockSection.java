package org.quillfs.inspect;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.quillfs.format.Geometry;
import org.quillfs.format.Superblock;

/** The superblock, field by field, as dumpe2fs -h shows it. */
final class SuperblockSection {

    private SuperblockSection() {
    }

    static void describe(Image image, Report report) {
        Superblock sb = image.superblock;
        Geometry g = sb.geometry();
        Map<String, Object> s = report.section("superblock");
        s.put("format version", sb.formatVersion());
        s.put("label", sb.label());
        s.put("uuid", sb.uuid().toString());
        s.put("state", state(sb.state()));
        s.put("features", String.format("compat 0x%x, ro_compat 0x%x, incompat 0x%x",
                sb.featureCompat(), sb.featureRoCompat(), sb.featureIncompat()));
        s.put("block size", g.blockSize());
        s.put("blocks", g.blockCount());
        s.put("free blocks", sb.freeBlocks());
        s.put("inodes", g.inodeCount());
        s.put("free inodes", sb.freeInodes());
        s.put("groups", g.groupCount());
        s.put("blocks per group", g.blocksPerGroup());
        s.put("inodes per group", g.inodesPerGroup());
        s.put("descriptor table blocks", g.gdtBlocks());
        s.put("journal", "blocks " + g.journalStart() + ".." + (g.journalStart() + g.journalBlocks() - 1)
                + " (" + g.journalBlocks() + " blocks)");
        s.put("first group block", g.groupsStart());
        s.put("superblock backups", g.problem().isEmpty() ? g.backupSuperblocks() : List.of());
        s.put("root inode", sb.rootInode());
        s.put("first inode", sb.firstInode());
        s.put("orphan list head", sb.orphanHead());
        s.put("mount count", sb.mountCount() + " of " + (sb.maxMountCount() < 0 ? "unlimited" : sb.maxMountCount()));
        s.put("created", time(sb.createdTime()));
        s.put("last mounted", time(sb.mountTime()));
        s.put("last written", time(sb.writeTime()));
        s.put("last checked", time(sb.checkTime()));
        s.put("lazily initialised groups", (sb.lazyInitFlags() & 1) != 0);
        image.superblockProblem.ifPresent(p -> report.problem(s, "superblock (block 0)", p));
    }

    private static String state(int state) {
        List<String> words = new ArrayList<>();
        words.add((state & Superblock.STATE_CLEAN) != 0 ? "clean" : "not clean");
        if ((state & Superblock.STATE_ERRORS) != 0) {
            words.add("has errors");
        }
        if ((state & Superblock.STATE_NEEDS_RECOVERY) != 0) {
            words.add("needs recovery");
        }
        return String.join(", ", words);
    }

    static String time(long seconds) {
        return seconds == 0 ? "never" : Instant.ofEpochSecond(seconds).toString();
    }
}
