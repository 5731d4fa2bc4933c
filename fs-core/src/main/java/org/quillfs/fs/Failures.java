package org.quillfs.fs;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.quillfs.cache.WriteBackFailedException;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.Superblock;
import org.quillfs.journal.JournalAbortedException;
import org.quillfs.txn.MetadataStore;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.VolumeIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the filesystem does when its device fails or its metadata is found damaged: ext4's
 * {@code errors=remount-ro} (docs/FILESYSTEM.md, "Device errors").
 *
 * <p>Every failure that reaches the facade becomes an errno ({@link #errno}): a device error
 * EIO, a device without room for a data write ENOSPC. Most leave the filesystem as it was (the
 * operation's transaction rolled back): a data block that cannot be read or written, a metadata
 * block that cannot be read. A failure after which metadata can no longer be made durable — the
 * log cannot be written or flushed, a block cannot go home, a metadata block fails its checksum
 * or structure — <em>stops</em> the filesystem ({@link #stop}): the journal is aborted and
 * nothing more is written, every later change gets EROFS, reads go on from memory and the
 * device, one ERROR line is logged, and the superblock on the device is marked ERRORS (best
 * effort, written directly: the journal can no longer carry it) so that fsck checks it in full.
 * What was durable stays so: the next mount's recovery finds the log as far as it reached the
 * device.
 *
 * <p>Thread-safe: the first failure wins; later ones only get their errno.
 */
final class Failures {

    private static final Logger log = LoggerFactory.getLogger(FileSystem.class);

    private final BlockDevice device;
    private final UUID uuid;
    private final MetadataStore store;
    /** Why the filesystem stopped; null while it runs. */
    private final AtomicReference<String> stopped = new AtomicReference<>();

    Failures(BlockDevice device, UUID uuid, MetadataStore store) {
        this.device = device;
        this.uuid = uuid;
        this.store = store;
        store.onBackgroundFailure(e -> stop(e.getMessage()));
    }

    /**
     * The exception the facade throws for {@code e}, a failure from the layers below: an
     * {@link FsException} for every device failure, after stopping the filesystem if the failure
     * leaves metadata that can no longer be made durable. Other exceptions (bugs) go on as they are.
     */
    RuntimeException errno(RuntimeException e) {
        if (e instanceof FsException f) {
            if (f.damage()) {
                stop("metadata is damaged: " + f.getMessage().replaceFirst("^EIO: ", ""));
            } else if (store.stopped()) {
                stop("the journal was aborted");
            }
            return f;
        }
        if (e instanceof JournalAbortedException || e instanceof WriteBackFailedException || store.stopped()) {
            stop(e.getMessage());
            return new FsException(Errno.EIO, e.getMessage() + " (the filesystem is read-only now)");
        }
        VolumeIOException io = ioCause(e);
        if (io != null) {
            return new FsException(io.noSpace() ? Errno.ENOSPC : Errno.EIO, io.getMessage());
        }
        return e;
    }

    private static VolumeIOException ioCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof VolumeIOException io) {
                return io;
            }
        }
        return null;
    }

    /** @throws FsException EROFS once the filesystem has stopped */
    void checkWritable() {
        String why = stopped.get();
        if (why != null) {
            throw new FsException(Errno.EROFS, "the filesystem is read-only after an error (" + why
                    + "): unmount it and run fsck.quillfs");
        }
    }

    /** Why the filesystem stopped, if it did. */
    Optional<String> reason() {
        return Optional.ofNullable(stopped.get());
    }

    /**
     * Stops the filesystem (see the class comment), once: writes nothing more but the ERRORS
     * mark, and logs one line that says what happened and what to do.
     */
    void stop(String why) {
        if (!stopped.compareAndSet(null, why)) {
            return;
        }
        store.stop(why, null);
        log.error("quillfs {}: {}; the filesystem is read-only now (errors=remount-ro), {}: unmount it and run "
                + "fsck.quillfs -f {}", device.name(), why, markSuperblock(), device.name());
    }

    /** Sets ERRORS in the superblock on the device, if it is sound there and the device takes the write. */
    private String markSuperblock() {
        try {
            ByteBuffer block = ByteBuffer.allocate(device.blockSize());
            device.read(0, block);
            block.clear();
            if (BlockHeader.problem(block, uuid, BlockType.SUPERBLOCK, 0).isPresent()) {
                return "the superblock could not be marked as having errors (it does not verify on the device)";
            }
            Superblock.markErrors(block);
            BlockHeader.seal(block, uuid);
            device.write(0, block.clear());
            device.flush();
            return "the superblock is marked as having errors";
        } catch (RuntimeException e) {
            return "the superblock could not be marked as having errors (" + e.getMessage() + ")";
        }
    }
}
