package org.quillfs.mount;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The names the mount has looked up: (directory inode, name) to the inode it names, so that the
 * paths libfuse 2 passes with every request resolve without a facade lookup per component.
 *
 * <h2>Why</h2>
 * The high-level libfuse 2 API names files by path, so nearly every request (getattr, getxattr,
 * chmod, chown, utimens, open, and the parent of create, mkdir, unlink, rename) starts by
 * resolving a path from the root: one read transaction and one directory-tree search per
 * component. Measured on an untar of /usr/include (8,758 entries, about 13 requests each, most of
 * them path-based), that resolution was about a quarter of the daemon's CPU time.
 *
 * <h2>What it holds, and why it stays right</h2>
 * Only positive entries, keyed by the directory's inode number (not by path), so renaming a
 * directory does not make the entries of its children wrong. Every change to a name on the
 * filesystem goes through this mount (the daemon holds the image's lock): the adapter calls
 * {@link #changing} before unlink, rmdir and rename and {@link #changed} after them with the
 * (directory, name) pairs that may now name something else or nothing. Creating a name needs no
 * invalidation, because absences are not cached. A directory can only be removed when it is
 * empty, so its children's entries were all removed before its inode number can be reused.
 *
 * <h2>Races</h2>
 * A lookup that reads the filesystem while a change is in progress could cache what the change
 * is undoing. So {@link #stamp} hands out the generation only when no change is in flight, every
 * {@code changing} and {@code changed} advances the generation, and {@link #put} stores only if
 * the generation is still the one stamped: a lookup that overlapped a change, even partly, is
 * not cached. All of this happens under one monitor; the critical sections are a few map
 * operations.
 *
 * <h2>Bounds</h2>
 * At most {@code capacity} entries, the least recently used evicted first (about 100 bytes an
 * entry).
 */
final class NameCache {

    /** What {@link #get} returns for a name that is not cached. */
    static final long MISSING = -1;
    /** What {@link #stamp} returns while a change is in flight: {@link #put} then stores nothing. */
    static final long NO_STAMP = -1;

    private record Key(long dir, byte[] name) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.dir == dir && Arrays.equals(k.name, name);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(dir) * 31 + Arrays.hashCode(name);
        }
    }

    private final Map<Key, Long> entries;
    /** Guarded by this. Advanced by every changing() and changed(). */
    private long generation;
    /** Guarded by this. Changes between changing() and changed(). */
    private int changesInFlight;

    NameCache(int capacity) {
        this.entries = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Long> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The inode {@code name} in {@code dir} was last seen to name, or {@link #MISSING}. */
    synchronized long get(long dir, byte[] name) {
        Long inode = entries.get(new Key(dir, name));
        return inode == null ? MISSING : inode;
    }

    /** Taken before looking a name up on the filesystem; passed to {@link #put}. */
    synchronized long stamp() {
        return changesInFlight == 0 ? generation : NO_STAMP;
    }

    /** Caches what a lookup stamped {@code stamp} found, unless a change overlapped it. */
    synchronized void put(long stamp, long dir, byte[] name, long inode) {
        if (stamp != NO_STAMP && stamp == generation && changesInFlight == 0) {
            entries.put(new Key(dir, name.clone()), inode);
        }
    }

    /** Called before a change to names; every call is followed by one {@link #changed}. */
    synchronized void changing() {
        changesInFlight++;
        generation++;
    }

    /**
     * Called after a change (whether it succeeded or not) with the names it may have changed, as
     * pairs of directory inode and name.
     */
    synchronized void changed(long dir, byte[] name) {
        entries.remove(new Key(dir, name));
        finish();
    }

    synchronized void changed(long dir, byte[] name, long otherDir, byte[] otherName) {
        entries.remove(new Key(dir, name));
        entries.remove(new Key(otherDir, otherName));
        finish();
    }

    private void finish() {
        if (changesInFlight <= 0) {
            throw new IllegalStateException("NameCache.changed without a matching changing()");
        }
        changesInFlight--;
        generation++;
    }

    synchronized int size() {
        return entries.size();
    }
}
