package org.quillfs.fsck;

import java.util.ArrayList;
import java.util.List;
import org.quillfs.format.DirectoryKeys;
import org.quillfs.format.Inode;
import org.quillfs.format.Limits;

/**
 * Pass 3: directory connectivity. The root must exist (else it is made anew, empty) and so must
 * /lost+found. Every directory must reach the root by following, from each directory, the one
 * that holds its entry (pass 2); one that does not — no entry names it, or the chain runs in a
 * loop — is connected to /lost+found as {@code #<inode>} (its old entry, inside the loop, goes).
 * Then each directory's parent field, which is its {@code ..}, must name that directory.
 */
final class Pass3 {

    private final Checker c;
    private final Questions q;
    private final InodeCensus census;

    Pass3(Checker checker) {
        this.c = checker;
        this.q = checker.questions;
        this.census = checker.census;
    }

    void run() {
        q.header("Pass 3: Checking directory connectivity");
        c.paths.invalidate();
        int root = root();
        if (root < 0) {
            q.failed("Cannot check directory connectivity without a root directory.");
            return;
        }
        census.set(root, InodeCensus.REACHED | InodeCensus.CONNECTIVITY_DONE);
        census.setFoundParent(root, Limits.ROOT_INODE);
        c.lostAndFound.get();
        int n = census.count();
        int[] walkOf = new int[n];
        int walkId = 0;
        List<Integer> chain = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!live(i) || census.has(i, InodeCensus.CONNECTIVITY_DONE)) {
                continue;
            }
            walkId++;
            chain.clear();
            int cur = i;
            while (true) {
                if (census.has(cur, InodeCensus.CONNECTIVITY_DONE)) {
                    finish(chain, census.has(cur, InodeCensus.REACHED));
                    break;
                }
                walkOf[cur] = walkId;
                chain.add(cur);
                long parent = census.foundParent(cur);
                int p = parent == 0 ? -1 : census.liveIndexOf(parent);
                if (p < 0 || !census.isDirectory(p) || walkOf[p] == walkId) {
                    finish(chain, reconnect(cur));
                    break;
                }
                cur = p;
            }
        }
        c.paths.invalidate();
        dotDot();
    }

    private boolean live(int i) {
        return census.isDirectory(i) && !census.has(i, InodeCensus.GONE);
    }

    private void finish(List<Integer> chain, boolean reached) {
        for (int i : chain) {
            census.set(i, InodeCensus.CONNECTIVITY_DONE | (reached ? InodeCensus.REACHED : 0));
        }
    }

    /** The root's census index, made anew if it is missing (asking); -1 when there is none. */
    private int root() {
        int i = census.liveIndexOf(Limits.ROOT_INODE);
        if (i >= 0 && census.isDirectory(i)) {
            return i;
        }
        if (!q.ask("Root inode not allocated.", Question.ALLOCATE, false)) {
            return -1;
        }
        return c.makeDirectory(Limits.ROOT_INODE, 0755, Limits.ROOT_INODE, 0, 0);
    }

    /** Connects directory {@code i} to /lost+found (asking); returns whether it is now connected. */
    private boolean reconnect(int i) {
        long ino = census.number(i);
        long dotDot = census.parent(i);
        String was = dotDot == 0 ? "" : " (was in " + c.paths.describe(dotDot) + ")";
        if (!q.ask("Unconnected directory inode " + ino + was + ".", Question.CONNECT, false)) {
            return false;
        }
        long lostAndFound = c.lostAndFound.get();
        int l = lostAndFound <= 0 ? -1 : census.liveIndexOf(lostAndFound);
        if (l < 0) {
            q.failed("Cannot connect directory inode " + ino + ": there is no /lost+found.");
            return false;
        }
        long oldParent = census.foundParent(i);
        if (oldParent != 0 && census.foundAt(i) >= 0) {
            c.edits.drop(oldParent, census.foundAt(i)); // its entry inside the loop
            census.addRef(i, -1);
        }
        c.edits.add(lostAndFound, "#" + ino, ino, DirectoryKeys.DT_DIR);
        census.addRef(i, 1);
        census.setFoundParent(i, lostAndFound);
        census.setFoundAt(i, -1);
        c.setStoredLinks(l, census.links(l) + 1);
        if (census.parent(i) != lostAndFound) {
            setParent(i, lostAndFound);
        }
        c.paths.invalidate();
        return true;
    }

    /** Each reached directory's parent field must name the directory holding its entry (the root: itself). */
    private void dotDot() {
        for (int i = 0; i < census.count(); i++) {
            if (!live(i) || !census.has(i, InodeCensus.REACHED)) {
                continue;
            }
            long ino = census.number(i);
            long expected = ino == Limits.ROOT_INODE ? Limits.ROOT_INODE : census.foundParent(i);
            long found = census.parent(i);
            if (found != expected) {
                String foundPath = found == 0 ? "<no inode>" : c.paths.of(found);
                if (q.ask("'..' in " + c.paths.describe(ino) + " is " + foundPath + " (" + found + "), should be "
                        + c.paths.describe(expected) + ".", Question.FIX, true)) {
                    setParent(i, expected);
                }
            }
        }
    }

    private void setParent(int i, long parent) {
        long ino = census.number(i);
        Inode inode = c.volume.readInode(ino);
        c.volume.writeInode(ino, inode.withParent(parent));
        census.setParent(i, parent);
    }
}
