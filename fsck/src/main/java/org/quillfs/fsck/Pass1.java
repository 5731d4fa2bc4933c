package org.quillfs.fsck;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.quillfs.format.BlockType;
import org.quillfs.format.DirectoryRoot;
import org.quillfs.format.ExtentRoot;
import org.quillfs.format.Geometry;
import org.quillfs.format.GroupDescriptor;
import org.quillfs.format.Inode;
import org.quillfs.format.InodeTableBlock;
import org.quillfs.format.Limits;
import org.quillfs.format.XattrBlock;

/**
 * Pass 1: every inode in use — its checksum, mode, flags and the fields its type gives meaning
 * to — and every block it claims: extent trees (data and nodes), directory trees, the attribute
 * block. Claims go into {@link BlockClaims}; a block claimed twice is left for pass 1B.
 *
 * <p>Inode-table blocks are read group by group in runs; the inodes fixed in a block are written
 * back with the block, resealed. Table blocks at and past a group's {@code itable_initialized}
 * were never written and hold no inode in use (docs/FORMAT.md).
 *
 * <p>What is checked here and nothing more: a directory's tree structure is only walked to claim
 * its blocks (pass 2 reports and salvages it); a file whose extent tree has bad entries is only
 * marked (pass 1D rewrites it, once no block is claimed twice).
 */
final class Pass1 {

    static final long MAX_LINKS = 65000;
    static final int MAX_SYMLINK = 4095;
    private static final long KNOWN_FLAGS = Inode.IMMUTABLE | Inode.APPEND | Inode.NODUMP | Inode.NOATIME
            | Inode.INLINE_DATA;

    private final Checker c;
    private final Volume volume;
    private final Geometry g;
    private final Questions q;

    Pass1(Checker checker) {
        this.c = checker;
        this.volume = checker.volume;
        this.g = checker.geometry;
        this.q = checker.questions;
    }

    void run() {
        q.header("Pass 1: Checking inodes, blocks, and sizes");
        c.progress.start("Pass 1");
        int chunk = Math.max(1, (1 << 20) / g.blockSize());
        long tableBlocksTotal = 0;
        for (int group = 0; group < g.groupCount(); group++) {
            tableBlocksTotal += initialised(group);
        }
        long done = 0;
        for (int group = 0; group < g.groupCount(); group++) {
            int n = initialised(group);
            for (int from = 0; from < n; from += chunk) {
                int count = Math.min(chunk, n - from);
                long first = g.inodeTableBlock(group) + from;
                ByteBuffer[] blocks = c.readBlocks(first, count);
                for (int j = 0; j < count; j++) {
                    tableBlock(group, first + j, from + j, blocks[j]);
                }
                done += count;
                c.progress.update(done, tableBlocksTotal);
            }
        }
    }

    private int initialised(int group) {
        GroupDescriptor d = c.descriptors.get(group);
        if (d.has(GroupDescriptor.INODE_UNINIT) && d.itableInitialized() == 0) {
            return 0;
        }
        return (int) Math.min(d.itableInitialized(), g.itableBlocks());
    }

    private void tableBlock(int group, long blockNr, int indexInGroup, ByteBuffer block) {
        boolean dirty = false;
        boolean newHeader = false;
        Optional<String> header = volume.headerProblem(block, BlockType.INODE_TABLE, blockNr);
        if (header.isPresent()) {
            if (volume.onlyChecksumWrong(block, BlockType.INODE_TABLE, blockNr)) {
                dirty = q.ask("Inode table block " + blockNr + " (group " + group + "): " + header.get() + ".",
                        Question.FIX, true);
            } else {
                if (!q.ask("Inode table block " + blockNr + " (group " + group + ") is damaged: " + header.get() + ".",
                        Question.FIX, false)) {
                    return; // its inodes cannot be told from garbage: left alone
                }
                dirty = true;
                newHeader = true;
            }
        }
        int perBlock = g.inodesPerBlock();
        long firstInode = (long) group * g.inodesPerGroup() + (long) indexInGroup * perBlock + 1;
        for (int slot = 0; slot < perBlock; slot++) {
            int offset = org.quillfs.format.BlockHeader.SIZE + slot * Limits.INODE_SIZE;
            if (Inode.isFree(block, offset)) {
                continue;
            }
            dirty |= inode(firstInode + slot, block, offset);
        }
        if (dirty) {
            if (newHeader) {
                ByteBuffer fresh = ByteBuffer.allocate(g.blockSize());
                InodeTableBlock.init(fresh, blockNr);
                fresh.put(org.quillfs.format.BlockHeader.SIZE, block, org.quillfs.format.BlockHeader.SIZE,
                        g.blockSize() - org.quillfs.format.BlockHeader.SIZE);
                block = fresh;
            }
            volume.writeMetadata(blockNr, block);
        }
    }

    /** Checks the inode at {@code offset} of {@code block}; returns whether the block changed. */
    private boolean inode(long ino, ByteBuffer block, int offset) {
        Inode inode = Inode.decode(block, offset);
        int type = inode.mode() & Inode.S_IFMT;
        boolean checksumOk = Inode.checksumProblem(block, offset, ino, c.volume.inodeChecksum).isEmpty();
        if (Checker.isReserved(ino)) {
            if (q.ask("Reserved inode " + ino + " is in use (mode " + Checker.octal(inode.mode()) + ").",
                    Question.CLEAR, true)) {
                return clearSlot(ino, block, offset);
            }
            return false;
        }
        boolean changed = false;
        if (!checksumOk) {
            if (plausible(inode)) {
                changed = q.ask("Inode " + ino + " passes checks, but its checksum does not match.", Question.FIX, true);
            } else {
                if (q.ask("Inode " + ino + " has a bad checksum.", Question.CLEAR, false)) {
                    return clearSlot(ino, block, offset);
                }
                return false;
            }
        }
        if (!validType(type)) {
            if (q.ask("Inode " + ino + " has an illegal mode " + Checker.octal(inode.mode()) + ".", Question.CLEAR, false)) {
                return clearSlot(ino, block, offset);
            }
            return changed;
        }
        if (ino == Limits.ROOT_INODE && type != Inode.S_IFDIR) {
            if (q.ask("Root inode is not a directory (mode " + Checker.octal(inode.mode()) + ").", Question.CLEAR,
                    false)) {
                return clearSlot(ino, block, offset);
            }
            return changed;
        }
        if (c.orphans.contains(ino)) {
            if (q.ask("Inode " + ino + " (uid " + inode.uid() + ", gid " + inode.gid() + ", mode "
                    + Checker.octal(inode.mode()) + ", size " + inode.size() + ") is on the orphan list.",
                    Question.CLEAR, true)) {
                freeOrphanBlocks(ino, inode);
                int i = c.census.add(ino, inode.mode(), inode.links(), inode.size(), inode.parent());
                c.census.set(i, InodeCensus.ORPHAN);
                c.gone(i);
                block.put(offset, new byte[Limits.INODE_SIZE]);
                return true;
            }
        }
        int i = c.census.add(ino, inode.mode(), inode.links(), inode.size(), inode.parent());
        if (c.orphans.contains(ino)) {
            c.census.set(i, InodeCensus.ORPHAN); // left on the list: pass 4 leaves it alone
        }
        Inode fixed = fields(ino, inode, type);
        Inode checked = byType(ino, i, fixed, type);
        if (checked == null) {
            block.put(offset, new byte[Limits.INODE_SIZE]);
            c.gone(i);
            return true;
        }
        if (changed || !checked.equals(inode)) {
            checked.encode(block, offset, ino, volume.inodeChecksum);
            return true;
        }
        return false;
    }

    private boolean clearSlot(long ino, ByteBuffer block, int offset) {
        if ((Inode.decode(block, offset).mode() & Inode.S_IFMT) == Inode.S_IFDIR) {
            c.directoryDelta[g.groupOfInode(ino)]--; // as its group's count had it
        }
        block.put(offset, new byte[Limits.INODE_SIZE]);
        c.freedInodes.set(ino);
        return true;
    }

    static boolean validType(int type) {
        return switch (type) {
            case Inode.S_IFREG, Inode.S_IFDIR, Inode.S_IFLNK, Inode.S_IFCHR, Inode.S_IFBLK, Inode.S_IFIFO,
                    Inode.S_IFSOCK -> true;
            default -> false;
        };
    }

    /** Whether an inode whose checksum fails still looks entirely like one quillfs wrote. */
    private static boolean plausible(Inode inode) {
        int type = inode.mode() & Inode.S_IFMT;
        if (!validType(type) || inode.links() > MAX_LINKS || (inode.flags() & ~KNOWN_FLAGS) != 0 || inode.size() < 0) {
            return false;
        }
        byte[] data = inode.data();
        boolean inline = (inode.flags() & Inode.INLINE_DATA) != 0;
        return switch (type) {
            case Inode.S_IFDIR -> !inline && DirectoryRoot.problem(data).isEmpty();
            case Inode.S_IFREG -> !inline && ExtentRoot.problem(data).isEmpty();
            case Inode.S_IFLNK -> inline ? inode.size() > 0 && inode.size() <= Limits.INODE_DATA_SIZE
                    : ExtentRoot.problem(data).isEmpty();
            default -> allZero(data) && !inline;
        };
    }

    /** Fields whose meaning does not depend on the blocks: flags, orphan link, parent, rdev. */
    private Inode fields(long ino, Inode inode, int type) {
        Inode fixed = inode;
        long unknown = inode.flags() & ~KNOWN_FLAGS;
        if (unknown != 0 && q.ask(String.format("Inode %d has unknown flags 0x%x.", ino, unknown), Question.FIX, true)) {
            fixed = fixed.withData(fixed.data(), fixed.flags() & KNOWN_FLAGS);
        }
        if ((fixed.flags() & Inode.INLINE_DATA) != 0 && type != Inode.S_IFLNK
                && q.ask("Inode " + ino + " (mode " + Checker.octal(inode.mode()) + ") has the inline data flag.",
                        Question.FIX, true)) {
            fixed = fixed.withData(fixed.data(), fixed.flags() & ~Inode.INLINE_DATA);
        }
        if (fixed.orphanNext() != 0 && !c.orphans.contains(ino)
                && q.ask("Inode " + ino + " is not on the orphan list, yet names inode " + fixed.orphanNext()
                        + " as the next orphan.", Question.CLEAR, true)) {
            fixed = fixed.withOrphanNext(0);
        }
        if (type != Inode.S_IFDIR && fixed.parent() != 0
                && q.ask("Inode " + ino + " is no directory, yet has a parent field (" + fixed.parent() + ").",
                        Question.CLEAR, true)) {
            fixed = fixed.withParent(0);
        }
        boolean device = type == Inode.S_IFCHR || type == Inode.S_IFBLK;
        if (!device && fixed.rdev() != 0
                && q.ask("Inode " + ino + " is no device, yet has a device number (" + fixed.rdev() + ").",
                        Question.CLEAR, true)) {
            fixed = new Inode(fixed.mode(), fixed.uid(), fixed.gid(), fixed.links(), fixed.size(), fixed.blocks(),
                    fixed.atime(), fixed.mtime(), fixed.ctime(), fixed.btime(), fixed.generation(), fixed.flags(),
                    fixed.xattrBlock(), 0, fixed.parent(), fixed.orphanNext(), fixed.data());
        }
        return fixed;
    }

    /** The checks of {@code inode}'s type and its blocks; null when it is to be cleared. */
    private Inode byType(long ino, int i, Inode inode, int type) {
        long counted = 0;
        long[] owned;
        boolean rebuildPending = false;
        switch (type) {
            case Inode.S_IFDIR -> {
                DirectoryWalk.Result walk = DirectoryWalk.walk(volume, ino, inode.data(), null);
                if (walk.fatal() != null) {
                    return q.ask("Directory inode " + ino + ": " + walk.fatal() + ".", Question.CLEAR, false)
                            ? null : inode;
                }
                owned = walk.blocks();
                for (long b : owned) {
                    c.claims.claim(b, 1);
                }
                counted = owned.length;
                if (!walk.sound()) {
                    c.census.set(i, InodeCensus.DIR_DAMAGED);
                    rebuildPending = true;
                }
            }
            case Inode.S_IFREG, Inode.S_IFLNK -> {
                boolean inline = type == Inode.S_IFLNK && (inode.flags() & Inode.INLINE_DATA) != 0;
                if (inline) {
                    String bad = inlineSymlinkProblem(inode);
                    if (bad != null) {
                        return q.ask("Symlink inode " + ino + " is invalid: " + bad + ".", Question.CLEAR, false)
                                ? null : inode;
                    }
                    break;
                }
                ExtentWalk.Result walk = ExtentWalk.walk(volume, inode.data());
                if (walk.fatal() != null) {
                    return q.ask("Inode " + ino + ": " + walk.fatal() + ".", Question.CLEAR, false) ? null : inode;
                }
                if (type == Inode.S_IFLNK) {
                    String bad = symlinkProblem(inode, walk);
                    if (bad != null) {
                        return q.ask("Symlink inode " + ino + " is invalid: " + bad + ".", Question.CLEAR, false)
                                ? null : inode;
                    }
                }
                if (!walk.problems().isEmpty()) {
                    if (askExtentProblems(ino, walk.problems())) {
                        c.census.set(i, InodeCensus.REBUILD_EXTENTS);
                        rebuildPending = true;
                    }
                }
                walk.extents().forEach(e -> c.claims.claim(e.physical(), e.length()));
                for (long node : walk.nodes()) {
                    c.claims.claim(node, 1);
                }
                counted = walk.dataBlocks() + walk.nodes().length;
                if (type == Inode.S_IFREG) {
                    inode = fileSize(ino, inode, walk);
                }
            }
            default -> {
                if (inode.size() != 0 && q.ask("Special inode " + ino + " (mode " + Checker.octal(inode.mode())
                        + ") has size " + inode.size() + ", should be 0.", Question.FIX, true)) {
                    inode = inode.withSize(0);
                }
                if (!allZero(inode.data()) && q.ask("Special inode " + ino + " (mode " + Checker.octal(inode.mode())
                        + ") has bytes in its data area.", Question.CLEAR, true)) {
                    inode = inode.withData(new byte[Limits.INODE_DATA_SIZE], inode.flags());
                }
            }
        }
        inode = xattr(ino, inode);
        if (inode.xattrBlock() != 0) {
            counted++;
        }
        c.census.setBlocks(i, counted);
        c.census.setSize(i, inode.size());
        if (counted > 0) {
            c.census.set(i, InodeCensus.HAS_BLOCKS);
        }
        if (!rebuildPending && inode.blocks() != counted
                && q.ask("Inode " + ino + ", i_blocks is " + inode.blocks() + ", should be " + counted + ".",
                        Question.FIX, true)) {
            inode = inode.withBlocks(counted);
        }
        if (type == Inode.S_IFDIR && !rebuildPending) {
            inode = directorySize(ino, i, inode, counted);
        }
        if (inode.links() > MAX_LINKS) {
            c.census.setLinks(i, inode.links()); // pass 4 sets it
        }
        return inode;
    }

    private boolean askExtentProblems(long ino, List<String> problems) {
        int shown = Math.min(problems.size(), 10);
        for (int k = 0; k < shown - 1; k++) {
            q.line("Inode " + ino + ": " + problems.get(k) + ".");
        }
        String last = "Inode " + ino + ": " + problems.get(shown - 1) + ".";
        if (problems.size() > shown) {
            last = "Inode " + ino + ": ... and " + (problems.size() - shown + 1) + " more extent tree problems.";
        }
        boolean onlyChecksums = problems.stream().allMatch(p -> p.endsWith(" has a bad checksum"));
        // Bad checksums alone lose nothing: the tree is rewritten as it is. Anything else drops entries.
        return onlyChecksums ? q.ask(last, Question.FIX, true) : q.ask(last, Question.CLEAR, false);
    }

    private Inode fileSize(long ino, Inode inode, ExtentWalk.Result walk) {
        long end = walk.writtenEnd();
        long blockSize = g.blockSize();
        boolean negative = inode.size() < 0;
        long sizeBlocks = negative ? -1 : inode.size() / blockSize + (inode.size() % blockSize != 0 ? 1 : 0);
        if (negative || sizeBlocks < end) {
            long should = end > Long.MAX_VALUE / blockSize ? Long.MAX_VALUE : end * blockSize;
            if (q.ask("Inode " + ino + ", i_size is " + inode.size() + ", should be " + should + ".", Question.FIX,
                    true)) {
                return inode.withSize(should);
            }
        }
        return inode;
    }

    private Inode directorySize(long ino, int i, Inode inode, long counted) {
        long b = g.blockSize();
        long tree = counted - (inode.xattrBlock() != 0 ? 1 : 0);
        long size = inode.size();
        boolean ok = size >= 0 && size % b == 0 && size >= tree * b && size <= counted * b;
        if (!ok && q.ask("Directory inode " + ino + ", i_size is " + size + ", should be " + counted * b + ".",
                Question.FIX, true)) {
            c.census.setSize(i, counted * b);
            return inode.withSize(counted * b);
        }
        return inode;
    }

    private static String inlineSymlinkProblem(Inode inode) {
        long size = inode.size();
        if (size <= 0 || size > Limits.INODE_DATA_SIZE) {
            return "its target is stored in the inode, yet its length is " + size;
        }
        byte[] data = inode.data();
        for (int k = 0; k < size; k++) {
            if (data[k] == 0) {
                return "its target of " + size + " bytes holds a NUL at byte " + k;
            }
        }
        return null;
    }

    private String symlinkProblem(Inode inode, ExtentWalk.Result walk) {
        long size = inode.size();
        if (size <= 0 || size > MAX_SYMLINK) {
            return "its length is " + size + " (1.." + MAX_SYMLINK + ")";
        }
        if (walk.writtenEnd() * g.blockSize() < size) {
            return "its target of " + size + " bytes has only " + walk.writtenEnd() * g.blockSize()
                    + " bytes of blocks";
        }
        return null;
    }

    /** The attribute block: sound, at its own number, owned by this inode; else the pointer goes. */
    private Inode xattr(long ino, Inode inode) {
        long blockNr = inode.xattrBlock();
        if (blockNr == 0) {
            return inode;
        }
        String bad = null;
        boolean reseal = false;
        ByteBuffer block = null;
        if (!volume.isDataBlock(blockNr)) {
            bad = "it lies outside the groups' data areas";
        } else {
            block = volume.read(blockNr);
            if (volume.onlyChecksumWrong(block, BlockType.XATTR, blockNr)) {
                reseal = true;
            } else {
                bad = volume.headerProblem(block, BlockType.XATTR, blockNr).orElse(null);
            }
            if (bad == null && XattrBlock.owner(block) != ino) {
                bad = "it belongs to inode " + XattrBlock.owner(block);
            }
            if (bad == null) {
                bad = XattrBlock.problem(block).orElse(null);
            }
        }
        if (bad != null) {
            if (q.ask("Inode " + ino + " has a bad extended attribute block " + blockNr + ": " + bad + ".",
                    Question.CLEAR, false)) {
                return inode.withXattrBlock(0);
            }
            return inode; // left: not claimed
        }
        if (reseal && q.ask("Extended attribute block " + blockNr + " of inode " + ino + " has a bad checksum.",
                Question.FIX, true)) {
            volume.writeMetadata(blockNr, block);
        }
        c.claims.claim(blockNr, 1);
        return inode;
    }

    /** An orphan is freed: what its tree names goes back to the free space, without being claimed. */
    private void freeOrphanBlocks(long ino, Inode inode) {
        int type = inode.mode() & Inode.S_IFMT;
        if (type == Inode.S_IFDIR) {
            DirectoryWalk.Result walk = DirectoryWalk.walk(volume, ino, inode.data(), null);
            for (long b : walk.blocks()) {
                c.claims.noteFreed(b);
            }
        } else if ((type == Inode.S_IFREG || type == Inode.S_IFLNK) && (inode.flags() & Inode.INLINE_DATA) == 0) {
            ExtentWalk.Result walk = ExtentWalk.walk(volume, inode.data());
            walk.extents().forEach(e -> {
                for (long b = e.physical(); b < e.physical() + e.length(); b++) {
                    c.claims.noteFreed(b);
                }
            });
            for (long node : walk.nodes()) {
                c.claims.noteFreed(node);
            }
        }
        long x = inode.xattrBlock();
        if (x != 0 && volume.isDataBlock(x)) {
            ByteBuffer block = volume.read(x);
            if (volume.headerProblem(block, BlockType.XATTR, x).isEmpty() && XattrBlock.owner(block) == ino) {
                c.claims.noteFreed(x);
            }
        }
    }

    static boolean allZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
