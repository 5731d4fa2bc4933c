package org.quillfs.images;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.quillfs.format.DirectoryKeys;
import org.quillfs.format.ExtentEntry;
import org.quillfs.format.ExtentRoot;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.GroupDescriptor;
import org.quillfs.format.Inode;
import org.quillfs.format.JournalHeader;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.fs.Caller;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.FsOptions;
import org.quillfs.fs.OpenFile;
import org.quillfs.fs.OpenFlags;
import org.quillfs.fsck.FsckCommand;
import org.quillfs.journal.LogRegion;
import org.quillfs.journal.LogScanner;
import org.quillfs.journal.MasterStore;
import org.quillfs.volume.MemoryBlockDevice;
import picocli.CommandLine;

/**
 * The corrupted golden images of fsck, in the style of e2fsprogs' {@code tests/f_*}: each case is
 * a small real filesystem made through the facade, damaged in one precise way, kept in
 * {@code test-images/cases/<name>/} as {@code image.gz} with {@code name} (what the damage is),
 * {@code expect.1} (the output and exit status of {@code fsck.quillfs -fy} on it) and
 * {@code expect.2} (of a second run: clean). The image path is shown as {@code test.img}.
 *
 * <p>Remake them (only when a case is added, or fsck's output changes on purpose — then read the
 * differences): {@code java -cp fsck/target/quillfs-fsck.jar:test-images/target/classes
 * org.quillfs.images.CorruptImages test-images/cases}.
 */
public final class CorruptImages {

    static final int BLOCK_SIZE = 1024;
    /** Two groups of 1 KiB blocks, so that group 1 holds a backup superblock. */
    static final long BYTES = 10L << 20;
    static final UUID UUID = java.util.UUID.fromString("9c2b4e6a-1d3f-4a5b-8c7d-0e1f2a3b4c5d");
    static final Instant TIME = Instant.parse("2026-11-23T12:00:00Z");
    static final Caller CALLER = new Caller(1000, 1000);
    static final String IMAGE_NAME = "test.img";

    /** The base filesystem and the inode numbers of what is in it, by path. */
    record Base(MemoryBlockDevice device, Map<String, Long> inodes) {
        long ino(String path) {
            Long n = inodes.get(path);
            if (n == null) {
                throw new IllegalArgumentException(path + " is not in the base image");
            }
            return n;
        }
    }

    /** One case: its directory name, one line saying what is damaged, and how. */
    record Case(String name, String description, Function<Base, MemoryBlockDevice> make) {
    }

    private CorruptImages() {
    }

    public static final List<Case> CASES = List.of(
            new Case("superblock-checksum", "primary superblock with a bad checksum: the backup in group 1 is used",
                    base -> damage(base, e -> e.corrupt(0, b -> b.put(130, (byte) 'X')))),
            new Case("group-descriptor", "group descriptor 1 names the wrong block as its inode table",
                    base -> damage(base, e -> {
                        GroupDescriptor d = e.descriptor(1);
                        e.descriptor(1, new GroupDescriptor(d.blockBitmap(), d.inodeBitmap(), 77777, d.freeBlocks(),
                                d.freeInodes(), d.directories(), d.flags(), d.itableInitialized()));
                    })),
            new Case("block-beyond-end", "an extent of /a/f1 points past the end of the filesystem",
                    base -> damage(base, e -> {
                        long ino = base.ino("/a/f1");
                        Inode inode = e.inode(ino);
                        ExtentRoot root = ExtentRoot.decode(inode.data());
                        ExtentEntry first = root.entries().get(0);
                        List<ExtentEntry> changed = new java.util.ArrayList<>(root.entries());
                        changed.set(0, new ExtentEntry(first.logical(), e.geometry.blockCount() + 100, first.length(),
                                first.flags()));
                        e.inode(ino, inode.withData(new ExtentRoot(root.depth(), changed).encode(), inode.flags()));
                    })),
            new Case("shared-block", "/d/two claims the data block of /d/one",
                    base -> damage(base, e -> {
                        long one = base.ino("/d/one");
                        long two = base.ino("/d/two");
                        ExtentEntry block = ExtentRoot.decode(e.inode(one).data()).entries().get(0);
                        Inode inode = e.inode(two);
                        e.inode(two, inode.withData(new ExtentRoot(0, List.of(new ExtentEntry(0, block.physical(), 1, 0)))
                                .encode(), inode.flags()));
                    })),
            new Case("entry-to-free-inode", "the inode of /c/empty is zeroed; its entry and bitmap bit remain",
                    base -> damage(base, e -> e.zeroInode(base.ino("/c/empty")))),
            new Case("missing-dotdot", "the parent field ('..') of /a/b is 0",
                    base -> damage(base, e -> {
                        long b = base.ino("/a/b");
                        e.inode(b, e.inode(b).withParent(0));
                    })),
            new Case("directory-loop", "/a is taken out of / and named by an entry in /a/b: a loop cut off from the root",
                    base -> damage(base, e -> {
                        e.removeEntry(FileSystem.ROOT, "a");
                        e.addEntry(base.ino("/a/b"), "loop", base.ino("/a"), DirectoryKeys.DT_DIR);
                    })),
            new Case("orphaned-directory", "the entry of /a/b/deep is taken out of /a/b",
                    base -> damage(base, e -> e.removeEntry(base.ino("/a/b"), "deep"))),
            new Case("link-count", "/a/f1 says it has 7 links (it has 2)",
                    base -> damage(base, e -> {
                        long f1 = base.ino("/a/f1");
                        e.inode(f1, e.inode(f1).withLinks(7));
                    })),
            new Case("unattached-inode", "the entry of /d/one is taken out of /d",
                    base -> damage(base, e -> e.removeEntry(base.ino("/d"), "one"))),
            new Case("block-bitmap", "group 0's block bitmap: the first block of /a/f1 clear, a free block set",
                    base -> damage(base, e -> {
                        long block = ExtentRoot.decode(e.inode(base.ino("/a/f1")).data()).entries().get(0).physical();
                        long start = e.geometry.groupStart(0);
                        e.bitmapBit(e.geometry.blockBitmapBlock(0), (int) (block - start), false);
                        e.bitmapBit(e.geometry.blockBitmapBlock(0), 3000, true);
                    })),
            new Case("inode-bitmap", "group 0's inode bitmap: /a/f1 clear, a free inode set",
                    base -> damage(base, e -> {
                        long f1 = base.ino("/a/f1");
                        e.bitmapBit(e.geometry.inodeBitmapBlock(0), (int) (f1 - 1), false);
                        e.bitmapBit(e.geometry.inodeBitmapBlock(0), 200, true);
                    })),
            new Case("free-counts", "group descriptors count 5 free blocks too many, 3 free inodes too few, a directory too many",
                    base -> damage(base, e -> {
                        GroupDescriptor d = e.descriptor(0);
                        e.descriptor(0, new GroupDescriptor(d.blockBitmap(), d.inodeBitmap(), d.inodeTable(),
                                d.freeBlocks() + 5, d.freeInodes() - 3, d.directories(), d.flags(), d.itableInitialized()));
                        GroupDescriptor d1 = e.descriptor(1);
                        e.descriptor(1, new GroupDescriptor(d1.blockBitmap(), d1.inodeBitmap(), d1.inodeTable(),
                                d1.freeBlocks(), d1.freeInodes(), d1.directories() + 1, d1.flags(), d1.itableInitialized()));
                    })),
            new Case("journal-replay", "stopped as a crash would after sync(): the journal needs replay",
                    base -> crash(base, false)),
            new Case("journal-torn", "stopped as a crash would after sync(), the last log block torn",
                    base -> crash(base, true)),
            new Case("journal-orphan", "stopped as a crash would while an unlinked file was still open: an orphan",
                    base -> {
                        MemoryBlockDevice copy = base.device().copy("case");
                        FileSystem fs = FileSystem.open(copy, FsOptions.defaults());
                        OpenFile f = fs.create(base.ino("/d"), name("open"), 0644, OpenFlags.O_RDWR, CALLER);
                        fs.write(f.handle(), 0, ByteBuffer.wrap(bytes(3 * BLOCK_SIZE, 12)));
                        fs.unlink(base.ino("/d"), name("open"));
                        fs.sync();
                        fs.halt();
                        return copy;
                    }),
            new Case("symlink-length", "the inline symlink /short says its target is 200 bytes long",
                    base -> damage(base, e -> {
                        long s = base.ino("/short");
                        e.inode(s, e.inode(s).withSize(200));
                    })),
            new Case("illegal-mode", "the fifo /a/b/fifo has the mode 0170644",
                    base -> damage(base, e -> {
                        long f = base.ino("/a/b/fifo");
                        e.inode(f, e.inode(f).withMode(0170644));
                    })),
            new Case("orphan-inode", "/d/three has lost its entry and its links and is on the orphan list",
                    base -> damage(base, e -> {
                        long three = base.ino("/d/three");
                        e.removeEntry(base.ino("/d"), "three");
                        e.inode(three, e.inode(three).withLinks(0));
                        e.superblock(e.superblock.withOrphanHead((int) three));
                    })),
            new Case("directory-leaf-checksum", "a byte of /a/b's leaf between its slots and its entries is changed",
                    base -> damage(base, e -> e.corrupt(e.leafOf(base.ino("/a/b")), b -> b.put(200, (byte) 1)))),
            new Case("inode-checksum", "the mtime of /c/big is changed without its checksum",
                    base -> damage(base, e -> e.corruptInode(base.ino("/c/big"), 40, new byte[] {1, 2, 3}))),
            new Case("extent-node-checksum", "a byte of /c/big's extent node is changed",
                    base -> damage(base, e -> {
                        ExtentRoot root = ExtentRoot.decode(e.inode(base.ino("/c/big")).data());
                        if (root.depth() == 0) {
                            throw new IllegalStateException("/c/big has no extent node");
                        }
                        e.corrupt(root.entries().get(0).physical(), b -> b.put(BLOCK_SIZE - 1, (byte) 7));
                    })));

    // ------------------------------------------------------------------ the base filesystem

    static FormatOptions format() {
        return new FormatOptions(BLOCK_SIZE, BYTES / BLOCK_SIZE, 0, 0, Limits.DEFAULT_BYTES_PER_INODE, "corrupt",
                UUID, 1000, 1000, TIME, new Random(11));
    }

    /** Formats, fills through the facade, closes cleanly. */
    static Base base() {
        MemoryBlockDevice device = new MemoryBlockDevice("base", BLOCK_SIZE, BYTES / BLOCK_SIZE);
        Formatter.format(device, format());
        Map<String, Long> inodes = new LinkedHashMap<>();
        FileSystem fs = FileSystem.open(device, FsOptions.defaults());
        long a = mkdir(fs, inodes, "/a", FileSystem.ROOT);
        long b = mkdir(fs, inodes, "/a/b", a);
        mkdir(fs, inodes, "/a/b/deep", b);
        long c = mkdir(fs, inodes, "/c", FileSystem.ROOT);
        long d = mkdir(fs, inodes, "/d", FileSystem.ROOT);
        long f1 = file(fs, inodes, "/a/f1", a, bytes(3 * BLOCK_SIZE + 100, 1));
        file(fs, inodes, "/a/b/f2", b, bytes(10, 2));
        file(fs, inodes, "/c/empty", c, new byte[0]);
        long big = file(fs, inodes, "/c/big", c, bytes(4 * BLOCK_SIZE, 3));
        long h = fs.open(big, OpenFlags.O_RDWR);
        for (int i = 0; i < 8; i++) { // holes between: more than five extents, so the tree has a node
            fs.write(h, (10L + 3 * i) * BLOCK_SIZE, ByteBuffer.wrap(bytes(BLOCK_SIZE, 10 + i)));
        }
        fs.release(h);
        file(fs, inodes, "/d/one", d, bytes(500, 4));
        file(fs, inodes, "/d/two", d, bytes(600, 5));
        file(fs, inodes, "/d/three", d, bytes(700, 6));
        file(fs, inodes, "/d/four", d, bytes(80, 7));
        fs.link(f1, c, name("f1-link"));
        inodes.put("/short", fs.symlink(FileSystem.ROOT, name("short"), name("a/f1"), CALLER).inode());
        inodes.put("/a/long", fs.symlink(a, name("long"), bytes(300, 300), CALLER).inode());
        inodes.put("/a/b/fifo", fs.mknod(b, name("fifo"), 0010644, 0, CALLER).inode());
        fs.setxattr(f1, "user.note", name("hello"), 0);
        fs.close();
        scrubLog(device);
        return new Base(device, inodes);
    }

    /**
     * Zeroes the blocks of the circular log. After a clean close the log is empty and its blocks
     * are dead (a block is only read when its sequence is the one expected next), so this changes
     * nothing a reader sees; it keeps the images small, as old log blocks do not compress.
     */
    private static void scrubLog(MemoryBlockDevice device) {
        ImageEditor e = new ImageEditor(device);
        long start = e.geometry.journalStart() + Limits.JOURNAL_FIXED_BLOCKS;
        for (long b = start; b < e.geometry.journalStart() + e.geometry.journalBlocks(); b++) {
            device.write(b, ByteBuffer.allocate(BLOCK_SIZE));
        }
    }

    private static long mkdir(FileSystem fs, Map<String, Long> inodes, String path, long parent) {
        long ino = fs.mkdir(parent, name(path.substring(path.lastIndexOf('/') + 1)), 0755, CALLER).inode();
        inodes.put(path, ino);
        return ino;
    }

    private static long file(FileSystem fs, Map<String, Long> inodes, String path, long dir, byte[] content) {
        OpenFile f = fs.create(dir, name(path.substring(path.lastIndexOf('/') + 1)), 0644, OpenFlags.O_RDWR, CALLER);
        if (content.length > 0) {
            fs.write(f.handle(), 0, ByteBuffer.wrap(content));
        }
        fs.release(f.handle());
        inodes.put(path, f.attributes().inode());
        return f.attributes().inode();
    }

    private static MemoryBlockDevice damage(Base base, java.util.function.Consumer<ImageEditor> how) {
        MemoryBlockDevice copy = base.device().copy("case");
        how.accept(new ImageEditor(copy));
        return copy;
    }

    /** Opens the base, changes it, syncs and stops as a crash would; {@code tear}: the last log block is damaged. */
    private static MemoryBlockDevice crash(Base base, boolean tear) {
        MemoryBlockDevice copy = base.device().copy("case");
        FileSystem fs = FileSystem.open(copy, FsOptions.defaults());
        long n = fs.mkdir(FileSystem.ROOT, name("new"), 0755, CALLER).inode();
        OpenFile f = fs.create(n, name("x"), 0644, OpenFlags.O_RDWR, CALLER);
        fs.write(f.handle(), 0, ByteBuffer.wrap(bytes(2 * BLOCK_SIZE, 9)));
        fs.release(f.handle());
        fs.rename(base.ino("/c"), name("empty"), n, name("moved"), 0);
        fs.unlink(base.ino("/a/b"), name("f2"));
        fs.sync();
        if (tear) {
            fs.mkdir(n, name("last"), 0755, CALLER);
            fs.symlink(n, name("last-link"), bytes(400, 400), CALLER);
            fs.sync();
        }
        fs.halt();
        if (tear) {
            tearLastLogBlock(copy);
        }
        return copy;
    }

    /** Breaks the checksum of the last block of the log that holds records. */
    private static void tearLastLogBlock(MemoryBlockDevice device) {
        ImageEditor e = new ImageEditor(device);
        Superblock sb = e.superblock;
        long start = sb.geometry().journalStart();
        LogRegion region = LogRegion.of(sb, JournalHeader.decode(e.read(start)));
        long tail = new MasterStore(device, sb.uuid(), start).current().tailLsn();
        LogScanner scanner = new LogScanner(device, region, tail == 0 ? region.lsnOf(1) : tail);
        long last = -1;
        for (var r = scanner.next(); r.isPresent(); r = scanner.next()) {
            last = r.get().lsn();
        }
        if (last < 0) {
            throw new IllegalStateException("the log holds no record to tear");
        }
        long block = region.physicalBlock(region.sequenceOf(last));
        e.corrupt(block, b -> b.put(BLOCK_SIZE - 1, (byte) (b.get(BLOCK_SIZE - 1) ^ 0x5A)));
    }

    // ------------------------------------------------------------------ writing the cases

    /** Writes every case into {@code folder} (default {@code test-images/cases}). */
    public static void main(String[] args) throws IOException {
        Path folder = Path.of(args.length == 1 ? args[0] : "test-images/cases");
        Base base = base();
        Path work = Files.createTempDirectory("quillfs-cases");
        try {
            for (Case c : CASES) {
                Path dir = Files.createDirectories(folder.resolve(c.name()));
                byte[] image = bytes(c.make().apply(base));
                try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("image.gz")))) {
                    out.write(image);
                }
                Files.writeString(dir.resolve("name"), c.description() + "\n");
                Path img = work.resolve(IMAGE_NAME);
                Files.write(img, image);
                Files.writeString(dir.resolve("expect.1"), fsck(img));
                Files.writeString(dir.resolve("expect.2"), fsck(img));
                System.out.println("wrote " + dir);
            }
        } finally {
            Files.deleteIfExists(work.resolve(IMAGE_NAME));
            Files.deleteIfExists(work);
        }
    }

    /** Runs {@code fsck.quillfs -fy} on {@code image}: its output, the image shown as test.img, and its exit status. */
    public static String fsck(Path image) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = new CommandLine(new FsckCommand());
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        int code = FsckCommand.run(line, "-fy", image.toString());
        return (out.toString() + err.toString()).replace(image.toString(), IMAGE_NAME) + "Exit status is " + code + "\n";
    }

    /** The whole image. */
    static byte[] bytes(MemoryBlockDevice device) {
        ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(device.blockCount() * device.blockSize()));
        device.read(0, all);
        return all.array();
    }

    /** A stored case's image, uncompressed. */
    public static byte[] image(Path caseDir) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(caseDir.resolve("image.gz")))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    static byte[] name(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code n} bytes of text (it compresses, so the images stay small), different for each seed. */
    static byte[] bytes(int n, int seed) {
        StringBuilder s = new StringBuilder(n + 40);
        for (int line = 0; s.length() < n; line++) {
            s.append("line ").append(line).append(" of content ").append(seed).append('\n');
        }
        return s.substring(0, n).getBytes(StandardCharsets.US_ASCII);
    }

}
