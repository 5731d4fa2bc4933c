package org.quillfs.fs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;

/**
 * A reference filesystem in memory with the semantics Linux gives on ext4: names, types,
 * contents, symlink targets, link counts (a directory 2 + its subdirectories), extended
 * attributes, unlinked-but-open files, and the errno of every failure, checked in the order
 * the kernel checks (fs/namei.c: do_mkdirat, do_linkat, do_renameat2 and vfs_rename,
 * do_unlinkat, do_rmdir; fs/xattr.c). It knows nothing of blocks: {@link FileSystemModelTest}
 * runs the same operations on it and on the facade and compares the trees.
 *
 * <p>Every node remembers the facade's inode number for it, so the comparison checks identity
 * too: two names of one node must be two names of one inode.
 */
final class ModelFileSystem {

    enum Type { DIRECTORY, FILE, SYMLINK, FIFO }

    /** One inode of the model. */
    static final class Node {
        final Type type;
        final long inode;
        /** Directories: name → child. */
        final TreeMap<String, Node> children = new TreeMap<>();
        /** Directories: the parent ("..", the root its own). */
        Node parent;
        byte[] data = new byte[0];
        byte[] target = new byte[0];
        long links;
        int openHandles;
        final TreeMap<String, byte[]> xattrs = new TreeMap<>();

        Node(Type type, long inode) {
            this.type = type;
            this.inode = inode;
        }

        boolean isDirectory() {
            return type == Type.DIRECTORY;
        }

        @Override
        public String toString() {
            return type + "#" + inode;
        }
    }

    final Node root;
    /** Nodes that exist (have a name or an open handle), the root and lost+found included. */
    final List<Node> allocated = new ArrayList<>();

    ModelFileSystem(long rootInode, long lostAndFoundInode) {
        root = new Node(Type.DIRECTORY, rootInode);
        root.parent = root;
        root.links = 2;
        allocated.add(root);
        Node lostFound = new Node(Type.DIRECTORY, lostAndFoundInode);
        addChild(root, "lost+found", lostFound);
        lostFound.links = 2;
        allocated.add(lostFound);
    }

    static FsException fail(Errno errno) {
        return new FsException(errno, "(model)");
    }

    private static Node directory(Node dir) {
        if (!dir.isDirectory()) {
            throw fail(Errno.ENOTDIR);
        }
        return dir;
    }

    private static void addChild(Node dir, String name, Node child) {
        dir.children.put(name, child);
        if (child.isDirectory()) {
            child.parent = dir;
            dir.links++;
        }
    }

    private static void removeChild(Node dir, String name) {
        Node child = dir.children.remove(name);
        if (child.isDirectory()) {
            dir.links--;
        }
    }

    private void dropLink(Node node) {
        node.links = node.isDirectory() ? 0 : node.links - 1;
        freeIfUnused(node);
    }

    private void freeIfUnused(Node node) {
        if (node.links == 0 && node.openHandles == 0) {
            allocated.remove(node);
        }
    }

    // ------------------------------------------------------------------ checks before the facade runs

    /** mkdir, mknod, create: ENOTDIR, EEXIST. */
    void checkCreate(Node dir, String name) {
        directory(dir);
        if (dir.children.containsKey(name)) {
            throw fail(Errno.EEXIST);
        }
    }

    /** symlink: the empty target is refused before the path is looked at (getname: ENOENT). */
    void checkSymlink(Node dir, String name, byte[] target) {
        if (target.length == 0) {
            throw fail(Errno.ENOENT);
        }
        checkCreate(dir, name);
    }

    /** link: the new name first (ENOTDIR, EEXIST: may_create), then the inode (EPERM for a directory). */
    void checkLink(Node node, Node dir, String name) {
        checkCreate(dir, name);
        if (node.isDirectory()) {
            throw fail(Errno.EPERM);
        }
        if (node.links == 0) {
            throw fail(Errno.ENOENT);
        }
    }

    void checkUnlink(Node dir, String name) {
        Node child = directory(dir).children.get(name);
        if (child == null) {
            throw fail(Errno.ENOENT);
        }
        if (child.isDirectory()) {
            throw fail(Errno.EISDIR);
        }
    }

    void checkRmdir(Node dir, String name) {
        Node child = directory(dir).children.get(name);
        if (child == null) {
            throw fail(Errno.ENOENT);
        }
        if (!child.isDirectory()) {
            throw fail(Errno.ENOTDIR);
        }
        if (!child.children.isEmpty()) {
            throw fail(Errno.ENOTEMPTY);
        }
    }

    /** Whether rename is the "same inode" no-op; throws the errno Linux gives, in do_renameat2's order. */
    boolean checkRename(Node fromDir, String fromName, Node toDir, String toName, int flags) {
        boolean noReplace = (flags & FileSystem.RENAME_NOREPLACE) != 0;
        boolean exchange = (flags & FileSystem.RENAME_EXCHANGE) != 0;
        directory(fromDir);
        directory(toDir);
        Node source = fromDir.children.get(fromName);
        if (source == null) {
            throw fail(Errno.ENOENT);
        }
        Node target = toDir.children.get(toName);
        if (noReplace && target != null) {
            throw fail(Errno.EEXIST);
        }
        if (exchange && target == null) {
            throw fail(Errno.ENOENT);
        }
        // lock_rename(new_dir, old_dir) returns the "trap": the child of the higher directory
        // on the way down to the lower one, when one contains the other.
        if (fromDir != toDir) {
            Node trap = childTowards(fromDir, toDir);
            if (trap != null && source == trap) {
                throw fail(Errno.EINVAL);
            }
            trap = childTowards(toDir, fromDir);
            if (trap != null && target == trap) {
                throw fail(exchange ? Errno.EINVAL : Errno.ENOTEMPTY);
            }
        }
        if (target == source) {
            return true;
        }
        if (!exchange && target != null) {
            if (source.isDirectory() && !target.isDirectory()) {
                throw fail(Errno.ENOTDIR);
            }
            if (!source.isDirectory() && target.isDirectory()) {
                throw fail(Errno.EISDIR);
            }
            if (target.isDirectory() && !target.children.isEmpty()) {
                throw fail(Errno.ENOTEMPTY);
            }
        }
        return false;
    }

    /** If {@code upper} is a proper ancestor of {@code lower}: its child on the way to {@code lower}; else null. */
    private Node childTowards(Node upper, Node lower) {
        Node at = lower;
        while (at != root) {
            if (at.parent == upper) {
                return at;
            }
            at = at.parent;
        }
        return null;
    }

    // ------------------------------------------------------------------ changes (after the checks passed)

    Node create(Node dir, String name, Type type, long inode) {
        Node n = new Node(type, inode);
        n.links = type == Type.DIRECTORY ? 2 : 1;
        addChild(dir, name, n);
        allocated.add(n);
        return n;
    }

    void link(Node node, Node dir, String name) {
        dir.children.put(name, node);
        node.links++;
    }

    void unlink(Node dir, String name) {
        Node child = dir.children.get(name);
        removeChild(dir, name);
        dropLink(child);
    }

    void rename(Node fromDir, String fromName, Node toDir, String toName, int flags) {
        Node source = fromDir.children.get(fromName);
        Node target = toDir.children.get(toName);
        if ((flags & FileSystem.RENAME_EXCHANGE) != 0) {
            removeChild(fromDir, fromName);
            removeChild(toDir, toName);
            addChild(fromDir, fromName, target);
            addChild(toDir, toName, source);
            return;
        }
        removeChild(fromDir, fromName);
        if (target != null) {
            removeChild(toDir, toName);
            dropLink(target);
        }
        addChild(toDir, toName, source);
    }

    /** pwrite through a handle (the node is a regular file). */
    static void write(Node file, long offset, byte[] bytes) {
        int end = Math.toIntExact(offset + bytes.length);
        if (file.data.length < end) {
            file.data = Arrays.copyOf(file.data, end);
        }
        System.arraycopy(bytes, 0, file.data, (int) offset, bytes.length);
    }

    static void truncate(Node file, int size) {
        file.data = Arrays.copyOf(file.data, size);
    }

    void opened(Node file) {
        file.openHandles++;
    }

    void released(Node file) {
        file.openHandles--;
        freeIfUnused(file);
    }

    /** After a close or a crash: no handle is open any more, so unlinked files are gone. */
    void allHandlesClosed() {
        for (Node n : new ArrayList<>(allocated)) {
            n.openHandles = 0;
            freeIfUnused(n);
        }
    }

    // ------------------------------------------------------------------ extended attributes

    void checkSetxattr(Node node, String name, int flags) {
        boolean exists = node.xattrs.containsKey(name);
        if ((flags & FileSystem.XATTR_CREATE) != 0 && exists) {
            throw fail(Errno.EEXIST);
        }
        if ((flags & FileSystem.XATTR_REPLACE) != 0 && !exists) {
            throw fail(Errno.ENODATA);
        }
    }

    void checkRemovexattr(Node node, String name) {
        if (!node.xattrs.containsKey(name)) {
            throw fail(Errno.ENODATA);
        }
    }

    // ------------------------------------------------------------------ looking around

    /** Every node reachable by name, with its path ("/" for the root), in path order. */
    Map<String, Node> byPath() {
        Map<String, Node> out = new TreeMap<>();
        walk(root, "/", out);
        return out;
    }

    private static void walk(Node dir, String path, Map<String, Node> out) {
        out.put(path, dir);
        for (Map.Entry<String, Node> e : dir.children.entrySet()) {
            String child = path.equals("/") ? "/" + e.getKey() : path + "/" + e.getKey();
            if (e.getValue().isDirectory()) {
                walk(e.getValue(), child, out);
            } else {
                out.put(child, e.getValue());
            }
        }
    }
}
