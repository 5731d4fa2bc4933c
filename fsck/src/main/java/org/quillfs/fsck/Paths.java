package org.quillfs.fsck;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.quillfs.format.Inode;
import org.quillfs.format.Limits;

/**
 * Path names of directories for messages: the chain of parents up to the root — the directory
 * pass 2 found the entry in where known, else the parent field — with each name looked up in
 * its parent. Only problems print paths, so the lookups cost only when something is wrong.
 * A chain that breaks or loops shows as {@code ???}.
 */
final class Paths {

    private static final int MAX_DEPTH = 256;

    private final Checker c;
    private final Map<Long, String> cache = new HashMap<>();

    Paths(Checker checker) {
        this.c = checker;
    }

    /** Forgets what it knew: parents changed. */
    void invalidate() {
        cache.clear();
    }

    /** {@code /a/b} for a directory, {@code ???} when it cannot be told. */
    String of(long dir) {
        if (dir == Limits.ROOT_INODE) {
            return "/";
        }
        String cached = cache.get(dir);
        if (cached != null) {
            return cached;
        }
        Deque<String> parts = new ArrayDeque<>();
        Set<Long> seen = new HashSet<>();
        long cur = dir;
        String result = null;
        while (cur != Limits.ROOT_INODE) {
            int i = c.census.liveIndexOf(cur);
            if (i < 0 || !seen.add(cur) || parts.size() >= MAX_DEPTH) {
                result = "???";
                break;
            }
            long parent = c.census.foundParent(i);
            if (parent == 0 && c.census.isDirectory(i)) {
                parent = c.census.parent(i);
            }
            String name = parent == 0 ? null : nameIn(parent, cur);
            if (name == null) {
                parts.addFirst("???");
                break;
            }
            parts.addFirst(name);
            cur = parent;
        }
        if (result == null) {
            result = "/" + String.join("/", parts);
        }
        cache.put(dir, result);
        return result;
    }

    /** {@code /a/b (14)}. */
    String describe(long dir) {
        return of(dir) + " (" + dir + ")";
    }

    /** The name of the entry in directory {@code dir} that names {@code child}, or null. */
    private String nameIn(long dir, long child) {
        int i = c.census.liveIndexOf(dir);
        if (i < 0 || !c.census.isDirectory(i)) {
            return null;
        }
        byte[] pending = c.edits.addedName(dir, child);
        if (pending != null) {
            return Names.show(pending);
        }
        Inode inode = c.volume.readInode(dir);
        String[] found = new String[1];
        DirectoryWalk.walk(c.volume, dir, inode.data(), e -> {
            if (found[0] == null && e.inode() == child) {
                found[0] = Names.show(e.name());
            }
        });
        return found[0];
    }
}
