package org.quillfs.fsck;

import java.nio.ByteBuffer;
import java.time.Instant;
import org.quillfs.format.DirectoryKeys;
import org.quillfs.format.Geometry;
import org.quillfs.format.GroupDescriptor;
import org.quillfs.format.Inode;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.format.Timestamp;

/**
 * One check of one filesystem, after its superblock was found and its journal replayed: the
 * five passes in order, and the state they share.
 *
 * <pre>
 *   group descriptors   locations against the geometry, flags, table blocks that do not verify
 *   orphan list         inodes to free (superblock orphan_head → inode orphan_next)
 *   pass 1              inodes; extent trees, directory trees and attribute blocks: who claims which block
 *   pass 1B–1D          only if a block is claimed twice: find the claimants, clone for all but one
 *   pass 2              directory entries (names, inodes, types, keys); damaged directories salvaged
 *   pass 3              every directory reaches the root; '..' (the parent field) agrees
 *   pass 4              link counts; unattached inodes to /lost+found or freed
 *   (directory edits)   every directory pass 2–4 changed is rewritten once
 *   pass 5              bitmaps, group counts and the superblock summary against passes 1–4
 * </pre>
 *
 * <p>Memory: {@link InodeCensus} (per inode in use), {@link BlockClaims} (bit pages where blocks
 * are in use), the descriptors, and lists that only damage makes long. Time: every inode-table
 * block, directory block and extent node in use is read a small constant number of times;
 * file data is not read (but for cloning).
 */
final class Checker {

    final Volume volume;
    final Geometry geometry;
    final Superblock superblock;
    final Questions questions;
    final Progress progress;
    final boolean verbose;
    final GroupDescriptors descriptors;
    final InodeCensus census;
    final BlockClaims claims;
    final DirectoryEdits edits;
    final LongBitSet freedInodes;
    final LongBitSet allocatedInodes;
    /** Directories fsck created (+) or freed (−) per group, for pass 5's directory counts. */
    final int[] directoryDelta;
    /** Inodes on the orphan list, as validated before pass 1. */
    final java.util.Set<Long> orphans;
    final Paths paths;
    final LostAndFound lostAndFound;
    /** The inode named "lost+found" in the root, and where that entry is (pass 2). */
    long lostAndFoundEntryInode;
    long lostAndFoundEntryId = -1;
    /** Free blocks and inodes as pass 5 counted them: the superblock's summary and the last line. */
    long freeBlocksCounted;
    long freeInodesCounted;

    Checker(Volume volume, Superblock superblock, Questions questions, Progress progress, boolean verbose,
            GroupDescriptors descriptors, java.util.Set<Long> orphans) {
        this.volume = volume;
        this.geometry = volume.geometry;
        this.superblock = superblock;
        this.questions = questions;
        this.progress = progress;
        this.verbose = verbose;
        this.descriptors = descriptors;
        this.orphans = orphans;
        this.census = new InodeCensus(expectedInodes());
        this.claims = new BlockClaims(volume);
        this.claims.onDiskBitmaps(new DiskBitmaps(volume, descriptors)::inUse);
        this.edits = new DirectoryEdits(this);
        this.freedInodes = new LongBitSet(geometry.inodeCount() + 1);
        this.allocatedInodes = new LongBitSet(geometry.inodeCount() + 1);
        this.directoryDelta = new int[geometry.groupCount()];
        this.paths = new Paths(this);
        this.lostAndFound = new LostAndFound(this);
    }

    private int expectedInodes() {
        long used = 0;
        for (int g = 0; g < geometry.groupCount(); g++) {
            GroupDescriptor d = descriptors.get(g);
            if (!d.has(GroupDescriptor.INODE_UNINIT)) {
                used += Math.max(0, geometry.inodesPerGroup() - Math.min(d.freeInodes(), geometry.inodesPerGroup()));
            }
        }
        return (int) Math.min(used + 64, 1 << 20); // a hint only (the counts may be damaged): the census grows
    }

    void run() {
        new Pass1(this).run();
        new Duplicates(this).run();
        new Pass2(this).run();
        new Pass3(this).run();
        new Pass4(this).run();
        edits.apply();
        new Pass5(this).run();
    }

    // ------------------------------------------------------------------ shared repairs

    /** Marks inode {@code i} of the census as cleared by fsck (the caller zeroed it on disk). */
    void gone(int i) {
        census.set(i, InodeCensus.GONE);
        long ino = census.number(i);
        freedInodes.set(ino);
        allocatedInodes.clear(ino);
        if (census.isDirectory(i)) {
            directoryDelta[geometry.groupOfInode(ino)]--;
        }
    }

    /** Changes the stored link count of live inode {@code i}, on disk and in the census. */
    void setStoredLinks(int i, long links) {
        long ino = census.number(i);
        Inode inode = volume.readInode(ino);
        volume.writeInode(ino, inode.withLinks(links));
        census.setLinks(i, links);
    }

    /** Writes a new, empty directory as inode {@code ino} (fsck's own: a new root or lost+found). */
    int makeDirectory(long ino, int permissions, long parent, long uid, long gid) {
        Timestamp now = Timestamp.of(Instant.now());
        Inode inode = new Inode(Inode.S_IFDIR | permissions, uid, gid, 2, 0, 0, now, now, now, now,
                java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 32), 0, 0, 0, parent, 0,
                new org.quillfs.format.DirectoryRoot(0, 0, 0).encode());
        volume.writeInode(ino, inode);
        int i = census.indexOf(ino);
        if (i < 0) {
            i = census.add(ino, inode.mode(), 2, 0, parent);
        } else {
            census.reset(i, inode.mode(), 2, 0, parent);
        }
        if (!freedInodes.get(ino)) {
            allocatedInodes.set(ino);
        }
        freedInodes.clear(ino);
        directoryDelta[geometry.groupOfInode(ino)]++;
        return i;
    }

    /** The DT_* type an entry naming census inode {@code i} should carry. */
    int fileType(int i) {
        return DirectoryKeys.fileTypeOf(census.mode(i));
    }

    static boolean isReserved(long ino) {
        return ino > Limits.ROOT_INODE && ino < Limits.FIRST_INODE;
    }

    /** Reads {@code count} consecutive blocks from {@code first} with one I/O, each as its own buffer. */
    ByteBuffer[] readBlocks(long first, int count) {
        ByteBuffer all = volume.readRun(first, count);
        ByteBuffer[] blocks = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            blocks[i] = volume.slice(all, i);
        }
        return blocks;
    }

    static String octal(int mode) {
        return "0" + Integer.toOctalString(mode);
    }
}
