package org.quillfs.txn;

import org.quillfs.cache.CachedBlock;

/** Reading blocks under a transaction's shared page locks: what read-write and read-only transactions share. */
public interface BlockReader {

    /** Block {@code blockNr} under a shared page lock, pinned: close it when done reading. */
    CachedBlock read(long blockNr);
}
