package org.quillfs.crash;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.quillfs.fs.Attributes;
import org.quillfs.fs.DirectoryEntry;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.OpenFlags;
import org.quillfs.format.DirectoryKeys;
import org.quillfs.format.Timestamp;

/**
 * Everything a program can see under one directory of a filesystem, by path: what the crash
 * oracle compares. A file's bytes are kept apart from the rest of its inode ({@link Node#data}),
 * because in data=ordered mode a crash may leave bytes of an overwrite whose transaction never
 * committed (docs/JOURNAL.md, "File data"): the oracle compares metadata exactly and data byte by
 * byte against every version the file had ({@link CrashOracle}).
 *
 * <p>Access times are left out: the campaign mounts with {@code noatime}, and the snapshot of a
 * recovered image is taken read-only, so they never change, but they are not what a crash test
 * is about. Everything else {@code stat} shows is in, with symlink targets, extended attributes
 * and each directory's entry types.
 */
final class TreeState {

    /** One name: its inode, and (for regular files) the bytes it holds. */
    record Node(long inode, long generation, int mode, long links, long uid, long gid, long size, long blocks,
            long rdev, Timestamp mtime, Timestamp ctime, Timestamp btime, int entryType, String target,
            Map<String, String> xattrs, byte[] data) {

        /** Everything but {@link #data}: what must match exactly. */
        String metadata() {
            return "inode " + inode + " gen " + generation + " mode 0" + Integer.toOctalString(mode) + " links " + links
                    + " uid " + uid + " gid " + gid + " size " + size + " blocks " + blocks + " rdev " + rdev
                    + " mtime " + mtime + " ctime " + ctime + " btime " + btime + " dtype " + entryType
                    + (target == null ? "" : " -> " + target) + (xattrs.isEmpty() ? "" : " xattrs " + xattrs);
        }

        boolean sameMetadata(Node other) {
            return inode == other.inode && generation == other.generation && mode == other.mode
                    && links == other.links && uid == other.uid && gid == other.gid && size == other.size
                    && blocks == other.blocks && rdev == other.rdev && mtime.equals(other.mtime)
                    && ctime.equals(other.ctime) && btime.equals(other.btime) && entryType == other.entryType
                    && Objects.equals(target, other.target) && xattrs.equals(other.xattrs);
        }

        boolean isFile() {
            return data != null;
        }
    }

    /** Path (absolute, "/" for the root) → node, in path order. */
    final TreeMap<String, Node> nodes;

    private TreeState(TreeMap<String, Node> nodes) {
        this.nodes = nodes;
    }

    TreeState copy() {
        return new TreeState(new TreeMap<>(nodes));
    }

    /** The tree under the root of {@code fs}. */
    static TreeState of(FileSystem fs) {
        return of(fs, FileSystem.ROOT, "/");
    }

    /** The tree under directory {@code dir}, whose path is {@code path}. */
    static TreeState of(FileSystem fs, long dir, String path) {
        TreeMap<String, Node> out = new TreeMap<>();
        walk(fs, dir, path, path.equals("/") ? -1 : DirectoryKeys.DT_DIR, out, 0);
        return new TreeState(out);
    }

    private static void walk(FileSystem fs, long inode, String path, int entryType, Map<String, Node> out, int depth) {
        Node node = node(fs, inode, entryType);
        out.put(path, node);
        if (!fs.getattr(inode).isDirectory()) {
            return;
        }
        if (depth > 64) {
            throw new IllegalStateException(path + ": directories nested deeper than 64: a loop?");
        }
        for (DirectoryEntry e : list(fs, inode)) {
            String name = new String(e.name(), StandardCharsets.ISO_8859_1);
            if (name.equals(".") || name.equals("..")) {
                continue;
            }
            walk(fs, e.inode(), path.equals("/") ? "/" + name : path + "/" + name, e.type(), out, depth + 1);
        }
    }

    private static Node node(FileSystem fs, long inode, int entryType) {
        Attributes a = fs.getattr(inode);
        String target = a.isSymlink() ? new String(fs.readlink(inode), StandardCharsets.ISO_8859_1) : null;
        byte[] data = a.isRegularFile() ? read(fs, inode, a.size()) : null;
        TreeMap<String, String> xattrs = new TreeMap<>();
        if (a.isRegularFile() || a.isDirectory()) {
            for (String name : fs.listxattr(inode)) {
                xattrs.put(name, digest(fs.getxattr(inode, name)));
            }
        }
        return new Node(inode, a.generation(), a.mode(), a.links(), a.uid(), a.gid(), a.size(), a.blocks(), a.rdev(),
                a.mtime(), a.ctime(), a.btime(), entryType, target, xattrs, data);
    }

    private static byte[] read(FileSystem fs, long inode, long size) {
        if (size > 64L << 20) {
            throw new IllegalStateException("inode " + inode + " claims " + size + " bytes: too large to compare");
        }
        long h = fs.open(inode, OpenFlags.O_RDONLY);
        try {
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining()) {
                if (fs.read(h, buf.position(), buf) <= 0) {
                    break;
                }
            }
            return Arrays.copyOf(buf.array(), buf.position());
        } finally {
            fs.release(h);
        }
    }

    private static List<DirectoryEntry> list(FileSystem fs, long dir) {
        List<DirectoryEntry> all = new ArrayList<>();
        long offset = 0;
        while (true) {
            List<DirectoryEntry> page = fs.readdir(dir, offset, 256);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            offset = page.get(page.size() - 1).nextOffset();
        }
    }

    /** An attribute value as its length and a hash, short enough to print. */
    private static String digest(byte[] value) {
        return value.length + ":" + Integer.toHexString(Arrays.hashCode(value));
    }

    /** Whether the two trees have the same paths with the same metadata (file bytes not compared). */
    boolean sameMetadata(TreeState other) {
        if (!nodes.keySet().equals(other.nodes.keySet())) {
            return false;
        }
        for (Map.Entry<String, Node> e : nodes.entrySet()) {
            if (!e.getValue().sameMetadata(other.nodes.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether this tree is {@code after} with a write (truncate, fallocate, punch) to inode
     * {@code inode} only partly done: the same paths and metadata, except that the file's size,
     * blocks, mtime and ctime may lie anywhere between what they were {@code before} and
     * {@code after} the operation.
     */
    boolean isPartWayThroughWrite(TreeState before, TreeState after, long inode) {
        if (!nodes.keySet().equals(after.nodes.keySet())) {
            return false;
        }
        for (Map.Entry<String, Node> e : nodes.entrySet()) {
            Node have = e.getValue();
            Node to = after.nodes.get(e.getKey());
            if (to.inode() != inode) {
                if (!have.sameMetadata(to)) {
                    return false;
                }
                continue;
            }
            Node from = before.nodes.get(e.getKey());
            if (from == null || from.inode() != inode || have.inode() != inode) {
                return false;
            }
            Node relaxed = new Node(to.inode(), to.generation(), to.mode(), to.links(), to.uid(), to.gid(), have.size(),
                    have.blocks(), to.rdev(), have.mtime(), have.ctime(), to.btime(), to.entryType(), to.target(),
                    to.xattrs(), to.data());
            if (!have.sameMetadata(relaxed) || !between(have.size(), from.size(), to.size())
                    || !between(have.blocks(), from.blocks(), to.blocks()) || !between(have.mtime(), from.mtime(), to.mtime())
                    || !between(have.ctime(), from.ctime(), to.ctime())) {
                return false;
            }
        }
        return true;
    }

    private static boolean between(long x, long a, long b) {
        return Math.min(a, b) <= x && x <= Math.max(a, b);
    }

    private static boolean between(Timestamp x, Timestamp a, Timestamp b) {
        return compare(a, x) <= 0 && compare(x, b) <= 0;
    }

    private static int compare(Timestamp a, Timestamp b) {
        int bySeconds = Long.compare(a.seconds(), b.seconds());
        return bySeconds != 0 ? bySeconds : Integer.compare(a.nanos(), b.nanos());
    }

    /** What differs from {@code expected}, a line per path (metadata only); empty when nothing. */
    String differencesFrom(TreeState expected) {
        StringBuilder sb = new StringBuilder();
        TreeMap<String, Boolean> paths = new TreeMap<>();
        nodes.keySet().forEach(p -> paths.put(p, true));
        expected.nodes.keySet().forEach(p -> paths.put(p, true));
        for (String p : paths.keySet()) {
            Node have = nodes.get(p);
            Node want = expected.nodes.get(p);
            if (want == null) {
                sb.append("    ").append(p).append(": present, should be absent (").append(have.metadata()).append(")\n");
            } else if (have == null) {
                sb.append("    ").append(p).append(": absent, should be ").append(want.metadata()).append('\n');
            } else if (!have.sameMetadata(want)) {
                sb.append("    ").append(p).append(": ").append(have.metadata()).append("\n    ")
                        .append(" ".repeat(p.length())).append("  should be ").append(want.metadata()).append('\n');
            }
        }
        return sb.toString();
    }

    /** How many paths differ from {@code expected} in metadata: how close a candidate state is. */
    int distanceFrom(TreeState expected) {
        int d = 0;
        TreeMap<String, Boolean> paths = new TreeMap<>();
        nodes.keySet().forEach(p -> paths.put(p, true));
        expected.nodes.keySet().forEach(p -> paths.put(p, true));
        for (String p : paths.keySet()) {
            Node have = nodes.get(p);
            Node want = expected.nodes.get(p);
            if (have == null || want == null || !have.sameMetadata(want)) {
                d++;
            }
        }
        return d;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        nodes.forEach((p, n) -> sb.append("    ").append(p).append(": ").append(n.metadata()).append('\n'));
        return sb.toString();
    }
}
