package org.quillfs.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.quillfs.volume.BlockDevice;

/**
 * Makes a new, empty quillfs: the work of mkfs (docs/FORMAT.md, "What mkfs writes").
 *
 * <p>Formatting is lazy: only group 0 is initialised; every other group is marked
 * INODE_UNINIT | BLOCK_UNINIT, so the time and I/O do not grow with the size of the volume
 * beyond the descriptor table and the superblock backups.
 *
 * <p>Order of writes: the old primary superblock is destroyed first, then everything else is
 * written, then — after a flush — the new primary superblock, then a final flush. An
 * interrupted format thus never leaves a valid primary over half-written structures.
 */
public final class Formatter {

    private Formatter() {
    }

    /**
     * Writes zeros over the log blocks of the filesystem just made on {@code device} (its journal
     * region past the header and master records), as mke2fs writes its journal. They read the
     * same afterwards — zeros are no log block, and an empty log ends at the first block that is
     * not one — but on a sparse image file they take their space now: otherwise every fsync of
     * the log's first lap writes into a hole, and the host filesystem's fdatasync then commits
     * its own journal for the new block (a random 4 KiB write + fsync ran at 60% of fuse2fs's
     * speed that way; docs/BENCHMARKS.md).
     */
    public static void writeLogBlocks(BlockDevice device, Geometry geometry) {
        int perWrite = Math.max(1, (1 << 20) / geometry.blockSize());
        ByteBuffer[] zeros = new ByteBuffer[perWrite];
        ByteBuffer zero = ByteBuffer.allocate(geometry.blockSize());
        long first = geometry.journalStart() + Limits.JOURNAL_FIXED_BLOCKS;
        long end = geometry.journalStart() + geometry.journalBlocks();
        for (long b = first; b < end; b += perWrite) {
            int n = (int) Math.min(perWrite, end - b);
            for (int i = 0; i < n; i++) {
                zeros[i] = zero.duplicate();
            }
            device.write(b, n == perWrite ? zeros : Arrays.copyOf(zeros, n));
        }
        device.flush();
    }

    /** What {@link #format} would make, without touching any device (mkfs -n). */
    public static Superblock plan(FormatOptions options) {
        return new Layout(options).superblock;
    }

    /** Formats {@code device} and returns the superblock written. */
    public static Superblock format(BlockDevice device, FormatOptions options) {
        if (device.blockSize() != options.blockSize() || device.blockCount() < options.blockCount()) {
            throw new IllegalArgumentException("device " + device.name() + " (" + device.blockCount() + " blocks of "
                    + device.blockSize() + ") cannot hold " + options.blockCount() + " blocks of " + options.blockSize());
        }
        Layout layout = new Layout(options);
        layout.write(device);
        return layout.superblock;
    }

    /** The whole new filesystem, computed before the first write. */
    private static final class Layout {
        private final FormatOptions options;
        private final Geometry geometry;
        private final List<GroupDescriptor> descriptors = new ArrayList<>();
        private final long rootLeafBlock;
        private final int group0InitializedItableBlocks;
        private final Superblock superblock;

        Layout(FormatOptions options) {
            this.options = options;
            byte[] label = options.label().getBytes(StandardCharsets.UTF_8);
            if (label.length > Limits.MAX_LABEL_BYTES) {
                throw new IllegalArgumentException("label is " + label.length + " bytes, at most "
                        + Limits.MAX_LABEL_BYTES + " fit");
            }
            this.geometry = Geometry.plan(options.blockSize(), options.blockCount(),
                    options.effectiveJournalBlocks(), options.requestedInodes());
            this.rootLeafBlock = geometry.firstDataBlock(0);
            this.group0InitializedItableBlocks = Math.toIntExact(
                    (Limits.FIRST_INODE + geometry.inodesPerBlock() - 1) / geometry.inodesPerBlock());

            long freeBlocks = 0;
            long freeInodes = 0;
            for (int g = 0; g < geometry.groupCount(); g++) {
                GroupDescriptor d = descriptorOf(g);
                descriptors.add(d);
                freeBlocks += d.freeBlocks();
                freeInodes += d.freeInodes();
            }
            long now = options.now().getEpochSecond();
            this.superblock = new Superblock(Limits.FORMAT_VERSION, 0, 0, options.featureIncompat(), geometry,
                    options.uuid(), options.label(), Superblock.STATE_CLEAN, 0, -1, Limits.ROOT_INODE, Limits.FIRST_INODE, 0,
                    now, 0, now, now, freeBlocks, freeInodes, options.random().nextLong(),
                    options.random().nextLong(), geometry.groupCount() > 1 ? 1 : 0, Limits.INODE_SIZE);
        }

        private GroupDescriptor descriptorOf(int g) {
            long dataBlocks = geometry.groupLength(g) - geometry.metadataBlocks(g);
            if (g == 0) {
                // Group 0 holds the root directory's leaf and the reserved inodes 1..FIRST_INODE.
                return new GroupDescriptor(geometry.blockBitmapBlock(0), geometry.inodeBitmapBlock(0),
                        geometry.inodeTableBlock(0), dataBlocks - 1, geometry.inodesPerGroup() - Limits.FIRST_INODE,
                        2, 0, group0InitializedItableBlocks);
            }
            return new GroupDescriptor(geometry.blockBitmapBlock(g), geometry.inodeBitmapBlock(g),
                    geometry.inodeTableBlock(g), dataBlocks, geometry.inodesPerGroup(), 0,
                    GroupDescriptor.INODE_UNINIT | GroupDescriptor.BLOCK_UNINIT, 0);
        }

        void write(BlockDevice device) {
            device.write(0, ByteBuffer.allocate(geometry.blockSize()));
            device.flush();

            writeGroupZero(device);
            writeDescriptorTable(device);
            writeJournal(device);
            for (long backup : geometry.backupSuperblocks()) {
                put(device, backup, block -> superblock.encode(block, backup));
            }
            device.flush();
            put(device, 0, block -> superblock.encode(block, 0));
            device.flush();
        }

        private void writeGroupZero(BlockDevice device) {
            put(device, geometry.blockBitmapBlock(0), block -> {
                Bitmap.init(block, BlockType.BLOCK_BITMAP, geometry.blockBitmapBlock(0), geometry.groupLength(0));
                for (int i = 0; i <= geometry.metadataBlocks(0); i++) { // metadata, then the root leaf
                    Bitmap.set(block, i, true);
                }
            });
            put(device, geometry.inodeBitmapBlock(0), block -> {
                Bitmap.init(block, BlockType.INODE_BITMAP, geometry.inodeBitmapBlock(0), geometry.inodesPerGroup());
                for (int i = 0; i < Limits.FIRST_INODE; i++) {
                    Bitmap.set(block, i, true);
                }
            });
            for (int i = 0; i < group0InitializedItableBlocks; i++) {
                long blockNr = geometry.inodeTableBlock(0) + i;
                put(device, blockNr, block -> {
                    InodeTableBlock.init(block, blockNr);
                    putInodeIfHere(block, blockNr, Limits.ROOT_INODE, rootInode());
                    putInodeIfHere(block, blockNr, Limits.LOST_AND_FOUND_INODE, lostAndFoundInode());
                });
            }
            put(device, rootLeafBlock, block -> {
                DirectoryLeaf.init(block, rootLeafBlock, Limits.ROOT_INODE);
                byte[] name = "lost+found".getBytes(StandardCharsets.US_ASCII);
                long hash = DirectoryKeys.hash48(superblock.dirHashKey0(), superblock.dirHashKey1(), name);
                DirectoryLeaf.insert(block, new DirEntry(DirectoryKeys.key(hash, 0), Limits.LOST_AND_FOUND_INODE,
                        DirectoryKeys.DT_DIR, name));
            });
        }

        private void putInodeIfHere(ByteBuffer block, long blockNr, long inodeNr, Inode inode) {
            if (geometry.inodeBlock(inodeNr) == blockNr) {
                inode.encode(block, geometry.inodeOffset(inodeNr), inodeNr, InodeChecksum.of(superblock));
            }
        }

        private Inode rootInode() {
            DirectoryRoot root = new DirectoryRoot(0, rootLeafBlock, 1);
            // Links: its own ".", its ".." (the root is its own parent), lost+found's "..".
            return directoryInode(0755, 3, geometry.blockSize(), 1, Limits.ROOT_INODE, root);
        }

        private Inode lostAndFoundInode() {
            return directoryInode(0700, 2, 0, 0, Limits.ROOT_INODE, new DirectoryRoot(0, 0, 0));
        }

        private Inode directoryInode(int permissions, long links, long size, long blocks, long parent, DirectoryRoot root) {
            Timestamp now = Timestamp.of(options.now());
            return new Inode(Inode.S_IFDIR | permissions, options.ownerUid(), options.ownerGid(), links, size, blocks,
                    now, now, now, now, Integer.toUnsignedLong(options.random().nextInt()), 0, 0, 0, parent, 0,
                    root.encode());
        }

        private void writeDescriptorTable(BlockDevice device) {
            int perBlock = geometry.descriptorsPerBlock();
            for (int t = 0; t < geometry.gdtBlocks(); t++) {
                long blockNr = 1 + t;
                int first = t * perBlock;
                put(device, blockNr, block -> {
                    GroupDescriptorTable.initBlock(block, blockNr);
                    for (int slot = 0; slot < perBlock && first + slot < descriptors.size(); slot++) {
                        GroupDescriptorTable.put(block, slot, descriptors.get(first + slot));
                    }
                });
            }
        }

        private void writeJournal(BlockDevice device) {
            long start = geometry.journalStart();
            JournalHeader header = new JournalHeader(1, start + Limits.JOURNAL_FIXED_BLOCKS,
                    geometry.journalBlocks() - Limits.JOURNAL_FIXED_BLOCKS, options.random().nextLong());
            put(device, start, block -> header.encode(block, start));
            put(device, start + 1, block -> new JournalMaster(1, 0, 0, 0).encode(block, start + 1));
            put(device, start + 2, block -> new JournalMaster(0, 0, 0, 0).encode(block, start + 2));
        }

        private void put(BlockDevice device, long blockNr, Consumer<ByteBuffer> encoder) {
            ByteBuffer block = ByteBuffer.allocate(geometry.blockSize());
            encoder.accept(block);
            BlockHeader.seal(block, options.uuid());
            device.write(blockNr, block);
        }
    }
}
