package org.quillfs.fsck;

/**
 * Pass 4: reference counts. A directory has 2 links plus one per subdirectory (1 when that would
 * pass 65,000, as ext4's dir_nlink); any other inode one per entry naming it. An inode no entry
 * names is connected to /lost+found as {@code #<inode>}, or freed when it holds nothing (no
 * blocks, size 0). Inodes left on the orphan list ("no" to freeing them) are left alone.
 */
final class Pass4 {

    private static final long MAX_LINKS = Pass1.MAX_LINKS;

    private final Checker c;
    private final Questions q;
    private final InodeCensus census;

    Pass4(Checker checker) {
        this.c = checker;
        this.q = checker.questions;
        this.census = checker.census;
    }

    void run() {
        q.header("Pass 4: Checking reference counts");
        int n = census.count();
        int[] subdirectories = new int[n];
        for (int i = 0; i < n; i++) {
            if (census.isDirectory(i) && !census.has(i, InodeCensus.GONE) && census.has(i, InodeCensus.REACHED)
                    && census.number(i) != org.quillfs.format.Limits.ROOT_INODE) {
                int p = census.liveIndexOf(census.foundParent(i));
                if (p >= 0) {
                    subdirectories[p]++;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (census.has(i, InodeCensus.GONE) || census.has(i, InodeCensus.ORPHAN)) {
                continue;
            }
            long ino = census.number(i);
            long expected;
            if (census.isDirectory(i)) {
                if (!census.has(i, InodeCensus.REACHED)) {
                    continue;
                }
                expected = 2L + subdirectories[i];
                if (expected > MAX_LINKS) {
                    expected = 1;
                }
            } else {
                if (census.refs(i) == 0 && !unattached(i)) {
                    continue;
                }
                expected = Math.min(census.refs(i), MAX_LINKS);
            }
            if (census.links(i) != expected && q.ask("Inode " + ino + " ref count is " + census.links(i)
                    + ", should be " + expected + ".", Question.FIX, true)) {
                c.setStoredLinks(i, expected);
            }
        }
    }

    /** An inode no entry names: to /lost+found, or freed if empty; returns whether it is now named. */
    private boolean unattached(int i) {
        long ino = census.number(i);
        if (census.blocks(i) == 0 && census.size(i) == 0) {
            if (q.ask("Unattached zero-length inode " + ino + ".", Question.CLEAR, true)) {
                c.volume.clearInode(ino);
                c.gone(i);
            }
            return false;
        }
        if (!q.ask("Unattached inode " + ino + " (mode " + Checker.octal(census.mode(i)) + ", size "
                + census.size(i) + ").", Question.CONNECT, false)) {
            return false;
        }
        long lostAndFound = c.lostAndFound.get();
        if (lostAndFound <= 0) {
            q.failed("Cannot connect inode " + ino + ": there is no /lost+found.");
            return false;
        }
        c.edits.add(lostAndFound, "#" + ino, ino, c.fileType(i));
        census.addRef(i, 1);
        return true;
    }

}
