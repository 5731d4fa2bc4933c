package org.quillfs.crash;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.quillfs.fs.AttributeChanges;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.OpenFile;
import org.quillfs.fs.OpenFlags;

/**
 * The systematic workloads' world, in the style of the CrashMonkey/ACE study (Mohan et al.,
 * OSDI 2018): a small file set, and a fixed list of operations on it, each of which a workload
 * may follow with fsync, fdatasync, sync or nothing.
 *
 * <pre>
 *   /foo      6000 bytes, attribute user.x      /A/      directory
 *   /bar       100 bytes                        /A/foo   9000 bytes
 *   /B/       empty directory                   /A/bar   empty
 *   /lost+found                                 /A/C/    empty directory
 * </pre>
 *
 * Every operation covers one case of the list: creat, mkdir, write, overwrite, append,
 * truncate (shrink, grow), fallocate (mode 0, KEEP_SIZE), punch hole, link, unlink, rename (a
 * file to a new name, over another file, in the same directory; a directory, over an empty
 * directory), symlink (inline, in blocks), setxattr (new, in a directory, replacing), removexattr,
 * rmdir. An operation that fails (the file it needs was removed by an earlier one) fails as
 * Linux would and changes nothing; the oracle sees that too.
 */
final class FileSetOperations {

    /** What an operation does to a run; {@code seed} makes its bytes its own. */
    interface Action {
        void apply(LiveRun run, long seed);
    }

    /** An operation: its name in workload specs, the path fsync opens after it, and what it does. */
    record Operation(String name, String fsyncPath, Action action) {
        /**
         * Whether it changes a file's data or extents, and so may take several transactions: a
         * write, a truncate, a fallocate or a punch is done in steps of what the log allows
         * (docs/FILESYSTEM.md, "One operation, one transaction").
         */
        boolean writesData() {
            return name.startsWith("write-") || name.startsWith("overwrite-") || name.startsWith("append-")
                    || name.startsWith("truncate-") || name.startsWith("fallocate-") || name.startsWith("punch-");
        }
    }

    static final String SETUP = "fileset";

    private FileSetOperations() {
    }

    /** Makes the file set on a fresh filesystem. */
    static void setup(FileSystem fs) {
        long a = fs.mkdir(FileSystem.ROOT, bytes("A"), 0755, LiveRun.CALLER).inode();
        fs.mkdir(FileSystem.ROOT, bytes("B"), 0755, LiveRun.CALLER);
        fs.mkdir(a, bytes("C"), 0755, LiveRun.CALLER);
        long foo = file(fs, FileSystem.ROOT, "foo", LiveRun.pattern(6000, 1));
        fs.setxattr(foo, "user.x", LiveRun.pattern(40, 2), 0);
        file(fs, FileSystem.ROOT, "bar", LiveRun.pattern(100, 3));
        file(fs, a, "foo", LiveRun.pattern(9000, 4));
        file(fs, a, "bar", new byte[0]);
    }

    static final List<Operation> ALL = List.of(
            op("creat-A/C/foo", "/A/C/foo", (r, s) -> creat(r, "/A/C/foo")),
            op("creat-B/bar", "/B/bar", (r, s) -> creat(r, "/B/bar")),
            op("mkdir-B/D", "/B/D", (r, s) -> mkdir(r, "/B/D")),
            op("mkdir-A/C/D", "/A/C/D", (r, s) -> mkdir(r, "/A/C/D")),
            op("write-A/bar", "/A/bar", (r, s) -> r.write("/A/bar", 0, LiveRun.pattern(5000, s))),
            op("overwrite-foo", "/foo", (r, s) -> r.write("/foo", 1000, LiveRun.pattern(3000, s))),
            op("overwrite-A/foo", "/A/foo", (r, s) -> r.write("/A/foo", 4096, LiveRun.pattern(4096, s))),
            op("append-foo", "/foo", (r, s) -> append(r, "/foo", 5000, s)),
            op("append-bar", "/bar", (r, s) -> append(r, "/bar", 200, s)),
            op("truncate-A/foo", "/A/foo", (r, s) -> r.fs.setattr(r.inode("/A/foo"), AttributeChanges.size(1000))),
            op("truncate-grow-foo", "/foo", (r, s) -> r.fs.setattr(r.inode("/foo"), AttributeChanges.size(20000))),
            op("fallocate-bar", "/bar", (r, s) -> r.fallocate("/bar", 0, 0, 16384)),
            op("fallocate-keep-A/foo", "/A/foo",
                    (r, s) -> r.fallocate("/A/foo", FileSystem.FALLOC_FL_KEEP_SIZE, 8192, 16384)),
            op("punch-A/foo", "/A/foo", (r, s) -> r.fallocate("/A/foo",
                    FileSystem.FALLOC_FL_PUNCH_HOLE | FileSystem.FALLOC_FL_KEEP_SIZE, 2048, 4096)),
            op("link-foo-B/foo", "/B/foo", (r, s) -> link(r, "/foo", "/B/foo")),
            op("link-A/foo-A/C/bar", "/A/C/bar", (r, s) -> link(r, "/A/foo", "/A/C/bar")),
            op("unlink-bar", "/", (r, s) -> r.fs.unlink(FileSystem.ROOT, bytes("bar"))),
            op("unlink-A/foo", "/A", (r, s) -> r.fs.unlink(r.inode("/A"), bytes("foo"))),
            op("rename-foo-B/foo", "/B/foo", (r, s) -> rename(r, "/foo", "/B/foo")),
            op("rename-bar-A/bar", "/A/bar", (r, s) -> rename(r, "/bar", "/A/bar")),
            op("rename-A/foo-A/baz", "/A/baz", (r, s) -> rename(r, "/A/foo", "/A/baz")),
            op("rename-A/C-B/C", "/B/C", (r, s) -> rename(r, "/A/C", "/B/C")),
            op("rename-A/C-B", "/B", (r, s) -> rename(r, "/A/C", "/B")),
            op("symlink-A/C/s", "/A/C", (r, s) -> symlink(r, "/A/C/s", "../../foo")),
            op("symlink-B/long", "/B", (r, s) -> symlink(r, "/B/long", "x/".repeat(150) + "foo")),
            op("setxattr-foo", "/foo", (r, s) -> r.fs.setxattr(r.inode("/foo"), "user.y", LiveRun.pattern(20, s), 0)),
            op("setxattr-A-big", "/A", (r, s) -> r.fs.setxattr(r.inode("/A"), "user.big", LiveRun.pattern(1000, s), 0)),
            op("setxattr-replace-foo", "/foo", (r, s) -> r.fs.setxattr(r.inode("/foo"), "user.x",
                    LiveRun.pattern(60, s), FileSystem.XATTR_REPLACE)),
            op("removexattr-foo", "/foo", (r, s) -> r.fs.removexattr(r.inode("/foo"), "user.x")),
            op("rmdir-B", "/", (r, s) -> r.fs.rmdir(FileSystem.ROOT, bytes("B"))),
            op("rmdir-A/C", "/A", (r, s) -> r.fs.rmdir(r.inode("/A"), bytes("C"))));

    static Operation named(String name) {
        return ALL.stream().filter(o -> o.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no operation " + name));
    }

    private static Operation op(String name, String fsyncPath, Action action) {
        return new Operation(name, fsyncPath, action);
    }

    private static void creat(LiveRun r, String path) {
        OpenFile f = r.fs.create(r.parent(path), LiveRun.leaf(path), 0644, OpenFlags.O_RDWR, LiveRun.CALLER);
        r.fs.release(f.handle());
    }

    private static void mkdir(LiveRun r, String path) {
        r.fs.mkdir(r.parent(path), LiveRun.leaf(path), 0755, LiveRun.CALLER);
    }

    private static void append(LiveRun r, String path, int length, long seed) {
        long h = r.fs.open(r.inode(path), OpenFlags.O_WRONLY | OpenFlags.O_APPEND);
        try {
            r.fs.write(h, 0, java.nio.ByteBuffer.wrap(LiveRun.pattern(length, seed)));
        } finally {
            r.fs.release(h);
        }
    }

    private static void link(LiveRun r, String from, String to) {
        r.fs.link(r.inode(from), r.parent(to), LiveRun.leaf(to));
    }

    private static void rename(LiveRun r, String from, String to) {
        r.fs.rename(r.parent(from), LiveRun.leaf(from), r.parent(to), LiveRun.leaf(to), 0);
    }

    private static void symlink(LiveRun r, String path, String target) {
        r.fs.symlink(r.parent(path), LiveRun.leaf(path), bytes(target), LiveRun.CALLER);
    }

    static long file(FileSystem fs, long dir, String name, byte[] content) {
        OpenFile f = fs.create(dir, bytes(name), 0644, OpenFlags.O_RDWR, LiveRun.CALLER);
        if (content.length > 0) {
            fs.write(f.handle(), 0, java.nio.ByteBuffer.wrap(content));
        }
        fs.release(f.handle());
        return f.attributes().inode();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
