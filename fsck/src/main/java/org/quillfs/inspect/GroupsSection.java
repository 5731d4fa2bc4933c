package org.quillfs.inspect;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quillfs.format.Bitmap;
import org.quillfs.format.BlockType;
import org.quillfs.format.Geometry;
import org.quillfs.format.GroupDescriptor;
import org.quillfs.format.GroupDescriptorTable;

/**
 * Every allocation group: where its structures are, its descriptor's counts and flags, and —
 * for initialised bitmaps — whether the bitmap verifies and agrees with the descriptor.
 */
final class GroupsSection {

    private GroupsSection() {
    }

    static void describe(Image image, Report report) {
        Geometry g = image.superblock.geometry();
        List<Object> groups = report.listSection("groups");
        ByteBuffer table = null;
        long tableBlockNr = -1;
        for (int group = 0; group < g.groupCount(); group++) {
            long wanted = GroupDescriptorTable.tableBlockOf(group, g.blockSize());
            if (wanted != tableBlockNr) {
                tableBlockNr = wanted;
                table = image.descriptorBlock(group);
                Map<String, Object> where = new LinkedHashMap<>();
                long blockNr = tableBlockNr;
                image.check(table, BlockType.GROUP_DESCRIPTORS, blockNr).ifPresent(p -> {
                    where.put("descriptor table block", blockNr);
                    groups.add(where);
                    report.problem(where, "descriptor table block " + blockNr, p);
                });
            }
            groups.add(describeGroup(image, report, g, group, image.descriptor(table, group)));
        }
    }

    private static Map<String, Object> describeGroup(Image image, Report report, Geometry g, int group, GroupDescriptor d) {
        Map<String, Object> s = new LinkedHashMap<>();
        long start = g.groupStart(group);
        s.put("group", group);
        s.put("blocks", start + ".." + (start + g.groupLength(group) - 1));
        if (Geometry.isBackupGroup(group)) {
            s.put("superblock backup", start);
        }
        s.put("block bitmap", d.blockBitmap());
        s.put("inode bitmap", d.inodeBitmap());
        s.put("inode table", d.inodeTable() + ".." + (d.inodeTable() + g.itableBlocks() - 1)
                + " (" + d.itableInitialized() + " initialised)");
        s.put("free blocks", d.freeBlocks());
        s.put("free inodes", d.freeInodes());
        s.put("directories", d.directories());
        s.put("flags", flags(d));
        if (d.blockBitmap() != g.blockBitmapBlock(group) || d.inodeBitmap() != g.inodeBitmapBlock(group)
                || d.inodeTable() != g.inodeTableBlock(group)) {
            report.problem(s, "group " + group, "descriptor locations differ from the geometry's (bitmaps at "
                    + g.blockBitmapBlock(group) + ", " + g.inodeBitmapBlock(group) + ", inode table at "
                    + g.inodeTableBlock(group) + ")");
            return s;
        }
        if (!d.has(GroupDescriptor.BLOCK_UNINIT)) {
            checkBitmap(image, report, s, group, BlockType.BLOCK_BITMAP, d.blockBitmap(), d.freeBlocks());
        }
        if (!d.has(GroupDescriptor.INODE_UNINIT)) {
            checkBitmap(image, report, s, group, BlockType.INODE_BITMAP, d.inodeBitmap(), d.freeInodes());
        }
        return s;
    }

    private static void checkBitmap(Image image, Report report, Map<String, Object> s, int group, BlockType type,
            long blockNr, long descriptorFree) {
        ByteBuffer bitmap = image.read(blockNr);
        String what = "group " + group + " " + (type == BlockType.BLOCK_BITMAP ? "block" : "inode") + " bitmap (block "
                + blockNr + ")";
        var problem = image.check(bitmap, type, blockNr);
        if (problem.isPresent()) {
            report.problem(s, what, problem.get());
            return;
        }
        int free = Bitmap.countClear(bitmap);
        if (free != descriptorFree) {
            report.problem(s, what, free + " free in the bitmap, " + descriptorFree + " in the descriptor");
        }
    }

    private static String flags(GroupDescriptor d) {
        List<String> flags = new ArrayList<>();
        if (d.has(GroupDescriptor.INODE_UNINIT)) {
            flags.add("INODE_UNINIT");
        }
        if (d.has(GroupDescriptor.BLOCK_UNINIT)) {
            flags.add("BLOCK_UNINIT");
        }
        return flags.isEmpty() ? "(none)" : String.join(" ", flags);
    }
}
