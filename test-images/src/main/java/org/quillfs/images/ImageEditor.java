package org.quillfs.images;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.DirEntry;
import org.quillfs.format.DirectoryKeys;
import org.quillfs.format.DirectoryLeaf;
import org.quillfs.format.DirectoryRoot;
import org.quillfs.format.Geometry;
import org.quillfs.format.GroupDescriptor;
import org.quillfs.format.GroupDescriptorTable;
import org.quillfs.format.Inode;
import org.quillfs.format.InodeChecksum;
import org.quillfs.format.Superblock;
import org.quillfs.volume.BlockDevice;

/**
 * Damages a quillfs image in precise ways, below the filesystem: blocks changed in place, resealed
 * (so that only the damage meant is there) or not (to break a checksum on purpose). For the
 * corrupted golden images ({@link CorruptImages}); directories edited here have a single leaf.
 */
final class ImageEditor {

    final BlockDevice device;
    final Superblock superblock;
    final Geometry geometry;

    ImageEditor(BlockDevice device) {
        this.device = device;
        ByteBuffer block = ByteBuffer.allocate(device.blockSize());
        device.read(0, block);
        this.superblock = Superblock.decode(block.clear());
        this.geometry = superblock.geometry();
    }

    ByteBuffer read(long blockNr) {
        ByteBuffer block = ByteBuffer.allocate(device.blockSize());
        device.read(blockNr, block);
        return block.clear().order(ByteOrder.LITTLE_ENDIAN);
    }

    void write(long blockNr, ByteBuffer block, boolean seal) {
        if (seal) {
            BlockHeader.seal(block, superblock.uuid());
        }
        device.write(blockNr, block.duplicate().clear());
    }

    /** Changes block {@code blockNr} and reseals it: only the change is damage. */
    void edit(long blockNr, Consumer<ByteBuffer> change) {
        ByteBuffer block = read(blockNr);
        change.accept(block);
        write(blockNr, block, true);
    }

    /** Changes block {@code blockNr} without resealing: its checksum no longer matches. */
    void corrupt(long blockNr, Consumer<ByteBuffer> change) {
        ByteBuffer block = read(blockNr);
        change.accept(block);
        write(blockNr, block, false);
    }

    Inode inode(long ino) {
        return Inode.decode(read(geometry.inodeBlock(ino)), geometry.inodeOffset(ino));
    }

    /** Writes {@code inode} with a correct checksum. */
    void inode(long ino, Inode inode) {
        edit(geometry.inodeBlock(ino), b -> inode.encode(b, geometry.inodeOffset(ino), ino, InodeChecksum.of(superblock)));
    }

    /** Zeroes inode {@code ino} (as if freed), touching nothing else. */
    void zeroInode(long ino) {
        edit(geometry.inodeBlock(ino), b -> b.put(geometry.inodeOffset(ino), new byte[256]));
    }

    /** Changes bytes of inode {@code ino} without fixing its checksum. */
    void corruptInode(long ino, int offset, byte[] bytes) {
        edit(geometry.inodeBlock(ino), b -> b.put(geometry.inodeOffset(ino) + offset, bytes));
    }

    /** The leaf of single-leaf directory {@code dir}. */
    long leafOf(long dir) {
        DirectoryRoot root = DirectoryRoot.decode(inode(dir).data());
        if (root.depth() != 0 || root.rootBlock() == 0) {
            throw new IllegalStateException("directory " + dir + " has no single leaf");
        }
        return root.rootBlock();
    }

    long lookup(long dir, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        for (DirEntry e : DirectoryLeaf.entries(read(leafOf(dir)))) {
            if (Arrays.equals(e.name(), bytes)) {
                return e.inode();
            }
        }
        throw new IllegalStateException(name + " is not in directory " + dir);
    }

    /** Takes entry {@code name} out of directory {@code dir} (its leaf and its entry count). */
    void removeEntry(long dir, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        long leaf = leafOf(dir);
        edit(leaf, b -> {
            for (DirEntry e : DirectoryLeaf.entries(b)) {
                if (Arrays.equals(e.name(), bytes)) {
                    DirectoryLeaf.remove(b, e.key());
                    if (DirectoryLeaf.entryCount(b) == 0) {
                        throw new IllegalStateException("the leaf of directory " + dir + " would be empty");
                    }
                    return;
                }
            }
            throw new IllegalStateException(name + " is not in directory " + dir);
        });
        changeEntryCount(dir, -1);
    }

    /** Adds entry {@code name} → {@code ino} of {@code fileType} to directory {@code dir}. */
    void addEntry(long dir, String name, long ino, int fileType) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        long hash = DirectoryKeys.hash48(superblock.dirHashKey0(), superblock.dirHashKey1(), bytes);
        edit(leafOf(dir), b -> {
            if (!DirectoryLeaf.insert(b, new DirEntry(DirectoryKeys.key(hash, 0), ino, fileType, bytes))) {
                throw new IllegalStateException("no room in the leaf of directory " + dir);
            }
        });
        changeEntryCount(dir, 1);
    }

    private void changeEntryCount(long dir, int delta) {
        Inode d = inode(dir);
        DirectoryRoot root = DirectoryRoot.decode(d.data());
        inode(dir, d.withData(new DirectoryRoot(root.depth(), root.rootBlock(), root.entryCount() + delta).encode(),
                d.flags()));
    }

    GroupDescriptor descriptor(int group) {
        return GroupDescriptorTable.get(read(GroupDescriptorTable.tableBlockOf(group, geometry.blockSize())),
                GroupDescriptorTable.slotOf(group, geometry.blockSize()));
    }

    void descriptor(int group, GroupDescriptor d) {
        edit(GroupDescriptorTable.tableBlockOf(group, geometry.blockSize()),
                b -> GroupDescriptorTable.put(b, GroupDescriptorTable.slotOf(group, geometry.blockSize()), d));
    }

    /** Sets or clears bit {@code bit} of the bitmap block {@code blockNr}, resealed. */
    void bitmapBit(long blockNr, int bit, boolean set) {
        edit(blockNr, b -> org.quillfs.format.Bitmap.set(b, bit, set));
    }

    /** Rewrites the primary superblock as {@code sb}, resealed. */
    void superblock(Superblock sb) {
        ByteBuffer block = ByteBuffer.allocate(geometry.blockSize());
        sb.encode(block, 0);
        write(0, block, true);
    }
}
