package org.quillfs.fsck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.DirectoryRoot;
import org.quillfs.format.Geometry;
import org.quillfs.format.Inode;
import org.quillfs.format.Superblock;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.FsOptions;
import org.quillfs.volume.BlockDevice;

/**
 * Repairs the golden cases do not reach: a lost root, a lost leaf of a large directory, a lost
 * lost+found; on one device and on a striped volume.
 */
class FsckRepairTest {

    private static final int BLOCK_SIZE = 1024;

    @TempDir Path tmp;

    private TestDevices.Made made;
    private BlockDevice device;
    private Superblock sb;
    private Geometry g;

    private void makeFilesystem(TestDevices devices) {
        made = TestImages.format(devices, BLOCK_SIZE, 10L << 20);
        device = made.device();
        FileSystem fs = FileSystem.open(device, FsOptions.defaults());
        TestImages.populate(fs, BLOCK_SIZE);
        fs.close();
        ByteBuffer block = ByteBuffer.allocate(BLOCK_SIZE);
        device.read(0, block);
        sb = Superblock.decode(block.clear());
        g = sb.geometry();
    }

    private void edit(long blockNr, Consumer<ByteBuffer> change, boolean seal) {
        ByteBuffer block = ByteBuffer.allocate(BLOCK_SIZE);
        device.read(blockNr, block);
        block.clear();
        change.accept(block);
        if (seal) {
            BlockHeader.seal(block, sb.uuid());
        }
        device.write(blockNr, block);
    }

    private Inode inode(long ino) {
        ByteBuffer block = ByteBuffer.allocate(BLOCK_SIZE);
        device.read(g.inodeBlock(ino), block);
        return Inode.decode(block.clear(), g.inodeOffset(ino));
    }

    /** -fy repairs (exit 1), a second -fy finds nothing, and the facade reads everything left. */
    private FsckRun repairAndRecheck() throws Exception {
        List<Path> image = made.save(tmp.resolve("image"));
        FsckRun first = FsckRun.of(image, "-fy");
        assertThat(first.exitCode()).as(first.toString()).isEqualTo(1);
        FsckRun second = FsckRun.of(image, "-fy");
        assertThat(second.exitCode()).as("second run %s\nafter %s", second, first).isZero();
        TreeReader.readEverything(TestDevices.readAll(image), BLOCK_SIZE);
        return first;
    }

    @ParameterizedTest
    @EnumSource(TestDevices.class)
    void aLostRootIsMadeAnewAndEverythingGoesToLostAndFound(TestDevices devices) throws Exception {
        makeFilesystem(devices);
        edit(g.inodeBlock(1), b -> b.put(g.inodeOffset(1), new byte[256]), true);
        FsckRun run = repairAndRecheck();
        assertThat(run.out()).contains("Root inode not allocated.  Allocate? yes")
                .contains("/lost+found not found.  Create? yes")
                .contains("Unconnected directory inode 16 (was in / (1)).  Connect to /lost+found? yes");
    }

    @ParameterizedTest
    @EnumSource(TestDevices.class)
    void aLostLostAndFoundIsMadeAnew(TestDevices devices) throws Exception {
        makeFilesystem(devices);
        long leaf = DirectoryRoot.decode(inode(1).data()).rootBlock();
        edit(leaf, b -> {
            for (var e : org.quillfs.format.DirectoryLeaf.entries(b)) {
                if (new String(e.name()).equals("lost+found")) {
                    org.quillfs.format.DirectoryLeaf.remove(b, e.key());
                }
            }
        }, true);
        FsckRun run = repairAndRecheck();
        assertThat(run.out()).contains("/lost+found not found.  Create? yes")
                .contains("Unconnected directory inode 16 (was in / (1)).  Connect to /lost+found? yes")
                .contains("Directory inode 1 (/) counts");
    }

    @ParameterizedTest
    @EnumSource(TestDevices.class)
    void aDestroyedLeafOfALargeDirectoryLosesOnlyItsOwnEntries(TestDevices devices) throws Exception {
        makeFilesystem(devices);
        long wide = -1;
        for (long ino = 16; ino < 400 && wide < 0; ino++) {
            Inode inode = inode(ino);
            if ((inode.mode() & Inode.S_IFMT) == Inode.S_IFDIR && DirectoryRoot.decode(inode.data()).depth() > 0) {
                wide = ino;
            }
        }
        assertThat(wide).as("a directory with a node").isPositive();
        DirectoryRoot root = DirectoryRoot.decode(inode(wide).data());
        ByteBuffer node = ByteBuffer.allocate(BLOCK_SIZE);
        device.read(root.rootBlock(), node);
        long secondLeaf = org.quillfs.format.DirectoryNode.entry(node.clear(), 1).child();
        byte[] noise = new byte[200];
        new java.util.Random(5).nextBytes(noise);
        edit(secondLeaf, b -> b.put(36, noise), false);
        FsckRun run = repairAndRecheck();
        assertThat(run.out()).contains("Directory inode " + wide).contains("Salvage? yes")
                .contains("Unattached zero-length inode");
    }
}
