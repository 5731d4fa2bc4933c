package org.quillfs.fsck;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.UUID;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.Geometry;
import org.quillfs.format.Inode;
import org.quillfs.format.InodeChecksum;
import org.quillfs.format.Superblock;
import org.quillfs.volume.BlockDevice;

/**
 * The device being checked, as fsck reads and repairs it: whole blocks, read straight from the
 * device and written straight back. With the journal replayed and the filesystem not mounted
 * nothing else writes, so no cache or journal is needed: a repair reads a block, changes it,
 * reseals its header checksum and writes it. {@link #flush} ends the run.
 *
 * <p>A volume opened for {@code -n} refuses every write: that no question answered "no" leads to
 * a write is an invariant, and breaking it fails loudly.
 */
final class Volume {

    final BlockDevice device;
    final Geometry geometry;
    final UUID uuid;
    final InodeChecksum inodeChecksum;
    final int blockSize;
    private final boolean writable;
    private long blocksWritten;

    Volume(BlockDevice device, Superblock superblock, boolean writable) {
        this.device = device;
        this.geometry = superblock.geometry();
        this.uuid = superblock.uuid();
        this.inodeChecksum = InodeChecksum.of(superblock);
        this.blockSize = geometry.blockSize();
        this.writable = writable;
    }

    boolean writable() {
        return writable;
    }

    /** Blocks written by the checker (not by journal recovery). */
    long blocksWritten() {
        return blocksWritten;
    }

    ByteBuffer read(long blockNr) {
        ByteBuffer block = ByteBuffer.allocate(blockSize);
        device.read(blockNr, block);
        return block.clear();
    }

    /** Reads {@code count} consecutive blocks with one I/O. */
    ByteBuffer readRun(long first, int count) {
        ByteBuffer run = ByteBuffer.allocate(count * blockSize);
        device.read(first, run);
        return run.clear();
    }

    /** Block {@code i} of a run read by {@link #readRun}, as its own buffer sharing the bytes. */
    ByteBuffer slice(ByteBuffer run, int i) {
        return run.duplicate().clear().position(i * blockSize).limit((i + 1) * blockSize).slice();
    }

    /** Seals {@code block}'s header checksum and writes it as block {@code blockNr}. */
    void writeMetadata(long blockNr, ByteBuffer block) {
        BlockHeader.seal(block, uuid);
        writeRaw(blockNr, block);
    }

    /** Writes {@code block} as it is (file data: no header). */
    void writeRaw(long blockNr, ByteBuffer block) {
        if (!writable) {
            throw new IllegalStateException("fsck -n must not write, yet block " + blockNr + " was to be written");
        }
        device.write(blockNr, block.duplicate().clear());
        blocksWritten++;
    }

    void flush() {
        if (writable) {
            device.flush();
        }
    }

    /** What is wrong with the header of {@code block} as a block of {@code type} at {@code blockNr}. */
    Optional<String> headerProblem(ByteBuffer block, BlockType type, long blockNr) {
        return BlockHeader.problem(block, uuid, type, blockNr);
    }

    /** Whether the header is right but for its checksum: the body may still be sound. */
    boolean onlyChecksumWrong(ByteBuffer block, BlockType type, long blockNr) {
        return BlockHeader.magic(block) == BlockHeader.MAGIC && BlockHeader.typeCode(block) == type.code()
                && BlockHeader.blockNr(block) == blockNr && headerVersion(block) == BlockHeader.VERSION
                && BlockHeader.storedCrc(block) != BlockHeader.computeCrc(block, uuid);
    }

    /** Whether {@code blockNr} lies in the data area of a group (not before the groups, not group metadata). */
    boolean isDataBlock(long blockNr) {
        if (blockNr < geometry.groupsStart() || blockNr >= geometry.blockCount()) {
            return false;
        }
        int g = geometry.groupOfBlock(blockNr);
        return blockNr >= geometry.firstDataBlock(g);
    }

    /** Whether {@code count} blocks from {@code first} all lie in the data area of one group. */
    boolean isDataRun(long first, long count) {
        if (count <= 0 || !isDataBlock(first) || first > geometry.blockCount() - count) {
            return false;
        }
        int g = geometry.groupOfBlock(first);
        return first + count <= geometry.groupStart(g) + geometry.groupLength(g);
    }

    /** Reads inode {@code number} from its table block (no checks). */
    Inode readInode(long number) {
        return Inode.decode(read(geometry.inodeBlock(number)), geometry.inodeOffset(number));
    }

    /** Writes inode {@code number} (with its checksum) into its table block and reseals the block. */
    void writeInode(long number, Inode inode) {
        long blockNr = geometry.inodeBlock(number);
        ByteBuffer block = read(blockNr);
        inode.encode(block, geometry.inodeOffset(number), number, inodeChecksum);
        writeMetadata(blockNr, block);
    }

    /** Zeroes inode {@code number}: a free inode is all zero. */
    void clearInode(long number) {
        long blockNr = geometry.inodeBlock(number);
        ByteBuffer block = read(blockNr);
        block.put(geometry.inodeOffset(number), new byte[256]);
        writeMetadata(blockNr, block);
    }

    private static int headerVersion(ByteBuffer block) {
        return Short.toUnsignedInt(block.duplicate().order(ByteOrder.LITTLE_ENDIAN).getShort(6));
    }
}
