package org.quillfs.fsck;

import java.util.Arrays;
import org.quillfs.format.Inode;

/**
 * What pass 1 found of every inode in use, and what the later passes learn about each: parallel
 * primitive arrays in ascending inode order, found by binary search. Memory is a few dozen bytes
 * per inode in use and nothing per free inode, so it grows with the files, not the volume.
 *
 * <p>An inode fsck clears or frees stays in the census with {@link #GONE} set, so that entries
 * naming it can still be told "deleted" rather than "unknown".
 */
final class InodeCensus {

    /** The inode is no longer in use: cleared by fsck, or freed as an orphan. */
    static final int GONE = 1;
    /** The inode was on the orphan list and is freed (its blocks were not counted as in use). */
    static final int ORPHAN = 2;
    /** Pass 3: the directory reaches the root. */
    static final int REACHED = 4;
    /** Pass 1: its extent tree must be rewritten (bad entries dropped, or nodes to reseal). */
    static final int REBUILD_EXTENTS = 8;
    /** Pass 1: it owns blocks (extents, directory blocks or an attribute block): pass 1B rescans it. */
    static final int HAS_BLOCKS = 16;
    /** Pass 1B: it claims blocks another inode claims too. */
    static final int SHARES_BLOCKS = 32;
    /** Pass 1: its directory tree is damaged; pass 2 salvages it. */
    static final int DIR_DAMAGED = 64;
    /** Pass 3: handled (reached, reconnected, or left disconnected by a "no"). */
    static final int CONNECTIVITY_DONE = 128;

    private long[] number;
    private int[] mode;
    private long[] links;
    private long[] size;
    private long[] blocks;
    private long[] parent;
    private int[] refs;
    private long[] foundParent;
    private long[] foundAt;
    private int[] state;
    private int count;

    InodeCensus(int expected) {
        int capacity = Math.max(64, expected);
        number = new long[capacity];
        mode = new int[capacity];
        links = new long[capacity];
        size = new long[capacity];
        blocks = new long[capacity];
        parent = new long[capacity];
        refs = new int[capacity];
        foundParent = new long[capacity];
        foundAt = new long[capacity];
        state = new int[capacity];
    }

    int count() {
        return count;
    }

    /**
     * Adds inode {@code ino}; inodes are usually added in ascending order (pass 1), but fsck's
     * own new inodes (a recreated root, a new lost+found) may go anywhere.
     */
    int add(long ino, int inodeMode, long inodeLinks, long inodeSize, long inodeParent) {
        if (count == number.length) {
            grow();
        }
        int at = count;
        if (count > 0 && number[count - 1] >= ino) {
            int found = Arrays.binarySearch(number, 0, count, ino);
            if (found >= 0) {
                throw new IllegalStateException("inode " + ino + " is already in the census");
            }
            at = -found - 1;
            shift(at);
        }
        number[at] = ino;
        mode[at] = inodeMode;
        links[at] = inodeLinks;
        size[at] = inodeSize;
        blocks[at] = 0;
        parent[at] = inodeParent;
        refs[at] = 0;
        foundParent[at] = 0;
        foundAt[at] = -1;
        state[at] = 0;
        count++;
        return at;
    }

    /** Makes entry {@code i} describe a new inode fsck wrote in place of one it cleared. */
    void reset(int i, int inodeMode, long inodeLinks, long inodeSize, long inodeParent) {
        mode[i] = inodeMode;
        links[i] = inodeLinks;
        size[i] = inodeSize;
        blocks[i] = 0;
        parent[i] = inodeParent;
        refs[i] = 0;
        foundParent[i] = 0;
        foundAt[i] = -1;
        state[i] = 0;
    }

    /** The index of inode {@code ino}, or -1 when it is not in the census. */
    int indexOf(long ino) {
        int i = Arrays.binarySearch(number, 0, count, ino);
        return i >= 0 ? i : -1;
    }

    /** The index of {@code ino} if it is in use (in the census and not gone), else -1. */
    int liveIndexOf(long ino) {
        int i = indexOf(ino);
        return i >= 0 && !has(i, GONE) ? i : -1;
    }

    /** The first index whose inode number is at least {@code ino}. */
    int firstAtOrAbove(long ino) {
        int i = Arrays.binarySearch(number, 0, count, ino);
        return i >= 0 ? i : -i - 1;
    }

    long number(int i) {
        return number[i];
    }

    int mode(int i) {
        return mode[i];
    }

    void setMode(int i, int m) {
        mode[i] = m;
    }

    boolean isDirectory(int i) {
        return (mode[i] & Inode.S_IFMT) == Inode.S_IFDIR;
    }

    long links(int i) {
        return links[i];
    }

    void setLinks(int i, long l) {
        links[i] = l;
    }

    long size(int i) {
        return size[i];
    }

    void setSize(int i, long s) {
        size[i] = s;
    }

    /** Blocks the inode was found to own (data, extent nodes, directory blocks, attribute block). */
    long blocks(int i) {
        return blocks[i];
    }

    void setBlocks(int i, long b) {
        blocks[i] = b;
    }

    /** The parent field of a directory. */
    long parent(int i) {
        return parent[i];
    }

    void setParent(int i, long p) {
        parent[i] = p;
    }

    /** Directory entries naming the inode (pass 2, then 3 and 4). */
    int refs(int i) {
        return refs[i];
    }

    void addRef(int i, int delta) {
        refs[i] += delta;
    }

    /** For a directory: the directory holding the entry that names it (0: none found). */
    long foundParent(int i) {
        return foundParent[i];
    }

    void setFoundParent(int i, long dir) {
        foundParent[i] = dir;
    }

    /** For a directory: where the entry naming it is ({@link EntryId}), -1 when it is no stored entry. */
    long foundAt(int i) {
        return foundAt[i];
    }

    void setFoundAt(int i, long entryId) {
        foundAt[i] = entryId;
    }

    boolean has(int i, int flag) {
        return (state[i] & flag) != 0;
    }

    void set(int i, int flag) {
        state[i] |= flag;
    }

    void unset(int i, int flag) {
        state[i] &= ~flag;
    }

    private void grow() {
        int capacity = number.length + (number.length >> 1) + 16;
        number = Arrays.copyOf(number, capacity);
        mode = Arrays.copyOf(mode, capacity);
        links = Arrays.copyOf(links, capacity);
        size = Arrays.copyOf(size, capacity);
        blocks = Arrays.copyOf(blocks, capacity);
        parent = Arrays.copyOf(parent, capacity);
        refs = Arrays.copyOf(refs, capacity);
        foundParent = Arrays.copyOf(foundParent, capacity);
        foundAt = Arrays.copyOf(foundAt, capacity);
        state = Arrays.copyOf(state, capacity);
    }

    private void shift(int at) {
        int n = count - at;
        System.arraycopy(number, at, number, at + 1, n);
        System.arraycopy(mode, at, mode, at + 1, n);
        System.arraycopy(links, at, links, at + 1, n);
        System.arraycopy(size, at, size, at + 1, n);
        System.arraycopy(blocks, at, blocks, at + 1, n);
        System.arraycopy(parent, at, parent, at + 1, n);
        System.arraycopy(refs, at, refs, at + 1, n);
        System.arraycopy(foundParent, at, foundParent, at + 1, n);
        System.arraycopy(foundAt, at, foundAt, at + 1, n);
        System.arraycopy(state, at, state, at + 1, n);
    }
}
