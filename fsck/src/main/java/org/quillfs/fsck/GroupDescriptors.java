package org.quillfs.fsck;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.Geometry;
import org.quillfs.format.GroupDescriptor;
import org.quillfs.format.GroupDescriptorTable;

/**
 * The group descriptor table, checked before pass 1 and held in memory for the run: every block
 * of it is read once; pass 5 changes counts and flags here, and {@link #writeChanged} writes the
 * blocks that changed.
 *
 * <p>Where a group's bitmaps and inode table are follows from the geometry, so a descriptor that
 * says otherwise is corrected, and a table block destroyed beyond reading is rebuilt: locations
 * from the geometry, the UNINIT flags and {@code itable_initialized} from what the bitmap and
 * inode-table blocks on disk turn out to be; pass 5 then sets the counts.
 */
final class GroupDescriptors {

    private final Volume volume;
    private final Geometry geometry;
    private final GroupDescriptor[] descriptors;
    private final ByteBuffer[] tableBlocks;
    private final boolean[] changed;

    private GroupDescriptors(Volume volume) {
        this.volume = volume;
        this.geometry = volume.geometry;
        this.descriptors = new GroupDescriptor[geometry.groupCount()];
        this.tableBlocks = new ByteBuffer[geometry.gdtBlocks()];
        this.changed = new boolean[geometry.gdtBlocks()];
    }

    /** Reads and checks the table, asking about each problem. */
    static GroupDescriptors check(Volume volume, Questions questions) {
        GroupDescriptors table = new GroupDescriptors(volume);
        table.load(questions);
        return table;
    }

    GroupDescriptor get(int group) {
        return descriptors[group];
    }

    void put(int group, GroupDescriptor d) {
        descriptors[group] = d;
        int t = group / geometry.descriptorsPerBlock();
        GroupDescriptorTable.put(tableBlocks[t], group % geometry.descriptorsPerBlock(), d);
        changed[t] = true;
    }

    /** Writes every table block that changed (resealed). */
    void writeChanged() {
        for (int t = 0; t < tableBlocks.length; t++) {
            if (changed[t]) {
                volume.writeMetadata(1 + t, tableBlocks[t]);
                changed[t] = false;
            }
        }
    }

    private void load(Questions questions) {
        int perBlock = geometry.descriptorsPerBlock();
        for (int t = 0; t < tableBlocks.length; t++) {
            long blockNr = 1 + t;
            ByteBuffer block = volume.read(blockNr);
            tableBlocks[t] = block;
            int first = t * perBlock;
            int last = Math.min(geometry.groupCount(), first + perBlock);
            Optional<String> problem = volume.headerProblem(block, BlockType.GROUP_DESCRIPTORS, blockNr);
            if (problem.isPresent() && volume.onlyChecksumWrong(block, BlockType.GROUP_DESCRIPTORS, blockNr)) {
                if (questions.ask("Group descriptor table block " + blockNr + " (groups " + first + "-" + (last - 1)
                        + "): " + problem.get() + ".", Question.FIX, true)) {
                    changed[t] = true;
                }
            } else if (problem.isPresent()) {
                boolean rebuild = questions.ask("Group descriptor table block " + blockNr + " (groups " + first + "-"
                        + (last - 1) + ") is damaged: " + problem.get() + ".", Question.RECREATE, false);
                GroupDescriptorTable.initBlock(block, blockNr);
                for (int g = first; g < last; g++) {
                    GroupDescriptorTable.put(block, g - first, probe(g));
                }
                changed[t] = rebuild;
            }
            for (int g = first; g < last; g++) {
                descriptors[g] = GroupDescriptorTable.get(block, g - first);
            }
        }
        for (int g = 0; g < descriptors.length; g++) {
            checkDescriptor(g, questions);
        }
    }

    private void checkDescriptor(int g, Questions questions) {
        GroupDescriptor d = descriptors[g];
        GroupDescriptor fixed = d;
        fixed = location(g, "block bitmap", d.blockBitmap(), geometry.blockBitmapBlock(g), fixed, questions);
        fixed = location(g, "inode bitmap", d.inodeBitmap(), geometry.inodeBitmapBlock(g), fixed, questions);
        fixed = location(g, "inode table", d.inodeTable(), geometry.inodeTableBlock(g), fixed, questions);
        int known = GroupDescriptor.INODE_UNINIT | GroupDescriptor.BLOCK_UNINIT;
        if ((d.flags() & ~known) != 0) {
            if (questions.ask(String.format("Group descriptor %d has unknown flags 0x%x.", g, d.flags() & ~known),
                    Question.FIX, true)) {
                fixed = withFlags(fixed, fixed.flags() & known);
            }
        }
        if (d.itableInitialized() > geometry.itableBlocks()) {
            long probed = initialisedTableBlocks(g);
            if (questions.ask("Group descriptor " + g + " counts " + d.itableInitialized()
                    + " initialised inode table blocks, more than the " + geometry.itableBlocks() + " it has; "
                    + probed + " are.", Question.FIX, true)) {
                fixed = fixed.withItableInitialized(probed);
            } else {
                fixed = fixed.withItableInitialized(probed); // check with what is there; write nothing
                descriptors[g] = fixed;
                return;
            }
        }
        if (!fixed.equals(d)) {
            put(g, fixed);
        }
    }

    private GroupDescriptor location(int g, String what, long found, long expected, GroupDescriptor d,
            Questions questions) {
        if (found == expected) {
            return d;
        }
        if (!questions.ask("Group descriptor " + g + ": " + what + " at block " + found + ", should be at "
                + expected + ".", Question.FIX, false)) {
            return d;
        }
        return switch (what) {
            case "block bitmap" -> new GroupDescriptor(expected, d.inodeBitmap(), d.inodeTable(), d.freeBlocks(),
                    d.freeInodes(), d.directories(), d.flags(), d.itableInitialized());
            case "inode bitmap" -> new GroupDescriptor(d.blockBitmap(), expected, d.inodeTable(), d.freeBlocks(),
                    d.freeInodes(), d.directories(), d.flags(), d.itableInitialized());
            default -> new GroupDescriptor(d.blockBitmap(), d.inodeBitmap(), expected, d.freeBlocks(),
                    d.freeInodes(), d.directories(), d.flags(), d.itableInitialized());
        };
    }

    private static GroupDescriptor withFlags(GroupDescriptor d, int flags) {
        return new GroupDescriptor(d.blockBitmap(), d.inodeBitmap(), d.inodeTable(), d.freeBlocks(), d.freeInodes(),
                d.directories(), flags, d.itableInitialized());
    }

    /**
     * A descriptor for group {@code g} rebuilt from the blocks on disk: locations from the
     * geometry; a bitmap that does not verify means the group's was never written (UNINIT);
     * {@code itable_initialized} is the run of table blocks that verify. Counts are rough (pass 5
     * sets them).
     */
    private GroupDescriptor probe(int g) {
        int flags = 0;
        long freeBlocks = geometry.groupLength(g) - geometry.metadataBlocks(g);
        long freeInodes = geometry.inodesPerGroup();
        ByteBuffer blockBitmap = volume.read(geometry.blockBitmapBlock(g));
        if (volume.headerProblem(blockBitmap, BlockType.BLOCK_BITMAP, geometry.blockBitmapBlock(g)).isPresent()) {
            flags |= GroupDescriptor.BLOCK_UNINIT;
        } else {
            freeBlocks = org.quillfs.format.Bitmap.countClear(blockBitmap);
        }
        ByteBuffer inodeBitmap = volume.read(geometry.inodeBitmapBlock(g));
        if (volume.headerProblem(inodeBitmap, BlockType.INODE_BITMAP, geometry.inodeBitmapBlock(g)).isPresent()) {
            flags |= GroupDescriptor.INODE_UNINIT;
        } else {
            freeInodes = org.quillfs.format.Bitmap.countClear(inodeBitmap);
        }
        return new GroupDescriptor(geometry.blockBitmapBlock(g), geometry.inodeBitmapBlock(g),
                geometry.inodeTableBlock(g), freeBlocks, freeInodes, 0, flags, initialisedTableBlocks(g));
    }

    /** How many inode-table blocks of group {@code g}, from the first, carry a sound INODE_TABLE header. */
    private long initialisedTableBlocks(int g) {
        long n = 0;
        while (n < geometry.itableBlocks()) {
            long blockNr = geometry.inodeTableBlock(g) + n;
            ByteBuffer block = volume.read(blockNr);
            if (BlockHeader.magic(block) != BlockHeader.MAGIC || BlockHeader.typeCode(block) != BlockType.INODE_TABLE.code()
                    || BlockHeader.blockNr(block) != blockNr) {
                break;
            }
            n++;
        }
        return n;
    }
}
