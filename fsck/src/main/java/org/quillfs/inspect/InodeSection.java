package org.quillfs.inspect;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.quillfs.format.BlockType;
import org.quillfs.format.DirEntry;
import org.quillfs.format.DirectoryLeaf;
import org.quillfs.format.DirectoryRoot;
import org.quillfs.format.ExtentRoot;
import org.quillfs.format.Geometry;
import org.quillfs.format.GroupDescriptor;
import org.quillfs.format.Inode;
import org.quillfs.format.InodeChecksum;
import org.quillfs.format.Timestamp;

/** One inode, as debugfs's {@code stat} shows it, with a directory's entries when it has a single leaf. */
final class InodeSection {

    private InodeSection() {
    }

    /** @throws IllegalArgumentException when {@code number} is not an inode of this filesystem */
    static void describe(Image image, Report report, long number) {
        Geometry g = image.superblock.geometry();
        if (number < 1 || number > g.inodeCount()) {
            throw new IllegalArgumentException("inode " + number + " does not exist: inodes are 1.." + g.inodeCount());
        }
        Map<String, Object> s = report.section("inode");
        s.put("number", number);
        int group = g.groupOfInode(number);
        long blockNr = g.inodeBlock(number);
        s.put("group", group);
        s.put("table block", blockNr);
        GroupDescriptor d = image.descriptor(image.descriptorBlock(group), group);
        long tableIndex = blockNr - g.inodeTableBlock(group);
        if (d.has(GroupDescriptor.INODE_UNINIT) || tableIndex >= d.itableInitialized()) {
            s.put("state", "free (its part of the inode table was never initialised)");
            return;
        }
        ByteBuffer block = image.read(blockNr);
        Optional<String> blockProblem = image.check(block, BlockType.INODE_TABLE, blockNr);
        blockProblem.ifPresent(p -> report.problem(s, "inode table block " + blockNr, p));
        int offset = g.inodeOffset(number);
        if (Inode.isFree(block, offset)) {
            s.put("state", "free");
            return;
        }
        Inode inode = Inode.decode(block, offset);
        s.put("state", "in use");
        s.put("type", type(inode.mode()));
        s.put("mode", String.format("%04o", inode.mode() & 07777));
        s.put("uid", inode.uid());
        s.put("gid", inode.gid());
        s.put("links", inode.links());
        s.put("size", inode.size());
        s.put("blocks", inode.blocks());
        s.put("generation", inode.generation());
        s.put("flags", String.format("0x%x", inode.flags()));
        s.put("atime", time(inode.atime()));
        s.put("mtime", time(inode.mtime()));
        s.put("ctime", time(inode.ctime()));
        s.put("btime", time(inode.btime()));
        if (inode.xattrBlock() != 0) {
            s.put("xattr block", inode.xattrBlock());
        }
        if ((inode.mode() & Inode.S_IFMT) == Inode.S_IFCHR || (inode.mode() & Inode.S_IFMT) == Inode.S_IFBLK) {
            s.put("rdev", inode.rdev());
        }
        Inode.checksumProblem(block, offset, number, InodeChecksum.of(image.superblock))
                .ifPresent(p -> report.problem(s, "inode " + number, p));
        describeData(image, report, s, inode);
    }

    private static void describeData(Image image, Report report, Map<String, Object> s, Inode inode) {
        byte[] data = inode.data();
        if ((inode.flags() & Inode.INLINE_DATA) != 0) {
            s.put("inline data", new String(data, 0, (int) Math.min(inode.size(), data.length), StandardCharsets.UTF_8));
        } else if ((inode.mode() & Inode.S_IFMT) == Inode.S_IFDIR) {
            describeDirectory(image, report, s, data);
        } else if ((inode.mode() & Inode.S_IFMT) == Inode.S_IFREG || (inode.mode() & Inode.S_IFMT) == Inode.S_IFLNK) {
            Optional<String> problem = ExtentRoot.problem(data);
            if (problem.isPresent()) {
                report.problem(s, "extent root of inode " + s.get("number"), problem.get());
                return;
            }
            ExtentRoot root = ExtentRoot.decode(data);
            s.put("extent depth", root.depth());
            s.put("extents", root.entries().stream().map(e -> (Object) (e.logical() + ": " + e.physical()
                    + (root.depth() == 0 ? " x" + e.length() + ((e.flags() & 1) != 0 ? " unwritten" : "") : " (node)")))
                    .toList());
        }
    }

    private static void describeDirectory(Image image, Report report, Map<String, Object> s, byte[] data) {
        Optional<String> problem = DirectoryRoot.problem(data);
        if (problem.isPresent()) {
            report.problem(s, "directory root of inode " + s.get("number"), problem.get());
            return;
        }
        DirectoryRoot root = DirectoryRoot.decode(data);
        Map<String, Object> dir = new LinkedHashMap<>();
        dir.put("depth", root.depth());
        dir.put("root block", root.rootBlock());
        dir.put("entries", root.entryCount());
        s.put("directory", dir);
        if (root.depth() != 0 || root.rootBlock() == 0) {
            return;
        }
        long leafNr = root.rootBlock();
        ByteBuffer leaf = image.read(leafNr);
        Optional<String> leafProblem = image.check(leaf, BlockType.DIR_LEAF, leafNr).or(() -> DirectoryLeaf.problem(leaf));
        if (leafProblem.isPresent()) {
            report.problem(dir, "directory leaf " + leafNr, leafProblem.get());
            return;
        }
        List<Object> names = new ArrayList<>();
        for (DirEntry e : DirectoryLeaf.entries(leaf)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", new String(e.name(), StandardCharsets.UTF_8));
            entry.put("inode", e.inode());
            entry.put("type", e.fileType());
            entry.put("key", String.format("0x%x", e.key()));
            names.add(entry);
        }
        dir.put("names", names);
    }

    private static String type(int mode) {
        return switch (mode & Inode.S_IFMT) {
            case Inode.S_IFREG -> "regular file";
            case Inode.S_IFDIR -> "directory";
            case Inode.S_IFLNK -> "symbolic link";
            case Inode.S_IFCHR -> "character device";
            case Inode.S_IFBLK -> "block device";
            case Inode.S_IFIFO -> "fifo";
            case Inode.S_IFSOCK -> "socket";
            default -> String.format("unknown (mode 0%o)", mode);
        };
    }

    private static String time(Timestamp t) {
        return Instant.ofEpochSecond(t.seconds(), t.nanos()).toString();
    }
}
