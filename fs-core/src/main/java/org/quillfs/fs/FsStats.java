package org.quillfs.fs;

/** What {@code statfs} reports: sizes in blocks of {@code blockSize} bytes, exact free counts. */
public record FsStats(int blockSize, long blocks, long freeBlocks, long inodes, long freeInodes, int maxNameLength) {
}
