package org.quillfs.fs;

import org.quillfs.format.Inode;
import org.quillfs.format.Timestamp;

/**
 * What {@code stat} shows of an inode. {@code blocks} counts 512-byte units, as {@code st_blocks};
 * {@code blockSize} is the preferred I/O size, as {@code st_blksize}.
 */
public record Attributes(
        long inode,
        int mode,
        long links,
        long uid,
        long gid,
        long size,
        long blocks,
        int blockSize,
        long rdev,
        Timestamp atime,
        Timestamp mtime,
        Timestamp ctime,
        Timestamp btime,
        long generation) {

    static Attributes of(long number, Inode inode, int blockSize) {
        return new Attributes(number, inode.mode(), inode.links(), inode.uid(), inode.gid(), inode.size(),
                inode.blocks() * (blockSize / 512), blockSize, inode.rdev(), inode.atime(), inode.mtime(),
                inode.ctime(), inode.btime(), inode.generation());
    }

    public int type() {
        return mode & Inode.S_IFMT;
    }

    public boolean isDirectory() {
        return type() == Inode.S_IFDIR;
    }

    public boolean isRegularFile() {
        return type() == Inode.S_IFREG;
    }

    public boolean isSymlink() {
        return type() == Inode.S_IFLNK;
    }
}
