package org.quillfs.mount;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.JournalHeader;
import org.quillfs.format.JournalMaster;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.journal.LogRegion;
import org.quillfs.journal.LogScanner;
import org.quillfs.journal.MasterStore;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.FileBlockDevice;
import org.quillfs.volume.VolumeMembers;

/**
 * Whether an image's journal holds anything that recovery would replay, found before the image
 * is opened (opening recovers, and {@code norecovery} must be able to refuse first).
 *
 * <p>The superblock's CLEAN bit cannot say it: a mount clears it through the journal, so after
 * a crash the home copy of the superblock may still read CLEAN. What counts is the log, read the
 * way recovery reads it: from the current master record's tail, is there any record? A clean
 * unmount leaves an empty log. (FileSystem has no such query yet; this reads the journal layer
 * the way {@code quillfs inspect journal} does.)
 */
final class ImageState {

    private ImageState() {
    }

    /**
     * Whether mounting {@code devices} (an image, or a volume's members) would replay its
     * journal; empty when they hold no readable quillfs superblock or journal (opening them then
     * says what is wrong).
     */
    static Optional<Boolean> needsRecovery(VolumeMembers devices) {
        try {
            BlockDevice opened = openReadOnly(devices);
            if (opened == null) {
                return Optional.empty();
            }
            try (BlockDevice device = opened) {
                int blockSize = device.blockSize();
                ByteBuffer block = ByteBuffer.allocate(blockSize);
                device.read(0, block);
                Superblock sb = Superblock.decode(block.clear());
                long journalStart = sb.geometry().journalStart();
                ByteBuffer headerBlock = ByteBuffer.allocate(blockSize);
                device.read(journalStart, headerBlock);
                if (BlockHeader.problem(headerBlock.clear(), sb.uuid(), BlockType.JOURNAL_HEADER, journalStart)
                        .isPresent()) {
                    return Optional.empty();
                }
                LogRegion region = LogRegion.of(sb, JournalHeader.decode(headerBlock));
                JournalMaster master = new MasterStore(device, sb.uuid(), journalStart).current();
                long tail = master.tailLsn() == 0 ? region.lsnOf(1) : master.tailLsn();
                return Optional.of(new LogScanner(device, region, tail).next().isPresent());
            }
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The volume, or the image opened with its superblock's block size; null when it has none. */
    private static BlockDevice openReadOnly(VolumeMembers devices) {
        if (devices.isVolume()) {
            return devices.open(false);
        }
        Path image = devices.paths().get(0);
        int blockSize = blockSize(image);
        return blockSize == 0 ? null : FileBlockDevice.open(image, blockSize, false);
    }

    /** The block size in the superblock at the start of {@code image}, or 0 if there is none. */
    private static int blockSize(Path image) {
        try (FileBlockDevice probe = FileBlockDevice.open(image, Limits.MIN_BLOCK_SIZE, false)) {
            if (probe.blockCount() == 0) {
                return 0;
            }
            ByteBuffer head = ByteBuffer.allocate(Limits.MIN_BLOCK_SIZE);
            probe.read(0, head);
            head.clear();
            if (BlockHeader.magic(head) != BlockHeader.MAGIC || BlockHeader.typeCode(head) != BlockType.SUPERBLOCK.code()) {
                return 0;
            }
            int blockSize = Superblock.decode(head).geometry().blockSize();
            return Limits.isValidBlockSize(blockSize) ? blockSize : 0;
        }
    }
}
