package org.quillfs.file;

/** How file data reaches the device (the mount option {@code data=}); see {@link FileData}. */
public enum DataMode {
    /** Data goes straight to its blocks, ordered before the COMMIT that maps it; only metadata is journaled. */
    ORDERED,
    /** Data goes through the log as whole blocks, and home once its transaction's COMMIT is durable. */
    JOURNAL
}
