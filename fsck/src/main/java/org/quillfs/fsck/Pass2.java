package org.quillfs.fsck;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.quillfs.format.DirectoryKeys;
import org.quillfs.format.DirectoryRoot;
import org.quillfs.format.Inode;
import org.quillfs.format.Limits;

/**
 * Pass 2: every directory's blocks and entries. A directory whose tree pass 1 found damaged is
 * reported and salvaged (rewritten from the entries that can still be read). Each entry must
 * have a valid name (1–255 bytes, no {@code /} or NUL, not {@code .} or {@code ..}), name an inode
 * in use that is not reserved, not the directory itself and not the root, carry that inode's
 * file type and a key that is its name's hash, and be the only entry of its name; a directory may
 * be named by one entry only. What survives counts as a reference (pass 4) and, for a
 * directory, as where it was found (pass 3).
 */
final class Pass2 {

    private final Checker c;
    private final Questions q;
    private final long k0;
    private final long k1;

    Pass2(Checker checker) {
        this.c = checker;
        this.q = checker.questions;
        this.k0 = checker.superblock.dirHashKey0();
        this.k1 = checker.superblock.dirHashKey1();
    }

    void run() {
        q.header("Pass 2: Checking directory structure");
        c.progress.start("Pass 2");
        int n = c.census.count();
        for (int i = 0; i < n; i++) {
            if (c.census.isDirectory(i) && !c.census.has(i, InodeCensus.GONE)) {
                directory(i);
            }
            c.progress.update(i + 1, n);
        }
    }

    private void directory(int i) {
        long dir = c.census.number(i);
        Inode inode = c.volume.readInode(dir);
        byte[] data = inode.data();
        boolean damaged = c.census.has(i, InodeCensus.DIR_DAMAGED);
        if (damaged) {
            DirectoryWalk.Result first = DirectoryWalk.walk(c.volume, dir, data, null);
            List<String> problems = first.problems();
            int shown = Math.min(problems.size(), 10);
            String where = "Directory inode " + dir + " (" + c.paths.of(dir) + ")";
            for (int k = 0; k < shown - 1; k++) {
                q.line(where + ": " + problems.get(k) + ".");
            }
            String last = problems.isEmpty() ? "has a damaged tree"
                    : problems.size() > shown ? "... and " + (problems.size() - shown + 1) + " more problems"
                    : problems.get(shown - 1);
            if (q.ask(where + ": " + last + ".", Question.SALVAGE, true)) {
                c.edits.rewrite(dir);
            }
        }
        Entries entries = new Entries(dir, damaged);
        DirectoryWalk.Result walk = DirectoryWalk.walk(c.volume, dir, data, entries::entry);
        entries.finish(data);
        if (!c.edits.rewrites(dir) && walk.fatal() == null && walk.storedCount() != walk.entries()) {
            if (q.ask("Directory inode " + dir + " (" + c.paths.of(dir) + ") counts " + walk.storedCount()
                    + " entries, but holds " + walk.entries() + ".", Question.FIX, true)) {
                DirectoryRoot root = DirectoryRoot.decode(data);
                c.volume.writeInode(dir, inode.withData(
                        new DirectoryRoot(root.depth(), root.rootBlock(), walk.entries()).encode(), inode.flags()));
            }
        }
    }

    /** The entries of one directory. */
    private final class Entries {
        private final long dir;
        /** All names (a damaged tree is not in key order, so duplicates need not be neighbours). */
        private final Set<String> allNames;
        /** In a sound tree names of one hash are neighbours: the names of the current hash run. */
        private long runHash = -1;
        private final List<String> runNames = new ArrayList<>();
        /** Entries whose key is not their name's hash: checked for duplicates once the walk is done. */
        private final List<DirectoryWalk.Entry> misplaced = new ArrayList<>();
        private String where;

        Entries(long dir, boolean damaged) {
            this.dir = dir;
            this.allNames = damaged ? new HashSet<>() : null;
        }

        private String where() {
            if (where == null) {
                where = c.paths.describe(dir);
            }
            return where;
        }

        void entry(DirectoryWalk.Entry e) {
            byte[] name = e.name();
            String shown = Names.show(name);
            String what = "Entry '" + shown + "' in " + where();
            if (name.length == 0) {
                drop(e, "Entry with an empty name in " + where() + ".");
                return;
            }
            if (name[0] == '.' && (name.length == 1 || name.length == 2 && name[1] == '.')) {
                drop(e, what + " is a stored '" + shown + "' entry ('.' and '..' are never stored).", true);
                return;
            }
            if (hasIllegalByte(name)) {
                if (q.ask(what + " has illegal characters in its name.", Question.FIX, true)) {
                    name = name.clone();
                    for (int k = 0; k < name.length; k++) {
                        if (name[k] == '/' || name[k] == 0) {
                            name[k] = '.';
                        }
                    }
                    c.edits.rename(dir, e.id(), name);
                }
            }
            long ino = e.inode();
            if (ino == 0) {
                drop(e, what + " has inode number 0.");
                return;
            }
            if (ino > c.geometry.inodeCount() || Checker.isReserved(ino)) {
                drop(e, what + " has bad inode #: " + ino + ".");
                return;
            }
            int t = c.census.liveIndexOf(ino);
            if (t < 0) {
                drop(e, what + " has deleted/unused inode " + ino + ".", true);
                return;
            }
            if (ino == dir) {
                drop(e, what + " is a link to '.'.");
                return;
            }
            if (ino == Limits.ROOT_INODE) {
                drop(e, what + " is a link to the root directory.");
                return;
            }
            if (c.census.isDirectory(t) && c.census.foundParent(t) != 0) {
                drop(e, what + " is a link to directory " + c.paths.describe(ino) + ".");
                return;
            }
            int type = c.fileType(t);
            if (e.fileType() != type && q.ask(what + " has file type " + e.fileType() + ", should be " + type + ".",
                    Question.FIX, true)) {
                c.edits.retype(dir, e.id(), type);
            }
            long hash = DirectoryKeys.hash48(k0, k1, name);
            boolean keyRight = e.key() >= 1L << 15 && DirectoryKeys.hashOf(e.key()) == hash;
            if (!keyRight) {
                if (q.ask(what + " has a key that is not its name's hash.", Question.FIX, true)) {
                    c.edits.rewrite(dir);
                }
                if (allNames == null) {
                    misplaced.add(new DirectoryWalk.Entry(e.id(), e.key(), ino, e.fileType(), name));
                    return;
                }
            }
            if (duplicate(name, hash)) {
                drop(e, "Duplicate entry '" + Names.show(name) + "' found in " + where() + ".");
                return;
            }
            accept(e, t);
        }

        /** Entries whose keys were wrong: duplicates of names found in their right place, or of each other? */
        void finish(byte[] data) {
            if (misplaced.isEmpty()) {
                return;
            }
            Set<Long> hashes = new HashSet<>();
            for (DirectoryWalk.Entry e : misplaced) {
                hashes.add(DirectoryKeys.hash48(k0, k1, e.name()));
            }
            Set<String> names = new HashSet<>();
            DirectoryWalk.walk(c.volume, dir, data, e -> {
                if (e.key() >= 1L << 15 && hashes.contains(DirectoryKeys.hashOf(e.key()))
                        && DirectoryKeys.hashOf(e.key()) == DirectoryKeys.hash48(k0, k1, e.name())) {
                    names.add(key(e.name()));
                }
            });
            for (DirectoryWalk.Entry e : misplaced) {
                if (!names.add(key(e.name()))) {
                    drop(e, "Duplicate entry '" + Names.show(e.name()) + "' found in " + where() + ".");
                    continue;
                }
                int t = c.census.liveIndexOf(e.inode());
                if (c.census.isDirectory(t) && c.census.foundParent(t) != 0) {
                    drop(e, "Entry '" + Names.show(e.name()) + "' in " + where() + " is a link to directory "
                            + c.paths.describe(e.inode()) + ".");
                    continue;
                }
                accept(e, t);
            }
        }

        private boolean duplicate(byte[] name, long hash) {
            String k = key(name);
            if (allNames != null) {
                return !allNames.add(k);
            }
            if (hash != runHash) {
                runHash = hash;
                runNames.clear();
            }
            if (runNames.contains(k)) {
                return true;
            }
            runNames.add(k);
            return false;
        }

        private void accept(DirectoryWalk.Entry e, int t) {
            c.census.addRef(t, 1);
            if (c.census.isDirectory(t)) {
                c.census.setFoundParent(t, dir);
                c.census.setFoundAt(t, e.id());
            }
            if (dir == Limits.ROOT_INODE && c.lostAndFoundEntryInode == 0
                    && java.util.Arrays.equals(e.name(), "lost+found".getBytes(StandardCharsets.US_ASCII))) {
                c.lostAndFoundEntryInode = e.inode();
                c.lostAndFoundEntryId = e.id();
            }
        }

        private void drop(DirectoryWalk.Entry e, String problem) {
            drop(e, problem, false);
        }

        private void drop(DirectoryWalk.Entry e, String problem, boolean preenOk) {
            if (q.ask(problem, Question.CLEAR, preenOk)) {
                c.edits.drop(dir, e.id());
            }
        }
    }

    private static boolean hasIllegalByte(byte[] name) {
        for (byte b : name) {
            if (b == '/' || b == 0) {
                return true;
            }
        }
        return false;
    }

    private static String key(byte[] name) {
        return new String(name, StandardCharsets.ISO_8859_1);
    }

}
