package org.quillfs.inspect;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.GroupDescriptor;
import org.quillfs.format.GroupDescriptorTable;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.journal.LogRegion;
import org.quillfs.journal.LogScanner;
import org.quillfs.journal.MasterStore;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.FileBlockDevice;
import org.quillfs.volume.VolumeAssemblyException;
import org.quillfs.volume.VolumeIOException;
import org.quillfs.volume.VolumeMembers;

/**
 * A quillfs image (or volume) opened read-only for inspection: its primary superblock, decoded
 * even when damaged, and typed access to its other metadata blocks.
 */
final class Image implements Closeable {

    /** The image, or the volume's members in member order with their labels. */
    final VolumeMembers devices;
    final Superblock superblock;
    /** What is wrong with the primary superblock (header, checksum or fields), if anything. */
    final Optional<String> superblockProblem;
    private final BlockDevice device;

    private Image(VolumeMembers devices, BlockDevice device, Superblock superblock, Optional<String> superblockProblem) {
        this.devices = devices;
        this.device = device;
        this.superblock = superblock;
        this.superblockProblem = superblockProblem;
    }

    /**
     * Opens the image in {@code paths}, or the volume their members make. Only what leaves nothing
     * to show is refused: a missing or unreadable file, devices that are not one whole volume, an
     * image whose first block is not a quillfs superblock, or one whose block size is nonsense.
     */
    static Image open(List<Path> paths) {
        for (Path path : paths) {
            if (!Files.isRegularFile(path) && !Files.exists(path)) {
                throw new UnreadableImageException(path + " does not exist");
            }
        }
        VolumeMembers devices;
        try {
            devices = VolumeMembers.probe(paths);
        } catch (VolumeAssemblyException e) {
            throw new UnreadableImageException(e.getMessage());
        }
        BlockDevice device = devices.isVolume() ? devices.open(false) : openImage(paths.get(0));
        ByteBuffer block = ByteBuffer.allocate(device.blockSize());
        device.read(0, block);
        Superblock sb = Superblock.decode(block);
        Optional<String> problem = BlockHeader.problem(block, sb.uuid(), BlockType.SUPERBLOCK, 0).or(sb::problem);
        return new Image(devices, device, sb, problem);
    }

    /** The image at {@code path}, opened with the block size its superblock gives. */
    private static BlockDevice openImage(Path path) {
        long size = FileBlockDevice.sizeOf(path);
        if (size < Limits.MIN_BLOCK_SIZE) {
            throw new UnreadableImageException(path + " is not a quillfs filesystem (only " + size + " bytes)");
        }
        int blockSize;
        try (BlockDevice probe = FileBlockDevice.open(path, Limits.MIN_BLOCK_SIZE, false)) {
            ByteBuffer head = ByteBuffer.allocate(Limits.MIN_BLOCK_SIZE);
            probe.read(0, head);
            if (BlockHeader.magic(head) != BlockHeader.MAGIC || BlockHeader.typeCode(head) != BlockType.SUPERBLOCK.code()) {
                throw new UnreadableImageException(path + " is not a quillfs filesystem (no quillfs superblock in block 0)");
            }
            blockSize = Superblock.decode(head).geometry().blockSize();
        }
        if (!Limits.isValidBlockSize(blockSize) || blockSize > size) {
            throw new UnreadableImageException(path + ": the superblock's block size " + blockSize
                    + " is damaged; nothing else can be located");
        }
        return FileBlockDevice.open(path, blockSize, false);
    }

    /** Whether the geometry can be trusted to locate groups, inodes and the journal. */
    boolean geometryUsable() {
        return superblock.geometry().problem().isEmpty()
                && superblock.geometry().blockCount() <= device.blockCount();
    }

    ByteBuffer read(long blockNr) {
        ByteBuffer block = ByteBuffer.allocate(device.blockSize());
        device.read(blockNr, block);
        return block;
    }

    Optional<String> check(ByteBuffer block, BlockType type, long blockNr) {
        return BlockHeader.problem(block, superblock.uuid(), type, blockNr);
    }

    MasterStore masters() {
        return new MasterStore(device, superblock.uuid(), superblock.geometry().journalStart());
    }

    LogScanner scanLog(LogRegion region, long fromLsn) {
        return new LogScanner(device, region, fromLsn);
    }

    ByteBuffer descriptorBlock(int group) {
        return read(GroupDescriptorTable.tableBlockOf(group, device.blockSize()));
    }

    GroupDescriptor descriptor(ByteBuffer tableBlock, int group) {
        return GroupDescriptorTable.get(tableBlock, GroupDescriptorTable.slotOf(group, device.blockSize()));
    }

    @Override
    public void close() {
        try {
            device.close();
        } catch (VolumeIOException ignored) {
            // Read-only: nothing can be lost by a failed close.
        }
    }
}
