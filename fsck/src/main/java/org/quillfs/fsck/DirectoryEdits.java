package org.quillfs.fsck;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.quillfs.format.DirEntry;
import org.quillfs.format.DirectoryKeys;
import org.quillfs.format.Inode;

/**
 * The changes passes 2–4 decide for directories — entries to drop, rename or retype, entries to
 * add (lost+found), trees to rebuild — applied together after pass 4, each changed directory
 * rewritten once: its entries read again (by a walk that gives the same entry ids as pass 2's),
 * changed, given valid unique keys, and written as a fresh tree ({@link DirectoryWriter}) into
 * its old blocks where they suffice.
 */
final class DirectoryEdits {

    private static final class Edit {
        final Set<Long> dropped = new HashSet<>();
        final Map<Long, byte[]> renamed = new HashMap<>();
        final Map<Long, Integer> retyped = new HashMap<>();
        final List<DirEntry> added = new ArrayList<>();
    }

    private final Checker c;
    private final TreeMap<Long, Edit> edits = new TreeMap<>();

    DirectoryEdits(Checker checker) {
        this.c = checker;
    }

    private Edit of(long dir) {
        return edits.computeIfAbsent(dir, d -> new Edit());
    }

    /** The directory is rewritten even if no entry changes (its tree is damaged). */
    void rewrite(long dir) {
        of(dir);
    }

    boolean rewrites(long dir) {
        return edits.containsKey(dir);
    }

    void drop(long dir, long entryId) {
        of(dir).dropped.add(entryId);
    }

    void rename(long dir, long entryId, byte[] name) {
        of(dir).renamed.put(entryId, name);
    }

    void retype(long dir, long entryId, int fileType) {
        of(dir).retyped.put(entryId, fileType);
    }

    /** Adds entry {@code name} → {@code inode}; returns the name used (made unique in the directory). */
    byte[] add(long dir, String name, long inode, int fileType) {
        Edit e = of(dir);
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        e.added.add(new DirEntry(0, inode, fileType, bytes));
        return bytes;
    }

    /** The name of an entry waiting to be added to {@code dir} for {@code child}, or null. */
    byte[] addedName(long dir, long child) {
        Edit e = edits.get(dir);
        if (e != null) {
            for (DirEntry d : e.added) {
                if (d.inode() == child) {
                    return d.name();
                }
            }
        }
        return null;
    }

    /** Rewrites every directory with an edit. */
    void apply() {
        for (var entry : edits.entrySet()) {
            long dir = entry.getKey();
            int i = c.census.liveIndexOf(dir);
            if (i < 0 || !c.census.isDirectory(i)) {
                continue;
            }
            apply(dir, i, entry.getValue());
        }
    }

    private void apply(long dir, int i, Edit edit) {
        Inode inode = c.volume.readInode(dir);
        List<DirEntry> entries = new ArrayList<>();
        DirectoryWalk.Result walk = DirectoryWalk.walk(c.volume, dir, inode.data(), e -> {
            if (edit.dropped.contains(e.id())) {
                return;
            }
            byte[] name = edit.renamed.getOrDefault(e.id(), e.name());
            int type = edit.retyped.getOrDefault(e.id(), e.fileType());
            entries.add(new DirEntry(e.key(), e.inode(), type, name));
        });
        if (walk.fatal() != null) {
            c.questions.failed("Directory inode " + dir + " cannot be rewritten: " + walk.fatal() + ".");
            return;
        }
        Set<String> names = new HashSet<>();
        for (DirEntry e : entries) {
            names.add(new String(e.name(), StandardCharsets.ISO_8859_1));
        }
        for (DirEntry added : edit.added) {
            byte[] name = added.name();
            String base = new String(name, StandardCharsets.ISO_8859_1);
            String unique = base;
            for (int n = 1; names.contains(unique); n++) {
                unique = base + "." + n;
            }
            names.add(unique);
            entries.add(new DirEntry(0, added.inode(), added.fileType(), unique.getBytes(StandardCharsets.ISO_8859_1)));
        }
        entries.removeIf(e -> DirectoryKeys.nameProblem(e.name()).isPresent() || e.inode() == 0
                || e.inode() > 0xFFFF_FFFFL || !isFileType(e.fileType()));
        List<DirEntry> keyed = keyed(entries);
        long[] old = walk.blocks();
        int need = DirectoryWriter.blocksFor(keyed, c.volume.blockSize);
        for (long b : old) {
            c.claims.release(b);
        }
        long goal = old.length > 0 ? old[0] : c.geometry.groupStart(c.geometry.groupOfInode(dir));
        List<Long> blocks = new ArrayList<>();
        for (int k = 0; k < need; k++) {
            long nr = c.claims.allocateOne(k < old.length ? old[k] : -1, goal);
            if (nr < 0) {
                blocks.forEach(c.claims::release);
                for (long b : old) {
                    c.claims.claim(b, 1);
                }
                c.questions.failed("Directory inode " + dir + " (" + c.paths.of(dir)
                        + ") cannot be rewritten: no free blocks left.");
                return;
            }
            blocks.add(nr);
        }
        Iterator<Long> supply = blocks.iterator();
        DirectoryWriter.Written written = DirectoryWriter.write(c.volume, dir, keyed, supply::next);
        long others = Math.max(0, c.census.blocks(i) - old.length); // the attribute block
        long count = written.blocks().size() + others;
        Inode updated = inode.withData(written.root().encode(), inode.flags()).withBlocks(count)
                .withSize(count * c.volume.blockSize);
        c.volume.writeInode(dir, updated);
        c.census.setBlocks(i, count);
        c.census.setSize(i, updated.size());
    }

    static boolean isFileType(int type) {
        return type == DirectoryKeys.DT_FIFO || type == DirectoryKeys.DT_CHR || type == DirectoryKeys.DT_DIR
                || type == DirectoryKeys.DT_BLK || type == DirectoryKeys.DT_REG || type == DirectoryKeys.DT_LNK
                || type == DirectoryKeys.DT_SOCK;
    }

    /** The entries with valid, unique keys (kept where they are right, else the lowest free sequence), sorted. */
    private List<DirEntry> keyed(List<DirEntry> entries) {
        long k0 = c.superblock.dirHashKey0();
        long k1 = c.superblock.dirHashKey1();
        Set<Long> used = new HashSet<>();
        List<DirEntry> out = new ArrayList<>(entries.size());
        List<DirEntry> rekey = new ArrayList<>();
        for (DirEntry e : entries) {
            long hash = DirectoryKeys.hash48(k0, k1, e.name());
            if (e.key() >= 1L << 15 && DirectoryKeys.hashOf(e.key()) == hash && used.add(e.key())) {
                out.add(e);
            } else {
                rekey.add(e);
            }
        }
        for (DirEntry e : rekey) {
            long hash = DirectoryKeys.hash48(k0, k1, e.name());
            for (int seq = 0; seq <= DirectoryKeys.MAX_SEQ; seq++) {
                long key = DirectoryKeys.key(hash, seq);
                if (used.add(key)) {
                    out.add(new DirEntry(key, e.inode(), e.fileType(), e.name()));
                    break;
                }
            }
        }
        out.sort(Comparator.comparingLong(DirEntry::key));
        return out;
    }

}
