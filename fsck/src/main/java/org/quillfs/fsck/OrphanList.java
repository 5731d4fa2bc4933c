package org.quillfs.fsck;

import java.nio.ByteBuffer;
import java.util.LinkedHashSet;
import java.util.Set;
import org.quillfs.format.BlockType;
import org.quillfs.format.Geometry;
import org.quillfs.format.GroupDescriptor;
import org.quillfs.format.Inode;

/**
 * The orphan list (superblock {@code orphan_head}, inode {@code orphan_next}): inodes with no
 * name left whose space a crash kept from being freed. Read before pass 1, which frees them. A
 * link that leads nowhere sound — past the inode table, to a free or damaged inode, to one that
 * still has links, or back into the list — ends the list there.
 */
final class OrphanList {

    private OrphanList() {
    }

    /** The inodes on the list, head first; reports (and asks about) a damaged link. */
    static Set<Long> read(Volume volume, long head, GroupDescriptors descriptors, Questions questions) {
        Set<Long> orphans = new LinkedHashSet<>();
        Geometry g = volume.geometry;
        long at = head;
        long from = 0;
        while (at != 0) {
            String bad = problem(volume, g, descriptors, at, orphans);
            if (bad != null) {
                String where = from == 0 ? "The superblock's orphan list head" : "Orphan inode " + from;
                questions.ask(where + " names inode " + at + ", which " + bad + ".", Question.CLEAR, true);
                break; // the list ends here either way: the rest cannot be trusted
            }
            orphans.add(at);
            from = at;
            at = volume.readInode(at).orphanNext();
        }
        return orphans;
    }

    private static String problem(Volume volume, Geometry g, GroupDescriptors descriptors, long ino, Set<Long> seen) {
        if (ino < org.quillfs.format.Limits.FIRST_INODE || ino > g.inodeCount()) {
            return "is not an ordinary inode";
        }
        if (seen.contains(ino)) {
            return "is already on the list";
        }
        int group = g.groupOfInode(ino);
        GroupDescriptor d = descriptors.get(group);
        long index = (ino - 1) % g.inodesPerGroup() / g.inodesPerBlock();
        if (d.has(GroupDescriptor.INODE_UNINIT) && d.itableInitialized() == 0 || index >= d.itableInitialized()) {
            return "lies in a part of the inode table never written";
        }
        long blockNr = g.inodeBlock(ino);
        ByteBuffer block = volume.read(blockNr);
        if (volume.headerProblem(block, BlockType.INODE_TABLE, blockNr).isPresent()
                && !volume.onlyChecksumWrong(block, BlockType.INODE_TABLE, blockNr)) {
            return "lies in a damaged inode table block";
        }
        int offset = g.inodeOffset(ino);
        if (Inode.isFree(block, offset)) {
            return "is free";
        }
        if (Inode.checksumProblem(block, offset, ino, volume.inodeChecksum).isPresent()) {
            return "is damaged";
        }
        Inode inode = Inode.decode(block, offset);
        if (inode.links() != 0) {
            return "still has " + inode.links() + " links";
        }
        if (!Pass1.validType(inode.mode() & Inode.S_IFMT)) {
            return "has an illegal mode";
        }
        return null;
    }
}
