package org.quillfs.fsck;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.quillfs.format.Bitmap;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.Geometry;
import org.quillfs.format.GroupDescriptor;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;

/**
 * Pass 5: group summary information. For each group the block bitmap must be exactly the
 * group's metadata and the blocks inodes claim (pass 1, as repaired since), the inode bitmap
 * exactly the inodes in use (and the reserved ones of group 0); the descriptor's free counts and
 * directory count must match them. A group left uninitialised (BLOCK_UNINIT, INODE_UNINIT) stands
 * for "metadata only" / "no inode": it stays so while that is true, and gets a written bitmap
 * when it is not.
 *
 * <p>Differences that are fsck's own doing — blocks and inodes it freed (orphans, cleared
 * inodes, rewritten trees) or allocated (rebuilt trees, clones, lost+found) — are applied as
 * part of the repair that made them and not reported again. The backup superblocks are checked
 * against the primary, and the superblock's free counts (only a summary) are refreshed quietly.
 */
final class Pass5 {

    private final Checker c;
    private final Questions q;
    private final Geometry g;
    private final Volume volume;

    Pass5(Checker checker) {
        this.c = checker;
        this.q = checker.questions;
        this.g = checker.geometry;
        this.volume = checker.volume;
    }

    void run() {
        q.header("Pass 5: Checking group summary information");
        c.progress.start("Pass 5");
        long freeBlocks = 0;
        long freeInodes = 0;
        for (int group = 0; group < g.groupCount(); group++) {
            freeBlocks += blocks(group);
            freeInodes += inodes(group);
            c.progress.update(group + 1, g.groupCount());
        }
        c.descriptors.writeChanged();
        c.freeBlocksCounted = freeBlocks;
        c.freeInodesCounted = freeInodes;
        backups();
    }

    // ------------------------------------------------------------------ blocks

    /** Checks group {@code group}'s block bitmap and counts; returns its free blocks as counted. */
    private long blocks(int group) {
        int length = g.groupLength(group);
        long start = g.groupStart(group);
        int metadata = g.metadataBlocks(group);
        int bits = Bitmap.bits(g.blockSize());
        byte[] computed = metadataOnly(metadata, length, bits);
        for (long b = c.claims.nextClaimed(start, start + length); b >= 0;
                b = c.claims.nextClaimed(b + 1, start + length)) {
            int i = (int) (b - start);
            computed[i >>> 3] |= (byte) (1 << (i & 7));
        }
        GroupDescriptor d = c.descriptors.get(group);
        boolean uninit = d.has(GroupDescriptor.BLOCK_UNINIT);
        byte[] uninitialised = uninit ? metadataOnly(metadata, length, bits) : null;
        Reconciled r = reconcile("Block", group, BlockType.BLOCK_BITMAP, g.blockBitmapBlock(group), computed,
                uninitialised, length, start, c.claims::freedByFsck, c.claims::allocatedByFsck);
        if (r.wrote && uninit) {
            c.descriptors.put(group, c.descriptors.get(group).withoutFlag(GroupDescriptor.BLOCK_UNINIT));
        }
        long free = length - countSet(computed, length);
        d = c.descriptors.get(group);
        if (d.freeBlocks() != free) {
            boolean own = r.clean() && d.freeBlocks() + r.silentFreed - r.silentAllocated == free;
            if (own || q.ask("Free blocks count wrong for group #" + group + " (" + d.freeBlocks() + ", counted="
                    + free + ").", Question.FIX, true)) {
                d = c.descriptors.get(group);
                c.descriptors.put(group, new GroupDescriptor(d.blockBitmap(), d.inodeBitmap(), d.inodeTable(), free,
                        d.freeInodes(), d.directories(), d.flags(), d.itableInitialized()));
            }
        }
        return free;
    }

    private static byte[] metadataOnly(int metadata, int length, int bits) {
        byte[] b = new byte[bits / 8];
        for (int i = 0; i < bits; i++) {
            if (i < metadata || i >= length) {
                b[i >>> 3] |= (byte) (1 << (i & 7));
            }
        }
        return b;
    }

    // ------------------------------------------------------------------ inodes

    /** Checks group {@code group}'s inode bitmap and counts; returns its free inodes as counted. */
    private long inodes(int group) {
        int perGroup = g.inodesPerGroup();
        int bits = Bitmap.bits(g.blockSize());
        long first = (long) group * perGroup + 1;
        byte[] computed = new byte[bits / 8];
        long directories = 0;
        for (int i = perGroup; i < bits; i++) {
            computed[i >>> 3] |= (byte) (1 << (i & 7));
        }
        byte[] uninitialised = computed.clone();
        if (group == 0) {
            for (int i = 0; i < Limits.FIRST_INODE - 1 && i < perGroup; i++) { // the root and the reserved inodes
                computed[i >>> 3] |= (byte) (1 << (i & 7));
            }
        }
        for (int k = c.census.firstAtOrAbove(first); k < c.census.count() && c.census.number(k) < first + perGroup; k++) {
            if (c.census.has(k, InodeCensus.GONE)) {
                continue;
            }
            int i = (int) (c.census.number(k) - first);
            computed[i >>> 3] |= (byte) (1 << (i & 7));
            if (c.census.isDirectory(k)) {
                directories++;
            }
        }
        GroupDescriptor d = c.descriptors.get(group);
        boolean uninit = d.has(GroupDescriptor.INODE_UNINIT);
        Reconciled r = reconcile("Inode", group, BlockType.INODE_BITMAP, g.inodeBitmapBlock(group), computed,
                uninit ? uninitialised : null, perGroup, first, c.freedInodes::get, c.allocatedInodes::get);
        if (r.wrote && uninit) {
            c.descriptors.put(group, c.descriptors.get(group).withoutFlag(GroupDescriptor.INODE_UNINIT));
        }
        long free = perGroup - countSet(computed, perGroup);
        d = c.descriptors.get(group);
        if (d.freeInodes() != free) {
            boolean own = r.clean() && d.freeInodes() + r.silentFreed - r.silentAllocated == free;
            if (own || q.ask("Free inodes count wrong for group #" + group + " (" + d.freeInodes() + ", counted="
                    + free + ").", Question.FIX, true)) {
                d = c.descriptors.get(group);
                c.descriptors.put(group, new GroupDescriptor(d.blockBitmap(), d.inodeBitmap(), d.inodeTable(),
                        d.freeBlocks(), free, d.directories(), d.flags(), d.itableInitialized()));
            }
        }
        d = c.descriptors.get(group);
        if (d.directories() != directories) {
            boolean own = d.directories() + c.directoryDelta[group] == directories;
            if (own || q.ask("Directories count wrong for group #" + group + " (" + d.directories() + ", counted="
                    + directories + ").", Question.FIX, true)) {
                c.descriptors.put(group, new GroupDescriptor(d.blockBitmap(), d.inodeBitmap(), d.inodeTable(),
                        d.freeBlocks(), d.freeInodes(), directories, d.flags(), d.itableInitialized()));
            }
        }
        return free;
    }

    // ------------------------------------------------------------------ one bitmap

    /** What reconciling one bitmap did. */
    private record Reconciled(long silentFreed, long silentAllocated, boolean reported, boolean damaged, boolean wrote) {
        /** Nothing but fsck's own changes differed. */
        boolean clean() {
            return !reported && !damaged;
        }
    }

    /**
     * Compares the bitmap on disk ({@code uninitialised}: what an UNINIT group stands for) with
     * {@code computed}, lists the differences fsck did not make itself, and writes what is agreed.
     */
    private Reconciled reconcile(String kind, int group, BlockType type, long bitmapNr, byte[] computed,
            byte[] uninitialised, int valid, long firstItem, java.util.function.LongPredicate freed,
            java.util.function.LongPredicate allocated) {
        int bits = computed.length * 8;
        byte[] disk;
        if (uninitialised != null) {
            disk = uninitialised;
        } else {
            ByteBuffer block = volume.read(bitmapNr);
            disk = new byte[computed.length];
            block.get(BlockHeader.SIZE, disk);
            Optional<String> problem = volume.headerProblem(block, type, bitmapNr);
            if (problem.isPresent()) {
                boolean fix = q.ask(kind + " bitmap of group " + group + " (block " + bitmapNr + "): " + problem.get()
                        + ".", Question.FIX, volume.onlyChecksumWrong(block, type, bitmapNr));
                if (fix) {
                    writeBitmap(type, bitmapNr, computed);
                }
                return new Reconciled(0, 0, false, true, fix);
            }
        }
        Differences diff = new Differences();
        long silentFreed = 0;
        long silentAllocated = 0;
        for (int i = 0; i < bits; i++) {
            boolean want = bit(computed, i);
            if (want == bit(disk, i)) {
                continue;
            }
            long item = firstItem + i;
            if (i < valid && !want && freed.test(item)) {
                silentFreed++;
            } else if (i < valid && want && allocated.test(item)) {
                silentAllocated++;
            } else {
                diff.add(want ? '+' : '-', item);
            }
        }
        boolean reported = !diff.isEmpty();
        boolean fixReported = reported
                && q.ask(kind + " bitmap differences: " + diff + ".", Question.FIX, true);
        if (!fixReported && silentFreed + silentAllocated == 0) {
            return new Reconciled(0, 0, reported, false, false);
        }
        byte[] target = fixReported ? computed : disk.clone();
        if (!fixReported) { // only fsck's own changes
            for (int i = 0; i < valid; i++) {
                boolean want = bit(computed, i);
                long item = firstItem + i;
                if (want != bit(target, i) && (want ? allocated.test(item) : freed.test(item))) {
                    target[i >>> 3] ^= (byte) (1 << (i & 7));
                }
            }
        }
        writeBitmap(type, bitmapNr, target);
        return new Reconciled(silentFreed, silentAllocated, reported, false, true);
    }

    // ------------------------------------------------------------------ backups

    /** Each backup superblock must verify at its place and agree with the primary on every static field. */
    private void backups() {
        Superblock primary = c.superblock;
        for (long blockNr : g.backupSuperblocks()) {
            ByteBuffer block = volume.read(blockNr);
            String problem = volume.headerProblem(block, BlockType.SUPERBLOCK, blockNr).orElse(null);
            if (problem == null && !sameStatic(primary, Superblock.decode(block))) {
                problem = "it differs from the primary";
            }
            if (problem != null && q.ask("Backup superblock in group " + g.groupOfBlock(blockNr) + " (block "
                    + blockNr + "): " + problem + ".", Question.FIX, true)) {
                ByteBuffer fresh = ByteBuffer.allocate(g.blockSize());
                primary.encode(fresh, blockNr);
                volume.writeMetadata(blockNr, fresh);
            }
        }
    }

    static boolean sameStatic(Superblock a, Superblock b) {
        return a.formatVersion() == b.formatVersion() && a.featureCompat() == b.featureCompat()
                && a.featureRoCompat() == b.featureRoCompat() && a.featureIncompat() == b.featureIncompat()
                && a.geometry().equals(b.geometry()) && a.uuid().equals(b.uuid()) && a.label().equals(b.label())
                && a.rootInode() == b.rootInode() && a.firstInode() == b.firstInode()
                && a.createdTime() == b.createdTime() && a.dirHashKey0() == b.dirHashKey0()
                && a.dirHashKey1() == b.dirHashKey1() && a.inodeSize() == b.inodeSize()
                && a.maxMountCount() == b.maxMountCount();
    }

    // ------------------------------------------------------------------ helpers

    private void writeBitmap(BlockType type, long blockNr, byte[] bits) {
        ByteBuffer block = ByteBuffer.allocate(g.blockSize());
        Bitmap.init(block, type, blockNr, 0);
        block.put(BlockHeader.SIZE, bits);
        volume.writeMetadata(blockNr, block);
    }

    private static boolean bit(byte[] bits, int i) {
        return (bits[i >>> 3] & 1 << (i & 7)) != 0;
    }

    private static long countSet(byte[] bits, int limit) {
        long n = 0;
        for (int i = 0; i < limit; i++) {
            if (bit(bits, i)) {
                n++;
            }
        }
        return n;
    }

    /** Bitmap differences as e2fsck lists them: {@code -(8--10) +12}. */
    private static final class Differences {
        private static final int MAX_RANGES = 100;
        private final StringBuilder text = new StringBuilder();
        private char sign;
        private long from = -1;
        private long to = -1;
        private int ranges;

        void add(char s, long n) {
            if (from >= 0 && s == sign && n == to + 1) {
                to = n;
                return;
            }
            flush();
            sign = s;
            from = n;
            to = n;
        }

        private void flush() {
            if (from < 0) {
                return;
            }
            ranges++;
            if (ranges <= MAX_RANGES) {
                text.append(' ').append(sign).append(from == to ? String.valueOf(from) : "(" + from + "--" + to + ")");
            } else if (ranges == MAX_RANGES + 1) {
                text.append(" ...");
            }
            from = -1;
        }

        boolean isEmpty() {
            return from < 0 && text.length() == 0;
        }

        @Override
        public String toString() {
            flush();
            return text.toString().strip();
        }
    }
}
