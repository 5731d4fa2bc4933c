package org.quillfs.fs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.Inode;
import org.quillfs.format.Limits;
import org.quillfs.txn.BlockReader;

/**
 * Path resolution as Linux does it (path_resolution(7)): components from the root, {@code .}
 * and {@code ..}, symlinks expanded wherever they occur (the last component only when asked),
 * at most {@value #MAX_SYMLINKS} expansions per resolution (ELOOP), ENOTDIR for a non-directory
 * in the middle, ENAMETOOLONG for a component over 255 bytes or a path over 4095.
 */
final class PathResolver {

    static final int MAX_SYMLINKS = 40;
    private static final int PATH_MAX = 4096;

    private final Layers layers;
    private final Lookup lookup;

    /** How one name is found in one directory, and how a symlink is read. */
    interface Lookup {
        long child(BlockReader txn, long dir, byte[] name);

        byte[] target(BlockReader txn, long symlink, Inode inode);
    }

    PathResolver(Layers layers, Lookup lookup) {
        this.layers = layers;
        this.lookup = lookup;
    }

    long resolve(String path, boolean followLast) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= PATH_MAX) {
            throw new FsException(Errno.ENAMETOOLONG, "a path is at most " + (PATH_MAX - 1) + " bytes");
        }
        if (bytes.length == 0) {
            throw new FsException(Errno.ENOENT, "an empty path names nothing");
        }
        if (bytes[0] != '/') {
            throw new FsException(Errno.EINVAL, "the facade resolves absolute paths only, not \"" + path + "\"");
        }
        // a trailing slash asks for a directory: it follows a final symlink and refuses a non-directory
        boolean trailingSlash = bytes.length > 1 && bytes[bytes.length - 1] == '/';
        return layers.transactions.read(txn -> {
            long found = walk(txn, bytes, followLast || trailingSlash);
            if (trailingSlash) {
                layers.directory(txn, found);
            }
            return found;
        });
    }

    private long walk(BlockReader txn, byte[] path, boolean followLast) {
        Deque<byte[]> pending = new ArrayDeque<>();
        push(pending, path);
        long at = Limits.ROOT_INODE;
        int expansions = 0;
        while (!pending.isEmpty()) {
            byte[] name = pending.pop();
            Inode dir = layers.inode(txn, at);
            if ((dir.mode() & Inode.S_IFMT) != Inode.S_IFDIR) {
                throw new FsException(Errno.ENOTDIR, "inode " + at + " in the path is not a directory");
            }
            long child = lookup.child(txn, at, name);
            Inode inode = layers.inode(txn, child);
            boolean last = pending.isEmpty();
            if ((inode.mode() & Inode.S_IFMT) == Inode.S_IFLNK && (!last || followLast)) {
                if (++expansions > MAX_SYMLINKS) {
                    throw new FsException(Errno.ELOOP, "more than " + MAX_SYMLINKS + " symlinks in one path");
                }
                byte[] target = lookup.target(txn, child, inode);
                if (target[0] == '/') {
                    at = Limits.ROOT_INODE;
                }
                push(pending, target);
                continue;
            }
            at = child;
        }
        return at;
    }

    /** Pushes the components of {@code path} so that its first component is popped first. */
    private static void push(Deque<byte[]> pending, byte[] path) {
        Deque<byte[]> components = new ArrayDeque<>();
        int start = 0;
        for (int i = 0; i <= path.length; i++) {
            if (i == path.length || path[i] == '/') {
                if (i > start) {
                    byte[] c = Arrays.copyOfRange(path, start, i);
                    if (c.length > Limits.MAX_NAME_BYTES) {
                        throw new FsException(Errno.ENAMETOOLONG, "a path component is at most "
                                + Limits.MAX_NAME_BYTES + " bytes, not " + c.length);
                    }
                    components.push(c);
                }
                start = i + 1;
            }
        }
        components.forEach(pending::push);
    }
}
