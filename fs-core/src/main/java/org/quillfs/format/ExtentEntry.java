package org.quillfs.format;

/**
 * One 24-byte entry of an extent tree node (docs/FORMAT.md, "Extents"). At depth 0 an extent:
 * {@code length} blocks (u32, held as a non-negative long) from {@code physical} hold the
 * file's blocks from {@code logical}. At depth > 0 an index entry: {@code logical} is the first
 * logical block under the child node at {@code physical}, and {@code length} and {@code flags}
 * are 0.
 */
public record ExtentEntry(long logical, long physical, long length, int flags) {

    /** Extent flag: allocated but never written; reads as zeros. */
    public static final int UNWRITTEN = 1;

    public static ExtentEntry index(long firstLogical, long childBlock) {
        return new ExtentEntry(firstLogical, childBlock, 0, 0);
    }
}
