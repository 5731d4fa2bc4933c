package org.quillfs.fs;

import java.util.List;
import org.quillfs.format.DirectoryKeys;
import org.quillfs.format.DirectoryRoot;
import org.quillfs.format.ExtentRoot;
import org.quillfs.format.Inode;

/** Small facts about inodes by type that several operations share. */
final class Files {

    /** The extent root of a file with no blocks. */
    static final ExtentRoot EMPTY = new ExtentRoot(0, List.of());

    private Files() {
    }

    /** The {@code DT_*} type a directory entry records for an inode of {@code mode}. */
    static int direntType(int mode) {
        return switch (mode & Inode.S_IFMT) {
            case Inode.S_IFDIR -> DirectoryKeys.DT_DIR;
            case Inode.S_IFLNK -> DirectoryKeys.DT_LNK;
            case Inode.S_IFCHR -> DirectoryKeys.DT_CHR;
            case Inode.S_IFBLK -> DirectoryKeys.DT_BLK;
            case Inode.S_IFIFO -> DirectoryKeys.DT_FIFO;
            case Inode.S_IFSOCK -> DirectoryKeys.DT_SOCK;
            default -> DirectoryKeys.DT_REG;
        };
    }

    /**
     * Directory {@code dir} with its tree's new {@code root} and {@code blocksAdded} more blocks
     * (negative when blocks were freed); a directory's size is its tree's bytes, as on ext4: its
     * blocks less the extended-attribute block, which they count too.
     */
    static Inode withDirectoryRoot(Inode dir, DirectoryRoot root, long blocksAdded, int blockSize) {
        long blocks = dir.blocks() + blocksAdded;
        long treeBlocks = blocks - (dir.xattrBlock() != 0 ? 1 : 0);
        return dir.withData(root.encode(), dir.flags()).withBlocks(blocks).withSize(treeBlocks * blockSize);
    }
}
