package org.quillfs.fs;

import java.util.LinkedHashMap;
import java.util.Map;
import org.quillfs.format.Inode;
import org.quillfs.txn.Transaction;

/**
 * The inodes one operation changes, read once under their exclusive locks and written back
 * together at the end: an operation that touches the same inode twice (a rename inside one
 * directory) sees its own changes, and each inode is logged once.
 */
final class InodeEdits {

    private final Layers layers;
    private final Transaction txn;
    private final Map<Long, Inode> edited = new LinkedHashMap<>();

    InodeEdits(Layers layers, Transaction txn) {
        this.layers = layers;
        this.txn = txn;
    }

    /** Inode {@code number} as this operation has left it so far. */
    Inode get(long number) {
        Inode inode = edited.get(number);
        if (inode == null) {
            inode = layers.inodeForUpdate(txn, number);
            edited.put(number, inode);
        }
        return inode;
    }

    /** Directory {@code number} as this operation has left it so far. */
    Inode directory(long number) {
        return Layers.requireDirectory(get(number), number);
    }

    void put(long number, Inode inode) {
        edited.put(number, inode);
    }

    /** Inode {@code number} is gone (freed): nothing to write back. */
    void forget(long number) {
        edited.remove(number);
    }

    void writeAll() {
        edited.forEach((number, inode) -> layers.inodes.write(txn, number, inode));
    }
}
