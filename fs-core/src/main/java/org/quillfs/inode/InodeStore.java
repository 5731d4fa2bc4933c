package org.quillfs.inode;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.UUID;
import org.quillfs.cache.CachedBlock;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.Geometry;
import org.quillfs.format.Inode;
import org.quillfs.format.InodeChecksum;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.txn.BlockReader;
import org.quillfs.txn.Transaction;

/**
 * Inodes read and written inside transactions (docs/FORMAT.md, "Inodes"). A read checks the
 * inode-table block and the inode's own checksum: damage is an I/O error of the operation
 * (EIO), never a wrong answer. A write logs only the bytes of the inode that change.
 *
 * <p>Only inodes the allocator handed out are read or written here: their table blocks have
 * been initialised (docs/FORMAT.md, "itable_initialized").
 */
public final class InodeStore {

    private final Geometry geometry;
    private final UUID uuid;
    private final InodeChecksum checksum;

    public InodeStore(Superblock superblock) {
        this(superblock.geometry(), superblock.uuid(), InodeChecksum.of(superblock));
    }

    private InodeStore(Geometry geometry, UUID uuid, InodeChecksum checksum) {
        this.geometry = geometry;
        this.uuid = uuid;
        this.checksum = checksum;
    }

    /**
     * Inode {@code number}, or empty when it is free.
     *
     * @throws FsException EINVAL for a number that is no inode of this filesystem, EIO when its
     *     table block or the inode itself is damaged
     */
    public Optional<Inode> read(BlockReader txn, long number) {
        checkNumber(number);
        long blockNr = geometry.inodeBlock(number);
        int offset = geometry.inodeOffset(number);
        try (CachedBlock block = txn.read(blockNr)) {
            ByteBuffer contents = block.contents();
            if (!block.isVerified()) {
                // only a clean block's checksum is current; a block we changed was sound when we read it
                Optional<String> damage = block.isDirty()
                        ? typeProblem(contents, blockNr)
                        : BlockHeader.problem(contents, uuid, BlockType.INODE_TABLE, blockNr);
                if (damage.isPresent()) {
                    throw FsException.damaged("inode " + number + ": inode table block " + blockNr + ": "
                            + damage.get());
                }
                block.markVerified();
            } else if (BlockHeader.typeCode(contents) != BlockType.INODE_TABLE.code()) {
                throw FsException.damaged("inode " + number + ": block " + blockNr + " is no inode table block");
            }
            byte[] bytes = Inode.bytesAt(contents, offset);
            if (Inode.isFree(bytes)) {
                return Optional.empty();
            }
            Optional<String> damage = Inode.checksumProblem(bytes, number, checksum);
            if (damage.isPresent()) {
                throw FsException.damaged("inode " + number + ": " + damage.get());
            }
            return Optional.of(Inode.decode(bytes));
        }
    }

    private static Optional<String> typeProblem(ByteBuffer contents, long blockNr) {
        return BlockHeader.typeCode(contents) == BlockType.INODE_TABLE.code()
                ? Optional.empty()
                : Optional.of("block " + blockNr + " is no inode table block");
    }

    /** Writes {@code inode} as inode {@code number} (with its checksum), logging only what changes. */
    public void write(Transaction txn, long number, Inode inode) {
        checkNumber(number);
        verifyBlockOf(txn, number);
        txn.updateChanged(geometry.inodeBlock(number), geometry.inodeOffset(number), inode.encode(number, checksum));
    }

    /** Zeroes inode {@code number}: a free inode is all zero. */
    public void clear(Transaction txn, long number) {
        checkNumber(number);
        verifyBlockOf(txn, number);
        txn.updateChanged(geometry.inodeBlock(number), geometry.inodeOffset(number), new byte[Limits.INODE_SIZE]);
    }

    /**
     * Checks the table block of inode {@code number} before a change to it: a new inode is written
     * without being read, and a block that came from the device damaged (its other inodes) must
     * not go home sealed with a checksum that covers the damage.
     *
     * @throws FsException EIO (damaged) when it does not verify
     */
    private void verifyBlockOf(Transaction txn, long number) {
        long blockNr = geometry.inodeBlock(number);
        try (CachedBlock block = txn.readForUpdate(blockNr)) {
            block.verify(uuid, BlockType.INODE_TABLE).ifPresent(why -> {
                throw FsException.damaged("inode " + number + ": inode table block " + blockNr + ": " + why);
            });
        }
    }

    private void checkNumber(long number) {
        if (number < 1 || number > geometry.inodeCount()) {
            throw new FsException(Errno.EINVAL, "inode " + number + " does not exist: inodes are 1.."
                    + geometry.inodeCount());
        }
    }
}
