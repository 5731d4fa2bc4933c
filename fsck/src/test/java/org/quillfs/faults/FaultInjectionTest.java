package org.quillfs.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quillfs.fs.TestFileSystems.errnoOf;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Superblock;
import org.quillfs.format.TestFormats;
import org.quillfs.fs.Caller;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.FsOptions;
import org.quillfs.fs.OpenFile;
import org.quillfs.fs.OpenFlags;
import org.quillfs.fsck.FsckOnDevice;
import org.quillfs.txn.MetadataStore;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.FaultyBlockDevice;
import org.quillfs.volume.FaultyBlockDevice.BlockFilter;
import org.quillfs.volume.FaultyBlockDevice.Fault;
import org.quillfs.volume.FaultyBlockDevice.Op;
import org.quillfs.volume.MemoryBlockDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The device fails, fills up or returns corrupt data under a mounted filesystem
 * (docs/TESTING.md, "Faults"; docs/FILESYSTEM.md, "Device errors"). Each case checks the errno
 * the operation gets, whether the filesystem turned read-only (EROFS for later changes, reads
 * still served, the superblock on the device marked ERRORS), and that once the device is healed
 * a mount recovers every change made durable before, and fsck clears the mark and then finds
 * the image clean. A fault never hangs an operation: every case has a time limit.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultInjectionTest {

    private static final Caller CALLER = new Caller(1000, 1000);
    private static final byte DURABLE = 0x5A;
    private static final byte LATER = 0x66;
    private static final int FILE_BYTES = 3 * 4096 + 100;

    private MemoryBlockDevice disk;
    private FaultyBlockDevice faulty;
    private FileSystem fs;
    private FormatOptions format;
    /** Files that were made durable, and what they hold. */
    private final Map<String, byte[]> durable = new LinkedHashMap<>();

    @BeforeEach
    void format() {
        format(4096);
    }

    private void format(int blockSize) {
        format = TestFormats.options(blockSize, 64L << 20);
        disk = new MemoryBlockDevice("faults", format.blockSize(), format.blockCount());
        Formatter.format(disk, format);
        faulty = new FaultyBlockDevice(disk);
    }

    @AfterEach
    void stop() {
        if (fs != null) {
            fs.halt();
        }
    }

    private void mount(Duration checkpointInterval) {
        fs = FileSystem.open(faulty, FsOptions.defaults().withAtime(FsOptions.AtimeMode.NOATIME)
                .withStore(new MetadataStore.Options(MetadataStore.Options.defaults().cacheBytes(), Duration.ofHours(1),
                        checkpointInterval)));
    }

    private void mount() {
        mount(Duration.ofHours(1));
    }

    /** Two files written and fsync'd, then a clean unmount and a new mount: nothing is cached. */
    private void durableFilesThenRemount() {
        mount();
        writeDurable("kept", DURABLE);
        writeDurable("other", (byte) 0x33);
        fs.close();
        mount();
    }

    private void writeDurable(String name, byte fill) {
        byte[] content = filled(fill, FILE_BYTES);
        write(name, content, true);
        durable.put(name, content);
    }

    /** Creates {@code name} in the root holding {@code content}; fsyncs it if {@code fsync}. */
    private void write(String name, byte[] content, boolean fsync) {
        OpenFile f = fs.create(FileSystem.ROOT, name.getBytes(), 0644, OpenFlags.O_RDWR, CALLER);
        try {
            assertThat(fs.write(f.handle(), 0, ByteBuffer.wrap(content))).isEqualTo(content.length);
            if (fsync) {
                fs.fsync(f.handle(), false);
            }
        } finally {
            fs.release(f.handle());
        }
    }

    private static byte[] read(FileSystem fs, String name) {
        return WholeFiles.read(fs, fs.lookup(FileSystem.ROOT, name.getBytes()).inode());
    }

    private static byte[] filled(byte value, int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, value);
        return b;
    }

    private static boolean superblockSaysErrors(BlockDevice device) {
        ByteBuffer block = ByteBuffer.allocate(device.blockSize());
        device.read(0, block);
        return (Superblock.decode(block.clear()).state() & Superblock.STATE_ERRORS) != 0;
    }

    /** Blocks of the journal (header, master records, log): what the journal layer writes. */
    private BlockFilter journal() {
        Superblock sb = Superblock.decode(read(disk, 0));
        return BlockFilter.range(sb.geometry().journalStart(), sb.geometry().journalBlocks());
    }

    /** Metadata blocks outside the journal, the superblock excepted: what goes home from the cache. */
    private BlockFilter metadataGoingHome() {
        BlockFilter journal = journal();
        return (nr, contents) -> nr != 0 && !journal.matches(nr, contents)
                && BlockHeader.magic(contents) == BlockHeader.MAGIC;
    }

    private static BlockFilter ofType(BlockType type) {
        return (nr, contents) -> BlockHeader.magic(contents) == BlockHeader.MAGIC
                && BlockHeader.typeCode(contents) == type.code();
    }

    private static ByteBuffer read(BlockDevice device, long nr) {
        ByteBuffer b = ByteBuffer.allocate(device.blockSize());
        device.read(nr, b);
        return b.clear();
    }

    /** The filesystem turned read-only after an error: EROFS for changes, reads of what is intact, ERRORS on the device. */
    private void assertStoppedReadOnly() {
        assertThat(fs.failure()).as("the filesystem says why it turned read-only").isPresent();
        assertThat(errnoOf(() -> fs.mkdir(FileSystem.ROOT, "new-dir".getBytes(), 0755, CALLER))).isEqualTo(Errno.EROFS);
        assertThat(errnoOf(() -> write("new-file", new byte[10], false))).isEqualTo(Errno.EROFS);
        assertThat(superblockSaysErrors(disk)).as("the superblock on the device says ERRORS").isTrue();
    }

    private void assertStillWritable() {
        assertThat(fs.failure()).isEmpty();
        fs.mkdir(FileSystem.ROOT, "still-writable".getBytes(), 0755, CALLER);
        assertThat(superblockSaysErrors(disk)).isFalse();
    }

    /**
     * Heals the device, mounts what it holds (recovery), checks every durable file and that none
     * of {@code absent} is there, unmounts; then fsck repairs (clearing ERRORS) and finds the
     * image clean.
     */
    private void assertRecoversCleanWithEverythingDurable(List<String> absent) {
        fs.close(); // after a stop this writes nothing, as a halt
        fs = null;
        faulty.heal();
        boolean marked = superblockSaysErrors(disk);
        try (FileSystem again = FileSystem.open(disk, FsOptions.defaults())) {
            assertThat(again.failure()).isEmpty();
            durable.forEach((name, content) -> assertThat(read(again, name)).as("durable file %s", name).isEqualTo(content));
            for (String name : absent) {
                assertThat(errnoOf(() -> again.lookup(FileSystem.ROOT, name.getBytes()))).as(name).isEqualTo(Errno.ENOENT);
            }
        }
        assertThat(superblockSaysErrors(disk)).as("recovery and a mount keep the ERRORS mark: only fsck clears it")
                .isEqualTo(marked);
        FsckOnDevice.Result repair = FsckOnDevice.repair(disk);
        assertThat(repair.exitCode()).as("fsck -fy:\n%s", repair.output()).isZero();
        if (marked) {
            assertThat(repair.output()).contains("the superblock says the filesystem has errors: check forced.");
        }
        assertThat(superblockSaysErrors(disk)).as("fsck cleared ERRORS").isFalse();
        FsckOnDevice.Result check = FsckOnDevice.checkReadOnly(disk);
        assertThat(check.exitCode()).as("fsck -fn:\n%s", check.output()).isZero();
    }

    // ------------------------------------------------------------------ data

    @Test
    void eioOnADataReadFailsThatReadOnly() {
        durableFilesThenRemount();
        FaultyBlockDevice.Rule rule = faulty.inject(Op.READ, Fault.EIO, BlockFilter.filledWith(DURABLE));

        assertThatThrownBy(() -> read(fs, "kept")).isInstanceOfSatisfying(FsException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EIO));
        assertThat(rule.fired()).isPositive();
        assertThat(read(fs, "other")).isEqualTo(durable.get("other"));
        assertStillWritable();
        faulty.heal();
        assertThat(read(fs, "kept")).isEqualTo(durable.get("kept"));
        assertRecoversCleanWithEverythingDurable(List.of());
    }

    @Test
    void eioOnADataWriteFailsThatWriteAndLeavesTheFileAsItWas() {
        durableFilesThenRemount();
        faulty.inject(Op.WRITE, Fault.EIO, BlockFilter.filledWith(LATER));
        long kept = fs.lookup(FileSystem.ROOT, "kept".getBytes()).inode();
        long h = fs.open(kept, OpenFlags.O_RDWR);
        Errno errno = errnoOf(() -> fs.write(h, 4096, ByteBuffer.wrap(filled(LATER, 2 * 4096))));
        fs.release(h);

        assertThat(errno).isEqualTo(Errno.EIO);
        assertThat(read(fs, "kept")).as("all or nothing: the write left nothing").isEqualTo(durable.get("kept"));
        assertStillWritable();
        assertRecoversCleanWithEverythingDurable(List.of());
    }

    @Test
    void noSpaceOnTheDeviceFailsADataWriteWithEnospcAndTheLogWriteStopsTheFilesystem() {
        durableFilesThenRemount();
        FaultyBlockDevice.Rule full = faulty.inject(Op.WRITE, Fault.ENOSPC, (nr, contents) -> nr != 0);

        assertThat(errnoOf(() -> write("grown", filled(LATER, 8 * 4096), false))).isEqualTo(Errno.ENOSPC);
        assertThat(fs.failure()).as("a data write that found no room stops nothing").isEmpty();
        // Metadata alone: the log write that makes it durable finds no room.
        assertThat(errnoOf(() -> {
            fs.mkdir(FileSystem.ROOT, "dir".getBytes(), 0755, CALLER);
            fs.sync();
        })).isEqualTo(Errno.EIO);
        assertThat(full.fired()).isGreaterThanOrEqualTo(2);
        assertStoppedReadOnly();
        assertThat(read(fs, "kept")).isEqualTo(durable.get("kept"));
        assertRecoversCleanWithEverythingDurable(List.of("dir"));
    }

    /** Data blocks carry no checksum (docs/FORMAT.md): a device that corrupts one on read is not caught. */
    @Test
    void aDataBlockCorruptedOnReadIsReturnedAsTheDeviceGaveIt() {
        durableFilesThenRemount();
        faulty.inject(Op.READ, Fault.CORRUPT, BlockFilter.filledWith(DURABLE));

        assertThat(read(fs, "kept")).isNotEqualTo(durable.get("kept")).hasSize(FILE_BYTES);
        assertStillWritable();
        assertRecoversCleanWithEverythingDurable(List.of());
    }

    // ------------------------------------------------------------------ metadata

    @Test
    void eioOnALogWriteStopsTheFilesystem() {
        durableFilesThenRemount();
        faulty.inject(Op.WRITE, Fault.EIO, journal());

        assertThat(errnoOf(() -> write("lost", filled(LATER, 100), true))).isEqualTo(Errno.EIO);
        assertStoppedReadOnly();
        assertThat(read(fs, "kept")).isEqualTo(durable.get("kept"));
        assertThat(errnoOf(() -> fs.sync())).as("nothing more can be made durable").isEqualTo(Errno.EIO);
        assertRecoversCleanWithEverythingDurable(List.of("lost"));
    }

    @Test
    void eioOnAFlushStopsTheFilesystem() {
        durableFilesThenRemount();
        faulty.inject(Op.FLUSH, Fault.EIO, BlockFilter.any()).times(1);

        assertThat(errnoOf(() -> write("lost", filled(LATER, 100), true))).isEqualTo(Errno.EIO);
        assertStoppedReadOnly();
        assertThat(read(fs, "other")).isEqualTo(durable.get("other"));
        assertRecoversCleanWithEverythingDurable(List.of());
    }

    @Test
    void eioWhileACheckpointWritesBlocksHomeStopsTheFilesystem() throws InterruptedException {
        mount(Duration.ofMillis(50));
        writeDurable("kept", DURABLE);
        FaultyBlockDevice.Rule home = faulty.inject(Op.WRITE, Fault.EIO, metadataGoingHome());
        try {
            for (int i = 0; i < 20 && fs.failure().isEmpty(); i++) {
                writeDurable("file-" + i, (byte) i);
                Thread.sleep(60);
            }
        } catch (FsException e) {
            // the checkpoint failed meanwhile: this file is not durable
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (fs.failure().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }

        assertThat(home.fired()).isPositive();
        assertThat(fs.failure()).hasValueSatisfying(why -> assertThat(why).contains("home"));
        assertStoppedReadOnly();
        assertThat(read(fs, "kept")).isEqualTo(durable.get("kept"));
        assertRecoversCleanWithEverythingDurable(List.of());
    }

    @Test
    void aMetadataBlockFailingItsChecksumOnReadStopsTheFilesystem() {
        mount();
        writeDurable("kept", DURABLE);
        long dir = fs.mkdir(FileSystem.ROOT, "dir".getBytes(), 0755, CALLER).inode();
        for (int i = 0; i < 200; i++) {
            fs.mkdir(dir, ("sub-" + i).getBytes(), 0755, CALLER);
        }
        fs.close();
        mount();
        assertThat(read(fs, "kept")).isEqualTo(durable.get("kept")); // the blocks on its way are cached now
        faulty.inject(Op.READ, Fault.CORRUPT, ofType(BlockType.DIR_LEAF));

        assertThat(errnoOf(() -> fs.lookup(dir, "sub-7".getBytes()))).isEqualTo(Errno.EIO);
        assertStoppedReadOnly();
        assertThat(read(fs, "kept")).as("what is intact is still read").isEqualTo(durable.get("kept"));
        assertRecoversCleanWithEverythingDurable(List.of());
    }

    @Test
    void aBitmapBlockFailingItsChecksumOnReadStopsTheFilesystemBeforeAnythingIsAllocatedFromIt() {
        durableFilesThenRemount();
        FaultyBlockDevice.Rule corrupt = faulty.inject(Op.READ, Fault.CORRUPT, ofType(BlockType.BLOCK_BITMAP));

        assertThat(errnoOf(() -> write("new", filled(LATER, 4096), true))).isEqualTo(Errno.EIO);
        assertThat(corrupt.fired()).isPositive();
        assertStoppedReadOnly();
        assertRecoversCleanWithEverythingDurable(List.of("new"));
    }

    @Test
    void anInodeTableBlockCorruptedOnReadStopsTheFilesystemBeforeANewInodeIsWrittenIntoIt() {
        format(1024); // four inodes a block: the root's is not the new file's
        mount();
        writeDurable("kept", DURABLE);
        write("gone", filled(LATER, 100), true);
        fs.unlink(FileSystem.ROOT, "gone".getBytes()); // the new file takes its inode, in a block on the device
        fs.close();
        mount();
        long rootBlock = Superblock.decode(read(disk, 0)).geometry().inodeBlock(FileSystem.ROOT);
        FaultyBlockDevice.Rule corrupt = faulty.inject(Op.READ, Fault.CORRUPT,
                (nr, contents) -> nr != rootBlock && ofType(BlockType.INODE_TABLE).matches(nr, contents));

        assertThat(errnoOf(() -> write("new", filled(LATER, 100), true))).isEqualTo(Errno.EIO);
        assertThat(corrupt.fired()).isPositive();
        assertStoppedReadOnly();
        assertRecoversCleanWithEverythingDurable(List.of("new"));
    }

    @Test
    void eioOnAMetadataReadFailsThatOperationOnly() {
        durableFilesThenRemount();
        faulty.inject(Op.READ, Fault.EIO, ofType(BlockType.INODE_TABLE)).times(1);

        assertThat(errnoOf(() -> fs.lookup(FileSystem.ROOT, "kept".getBytes()))).isEqualTo(Errno.EIO);
        assertThat(read(fs, "kept")).as("the next read of the block works").isEqualTo(durable.get("kept"));
        assertStillWritable();
        assertRecoversCleanWithEverythingDurable(List.of());
    }
}
