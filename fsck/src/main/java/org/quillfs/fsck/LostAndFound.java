package org.quillfs.fsck;

import java.nio.ByteBuffer;
import org.quillfs.format.Bitmap;
import org.quillfs.format.BlockType;
import org.quillfs.format.DirectoryKeys;
import org.quillfs.format.Geometry;
import org.quillfs.format.GroupDescriptor;
import org.quillfs.format.Inode;
import org.quillfs.format.InodeTableBlock;
import org.quillfs.format.Limits;

/**
 * {@code /lost+found}: found through the root's entry of that name (pass 2), or created — an
 * empty directory, mode 0700, owned as the root is — the first time it is needed. Its creation
 * adds the entry to the root and a link to the root's count, as fsck's own change (pass 4 has
 * nothing to report about it).
 */
final class LostAndFound {

    private final Checker c;
    /** -1: not looked for yet; 0: there is none and none could be made. */
    private long inode = -1;

    LostAndFound(Checker checker) {
        this.c = checker;
    }

    /** The inode of /lost+found, made if need be (asking); 0 when there is none. */
    long get() {
        if (inode < 0) {
            inode = findOrCreate();
        }
        return inode;
    }

    private long findOrCreate() {
        long candidate = c.lostAndFoundEntryInode;
        int root = c.census.liveIndexOf(Limits.ROOT_INODE);
        if (root < 0) {
            return 0;
        }
        if (candidate != 0) {
            int i = c.census.liveIndexOf(candidate);
            if (i >= 0 && c.census.isDirectory(i)) {
                return candidate;
            }
            if (!c.questions.ask("/lost+found is not a directory (inode " + candidate + ").", Question.UNLINK, false)) {
                return 0;
            }
            c.edits.drop(Limits.ROOT_INODE, c.lostAndFoundEntryId);
            if (i >= 0) {
                c.census.addRef(i, -1);
            }
        }
        if (!c.questions.ask("/lost+found not found.", Question.CREATE, true)) {
            return 0;
        }
        long ino = freeInode();
        if (ino == 0) {
            c.questions.failed("No free inode for /lost+found.");
            return 0;
        }
        Inode rootInode = c.volume.readInode(Limits.ROOT_INODE);
        int i = c.makeDirectory(ino, 0700, Limits.ROOT_INODE, rootInode.uid(), rootInode.gid());
        c.edits.add(Limits.ROOT_INODE, "lost+found", ino, DirectoryKeys.DT_DIR);
        c.census.addRef(i, 1);
        c.census.setFoundParent(i, Limits.ROOT_INODE);
        c.census.set(i, InodeCensus.REACHED | InodeCensus.CONNECTIVITY_DONE);
        c.setStoredLinks(root, c.census.links(root) + 1);
        return ino;
    }

    /**
     * A free inode for a new directory: the lowest one from {@link Limits#FIRST_INODE} in an
     * initialised part of an inode table; failing that, the first inode of a table block fsck
     * initialises for it. 0 when the filesystem has none.
     */
    private long freeInode() {
        Geometry g = c.geometry;
        for (int group = 0; group < g.groupCount(); group++) {
            GroupDescriptor d = c.descriptors.get(group);
            if (d.has(GroupDescriptor.INODE_UNINIT)) {
                continue;
            }
            long first = (long) group * g.inodesPerGroup() + 1;
            long end = first + Math.min(d.itableInitialized(), g.itableBlocks()) * g.inodesPerBlock();
            for (long ino = Math.max(first, Limits.FIRST_INODE); ino < end; ino++) {
                if (c.census.indexOf(ino) < 0 || c.census.has(c.census.indexOf(ino), InodeCensus.GONE)) {
                    ByteBuffer table = c.volume.read(g.inodeBlock(ino));
                    if (Inode.isFree(table, g.inodeOffset(ino))) {
                        return ino;
                    }
                }
            }
        }
        for (int group = 0; group < g.groupCount(); group++) {
            GroupDescriptor d = c.descriptors.get(group);
            long initialised = Math.min(d.itableInitialized(), g.itableBlocks());
            if (initialised >= g.itableBlocks()) {
                continue;
            }
            long blockNr = g.inodeTableBlock(group) + initialised;
            ByteBuffer fresh = ByteBuffer.allocate(g.blockSize());
            InodeTableBlock.init(fresh, blockNr);
            c.volume.writeMetadata(blockNr, fresh);
            GroupDescriptor updated = d.withItableInitialized(initialised + 1);
            if (d.has(GroupDescriptor.INODE_UNINIT)) {
                long bitmapNr = g.inodeBitmapBlock(group);
                ByteBuffer bitmap = ByteBuffer.allocate(g.blockSize());
                Bitmap.init(bitmap, BlockType.INODE_BITMAP, bitmapNr, g.inodesPerGroup());
                c.volume.writeMetadata(bitmapNr, bitmap);
                updated = updated.withoutFlag(GroupDescriptor.INODE_UNINIT);
            }
            c.descriptors.put(group, updated);
            long ino = (long) group * g.inodesPerGroup() + initialised * g.inodesPerBlock() + 1;
            while (ino < Limits.FIRST_INODE) {
                ino++;
            }
            if (ino <= (long) (group + 1) * g.inodesPerGroup()) {
                return ino;
            }
        }
        return 0;
    }
}
