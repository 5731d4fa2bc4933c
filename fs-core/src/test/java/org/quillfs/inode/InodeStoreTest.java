package org.quillfs.inode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.quillfs.alloc.Allocator;
import org.quillfs.alloc.Reservation;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.Formatter;
import org.quillfs.format.Geometry;
import org.quillfs.format.Inode;
import org.quillfs.format.Limits;
import org.quillfs.format.Superblock;
import org.quillfs.format.TestFormats;
import org.quillfs.format.Timestamp;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.txn.MetadataStore;
import org.quillfs.txn.ReadOnlyTransaction;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.MemoryBlockDevice;

class InodeStoreTest {

    final MemoryBlockDevice device = new MemoryBlockDevice("fs", 4096, (64L << 20) / 4096);
    final Superblock superblock = Formatter.format(device, TestFormats.options(4096, 64L << 20));
    final Geometry g = superblock.geometry();
    final InodeStore inodes = new InodeStore(superblock);
    MetadataStore store = MetadataStore.open(device, superblock, MetadataStore.Options.defaults());

    @AfterEach
    void close() {
        store.close();
    }

    static Inode file(long size) {
        Timestamp t = Timestamp.of(Instant.parse("2026-11-23T10:00:00.5Z"));
        return new Inode(Inode.S_IFREG | 0644, 1000, 1000, 1, size, 0, t, t, t, t, 7, 0, 0, 0, 0, 0, new byte[128]);
    }

    long createFile(long size) {
        Allocator allocator = Allocator.open(superblock, store);
        Transaction txn = store.transactions().begin(allocator.logBytesPerInode() + LogRecordCodec.updateSize(256));
        Reservation r = allocator.reserve(txn, 0, 1);
        long number = allocator.allocateInode(txn, r, Limits.ROOT_INODE, false);
        inodes.write(txn, number, file(size));
        txn.commit();
        return number;
    }

    Optional<Inode> read(long number) {
        try (ReadOnlyTransaction txn = store.transactions().beginReadOnly()) {
            return inodes.read(txn, number);
        }
    }

    @Test
    void aWrittenInodeReadsBackBeforeAndAfterItGoesHomeAndAfterReopen() {
        long number = createFile(12345);
        assertThat(read(number)).hasValue(file(12345));
        store.checkpointer().checkpoint(); // its table block goes home: the cached copy must still verify
        assertThat(read(number)).hasValue(file(12345));
        store.close();
        store = MetadataStore.open(device, superblock, MetadataStore.Options.defaults());
        assertThat(read(number)).hasValue(file(12345));
    }

    @Test
    void aChangeLogsOnlyTheBytesThatChange() {
        long number = createFile(1);
        long before = store.log().appendedLsn();
        Transaction txn = store.transactions().begin(LogRecordCodec.updateSize(256));
        inodes.write(txn, number, file(2));
        txn.commit();
        long logged = store.log().appendedLsn() - before;
        // The size's low byte and the checksum change: two short updates and a COMMIT, not 256 bytes twice.
        assertThat(logged).isLessThan(LogRecordCodec.updateSize(256));
    }

    @Test
    void aFreeInodeIsEmptyAndANumberOutOfRangeIsEinval() {
        assertThat(read(Limits.FIRST_INODE + 5)).isEmpty();
        assertThatThrownBy(() -> read(0)).isInstanceOf(FsException.class)
                .satisfies(e -> assertThat(((FsException) e).errno()).isEqualTo(Errno.EINVAL));
        assertThatThrownBy(() -> read(g.inodeCount() + 1)).hasMessageContaining("does not exist");
    }

    @Test
    void aDamagedInodeIsAnIoErrorNamingIt() {
        long number = createFile(99);
        store.close();
        ByteBuffer block = ByteBuffer.allocate(4096);
        device.read(g.inodeBlock(number), block);
        int at = g.inodeOffset(number) + 20;
        block.put(at, (byte) (block.get(at) ^ 0x40));
        device.write(g.inodeBlock(number), block.flip());
        store = MetadataStore.open(device, superblock, MetadataStore.Options.defaults());

        assertThatThrownBy(() -> read(number)).isInstanceOf(FsException.class)
                .hasMessageContaining("EIO: inode " + number + ": inode table block " + g.inodeBlock(number))
                .hasMessageContaining("bad checksum");
    }

    @Test
    void clearingMakesAnInodeFree() {
        long number = createFile(5);
        Transaction txn = store.transactions().begin(LogRecordCodec.updateSize(256));
        inodes.clear(txn, number);
        txn.commit();
        assertThat(read(number)).isEmpty();
    }
}
