package org.quillfs.fsck;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.Geometry;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.volume.BlockDevice;

/**
 * Finds the superblock to check with: the primary in block 0 when it verifies, else the first
 * backup that does (groups 1, 3, 5, 7, 9, 25, ...; docs/FORMAT.md "Superblock").
 *
 * <p>Where the backups are follows from the geometry. When the primary's fields still describe
 * a sound geometry (only its checksum or a dynamic field is damaged) they locate the backups;
 * otherwise the backup of group 1 is sought where every layout mkfs makes by default would put
 * it: for each block size, for each journal length that is a power of two from the smallest to
 * the largest mkfs chooses, block {@code 1 + gdt_blocks + journal_blocks + blocks_per_group}.
 */
final class SuperblockFinder {

    /** What was found: the superblock to use, where, and what is wrong with the primary (null: nothing). */
    record Found(Superblock superblock, long location, String primaryProblem) {

        boolean fromBackup() {
            return location != 0;
        }
    }

    private final BlockDevice device;
    private final String name;
    private final long size;

    /** Looks in {@code device} ({@code size} bytes, in blocks of any size up to the smallest filesystem block). */
    SuperblockFinder(BlockDevice device, String name, long size) {
        this.device = device;
        this.name = name;
        this.size = size;
    }

    Found find() {
        if (size < Limits.MIN_BLOCK_SIZE) {
            throw new UnreadableException(name + " is not a quillfs filesystem (only " + size + " bytes)");
        }
        ByteBuffer head = read(0, Limits.MIN_BLOCK_SIZE);
        String primaryProblem;
        Geometry hint = null;
        Superblock primary = null;
        if (BlockHeader.magic(head) != BlockHeader.MAGIC || BlockHeader.typeCode(head) != BlockType.SUPERBLOCK.code()) {
            primaryProblem = "no quillfs superblock in block 0";
        } else {
            int blockSize = Superblock.decode(head).geometry().blockSize();
            if (!Limits.isValidBlockSize(blockSize) || blockSize > size) {
                primaryProblem = "its block size " + blockSize + " is impossible";
            } else {
                ByteBuffer block = read(0, blockSize);
                Superblock decoded = Superblock.decode(block);
                primary = decoded;
                Optional<String> problem = BlockHeader.problem(block, decoded.uuid(), BlockType.SUPERBLOCK, 0)
                        .or(decoded::problem).or(() -> sizeProblem(decoded));
                if (problem.isEmpty()) {
                    return new Found(primary, 0, null);
                }
                primaryProblem = problem.get();
                if (primary.geometry().problem().isEmpty() && sizeProblem(primary).isEmpty()) {
                    hint = primary.geometry();
                }
            }
        }
        if (hint != null) {
            for (long backup : hint.backupSuperblocks()) {
                Superblock sb = backupAt(hint.blockSize(), backup);
                if (sb != null) {
                    return new Found(sb, backup, primaryProblem);
                }
            }
        }
        for (int blockSize = Limits.MIN_BLOCK_SIZE; blockSize <= Limits.MAX_BLOCK_SIZE; blockSize *= 2) {
            Superblock sb = searchGroupOne(blockSize);
            if (sb != null) {
                return new Found(sb, sb.geometry().backupSuperblocks().get(0), primaryProblem);
            }
        }
        if (primary != null && hint != null && hint.backupSuperblocks().isEmpty() && primary.problem().isEmpty()) {
            // A single group has no backup: a primary whose fields are sound is the best there is.
            return new Found(primary, 0, primaryProblem);
        }
        throw new UnreadableException(name + ": no usable quillfs superblock (block 0: " + primaryProblem
                + "), and no backup superblock found");
    }

    /** The backup at {@code blockNr} if it verifies there and its geometry puts a backup there. */
    private Superblock backupAt(int blockSize, long blockNr) {
        if ((blockNr + 1) * blockSize > size) {
            return null;
        }
        ByteBuffer block = read(blockNr * blockSize, blockSize);
        if (BlockHeader.magic(block) != BlockHeader.MAGIC) {
            return null;
        }
        Superblock sb = Superblock.decode(block);
        if (BlockHeader.problem(block, sb.uuid(), BlockType.SUPERBLOCK, blockNr).isPresent()
                || sb.problem().isPresent() || sizeProblem(sb).isPresent()
                || sb.geometry().blockSize() != blockSize || !sb.geometry().backupSuperblocks().contains(blockNr)) {
            return null;
        }
        return sb;
    }

    private Superblock searchGroupOne(int blockSize) {
        long blocks = size / blockSize;
        int blocksPerGroup = 8 * (blockSize - BlockHeader.SIZE);
        int descriptorsPerBlock = (blockSize - BlockHeader.SIZE) / Limits.GROUP_DESCRIPTOR_SIZE;
        long minJournal = Math.max(Limits.MIN_JOURNAL_BLOCKS, Limits.MIN_JOURNAL_BYTES / blockSize);
        long maxJournal = Limits.MAX_DEFAULT_JOURNAL_BYTES / blockSize;
        for (long journal = Long.highestOneBit(minJournal); journal <= maxJournal; journal *= 2) {
            if (journal < minJournal) {
                continue;
            }
            long groups = Math.max(1, (blocks - 1 - journal) / blocksPerGroup + 1);
            long maxGdt = (groups + descriptorsPerBlock - 1) / descriptorsPerBlock + 1;
            for (long gdt = 1; gdt <= maxGdt; gdt++) {
                long candidate = 1 + gdt + journal + blocksPerGroup;
                if (candidate >= blocks) {
                    break;
                }
                Superblock sb = backupAt(blockSize, candidate);
                if (sb != null) {
                    return sb;
                }
            }
        }
        return null;
    }

    private Optional<String> sizeProblem(Superblock sb) {
        Geometry g = sb.geometry();
        if (Limits.isValidBlockSize(g.blockSize()) && g.blockCount() > size / g.blockSize()) {
            return Optional.of("it describes " + g.blockCount() + " blocks of " + g.blockSize()
                    + " bytes, but the device holds only " + size / g.blockSize());
        }
        return Optional.empty();
    }

    /** The {@code length} bytes at {@code offset}, read as the whole device blocks that hold them. */
    private ByteBuffer read(long offset, int length) {
        int blockSize = device.blockSize();
        long first = offset / blockSize;
        long end = (offset + length + blockSize - 1) / blockSize;
        ByteBuffer blocks = ByteBuffer.allocate((int) ((end - first) * blockSize));
        device.read(first, blocks);
        return ByteBuffer.wrap(blocks.array(), (int) (offset - first * blockSize), length).slice();
    }
}
