package org.quillfs.fs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.quillfs.format.Timestamp;

/**
 * Everything a program can see of a filesystem tree, by path: for comparing a tree before and
 * after a reopen or a crash. Access times are left out (reading a file to take the snapshot
 * changes them); everything else a {@code stat} shows is in, and files' bytes and symlinks'
 * targets.
 */
public final class TreeSnapshot {

    /** One name: what its inode looks like. */
    public record Node(long inode, int mode, long links, long uid, long gid, long size, long blocks, long rdev,
            Timestamp mtime, Timestamp ctime, Timestamp btime, long generation, String content) {
    }

    private TreeSnapshot() {
    }

    /** Every path under the root (the root itself as "/"), with what it names. */
    public static Map<String, Node> of(TestFileSystems t) {
        Map<String, Node> out = new TreeMap<>();
        walk(t, FileSystem.ROOT, "/", out);
        return out;
    }

    private static void walk(TestFileSystems t, long dir, String path, Map<String, Node> out) {
        out.put(path, node(t, dir));
        for (DirectoryEntry e : list(t.fs, dir)) {
            String name = new String(e.name(), StandardCharsets.UTF_8);
            if (name.equals(".") || name.equals("..")) {
                continue;
            }
            String child = path.equals("/") ? "/" + name : path + "/" + name;
            Attributes a = t.fs.getattr(e.inode());
            if (a.isDirectory()) {
                walk(t, e.inode(), child, out);
            } else {
                out.put(child, node(t, e.inode()));
            }
        }
    }

    private static Node node(TestFileSystems t, long inode) {
        Attributes a = t.fs.getattr(inode);
        String content = "";
        if (a.isRegularFile()) {
            content = hex(t.read(inode));
        } else if (a.isSymlink()) {
            content = new String(t.fs.readlink(inode), StandardCharsets.ISO_8859_1);
        }
        return new Node(inode, a.mode(), a.links(), a.uid(), a.gid(), a.size(), a.blocks(), a.rdev(), a.mtime(),
                a.ctime(), a.btime(), a.generation(), content);
    }

    /** Every entry of directory {@code dir}, read a few at a time. */
    public static List<DirectoryEntry> list(FileSystem fs, long dir) {
        List<DirectoryEntry> all = new ArrayList<>();
        long offset = 0;
        while (true) {
            List<DirectoryEntry> page = fs.readdir(dir, offset, 64);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            offset = page.get(page.size() - 1).nextOffset();
        }
    }

    /** The names in directory {@code dir}, {@code .} and {@code ..} left out. */
    public static List<String> names(FileSystem fs, long dir) {
        List<String> names = new ArrayList<>();
        for (DirectoryEntry e : list(fs, dir)) {
            String name = new String(e.name(), StandardCharsets.UTF_8);
            if (!name.equals(".") && !name.equals("..")) {
                names.add(name);
            }
        }
        return names;
    }

    private static String hex(byte[] bytes) {
        // Short files spelled out, long ones by length and hash: enough to tell any two apart in a failure.
        if (bytes.length <= 64) {
            StringBuilder sb = new StringBuilder();
            for (byte b : bytes) {
                sb.append(String.format("%02x", b));
            }
            return sb.toString();
        }
        return bytes.length + " bytes, hash " + Integer.toHexString(Arrays.hashCode(bytes));
    }
}
