package org.quillfs.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.ExtentEntry;
import org.quillfs.format.ExtentRoot;
import org.quillfs.txn.ReadOnlyTransaction;

class ExtentTreeTest {

    static final int BLOCK = 1024;
    static final int EXTENTS = 1100;

    final TestFiles fs = new TestFiles(BLOCK, 16L << 20);

    @AfterEach
    void close() {
        fs.close();
    }

    /** Block {@code i} of file {@code file}: bytes that name both. */
    static byte[] block(int file, int i) {
        byte[] bytes = new byte[BLOCK];
        ByteBuffer.wrap(bytes).putInt(file).putInt(i).putInt(BLOCK - 4, ~i);
        bytes[100 + i % 800] = (byte) (file + i);
        return bytes;
    }

    /** Two files written a block at a time in turn, so that each block of each is its own extent. */
    ExtentRoot[] interleavedFiles(int blocks) {
        ExtentRoot[] roots = {TestFiles.EMPTY, TestFiles.EMPTY};
        for (int i = 0; i < blocks; i++) {
            for (int f = 0; f < 2; f++) {
                roots[f] = fs.write(roots[f], (long) i * BLOCK, block(f, i));
            }
        }
        return roots;
    }

    void assertContents(ExtentRoot root, int file, int blocks) {
        byte[] all = fs.read(root, (long) blocks * BLOCK, 0, blocks * BLOCK);
        for (int i = 0; i < blocks; i++) {
            byte[] expected = block(file, i);
            for (int j = 0; j < BLOCK; j++) {
                if (all[i * BLOCK + j] != expected[j]) {
                    throw new AssertionError("file " + file + " block " + i + " byte " + j + " differs");
                }
            }
        }
    }

    @Test
    void aThousandFragmentedExtentsGrowTheTreeToDepthTwoAndReadBack() {
        long freeAtStart = fs.freeBlocksAfterCheckpoint();
        ExtentRoot[] roots = interleavedFiles(EXTENTS);
        for (int f = 0; f < 2; f++) {
            assertThat(fs.map(roots[f], 0, EXTENTS)).hasSize(EXTENTS).allSatisfy(e -> assertThat(e.length()).isEqualTo(1));
            assertThat(roots[f].depth()).isGreaterThanOrEqualTo(2);
            assertContents(roots[f], f, EXTENTS);
        }
        List<ExtentEntry> some = fs.map(roots[0], 500, 3);
        assertThat(some).extracting(ExtentEntry::logical).containsExactly(500L, 501L, 502L);

        fs.reopen();
        assertContents(roots[1], 1, EXTENTS);

        for (int f = 0; f < 2; f++) {
            roots[f] = fs.truncate(roots[f], (long) EXTENTS * BLOCK, 0);
            assertThat(roots[f]).isEqualTo(TestFiles.EMPTY);
        }
        assertThat(fs.freeBlocksAfterCheckpoint()).as("data and tree blocks all free again").isEqualTo(freeAtStart);
    }

    @Test
    void truncateAndPunchFreeExactlyTheDataBlocksOfTheirRange() {
        ExtentRoot[] roots = interleavedFiles(600);
        ExtentRoot a = roots[0];
        long nodesBefore = fs.nodeBlocks(a);
        assertThat(nodesBefore).isPositive();

        long free = fs.freeBlocksAfterCheckpoint();
        a = fs.punch(a, 100L * BLOCK + 10, 200L * BLOCK); // whole blocks 101..299; 100 and 300 only zeroed in part
        assertThat(fs.map(a, 100, 201)).extracting(ExtentEntry::logical).containsExactly(100L, 300L);
        long nodesAfterPunch = fs.nodeBlocks(a);
        assertThat(allocatorFree()).as("data blocks and emptied tree nodes are free at commit")
                .isEqualTo(free + 199 + nodesBefore - nodesAfterPunch);
        assertThat(fs.freeBlocksAfterCheckpoint()).isEqualTo(free + 199 + nodesBefore - nodesAfterPunch);
        byte[] edge = fs.read(a, 600L * BLOCK, 100L * BLOCK, BLOCK);
        assertThat(java.util.Arrays.copyOfRange(edge, 10, BLOCK)).containsOnly(0);
        assertThat(java.util.Arrays.copyOfRange(edge, 0, 10)).isEqualTo(java.util.Arrays.copyOf(block(0, 100), 10));

        free = fs.freeBlocksAfterCheckpoint();
        long nodes = fs.nodeBlocks(a);
        a = fs.truncate(a, 600L * BLOCK, 450L * BLOCK + 1);
        assertThat(fs.map(a, 0, 1000)).hasSize(101 + 151) // 0..100, 300..450
                .last().satisfies(e -> assertThat(e.logical()).isEqualTo(450));
        assertThat(allocatorFree()).isEqualTo(free + 149 + nodes - fs.nodeBlocks(a));
        assertThat(fs.freeBlocksAfterCheckpoint()).isEqualTo(free + 149 + nodes - fs.nodeBlocks(a));
        assertContents(roots[1], 1, 600);
    }

    long allocatorFree() {
        return fs.allocator.freeBlocks();
    }

    @Test
    void aPunchThatSplitsOneExtentInAFullTreeTakesItsNodeFromItsOwnReservation() {
        ExtentRoot a = TestFiles.EMPTY;
        a = fs.write(a, 0, new byte[300 * BLOCK]);
        assertThat(fs.map(a, 0, 300)).hasSize(1);
        for (int i = 1; i < 299; i += 2) {
            a = fs.punch(a, (long) i * BLOCK, BLOCK);
        }
        assertThat(fs.map(a, 0, 300)).hasSize(150);
        assertThat(a.depth()).isGreaterThanOrEqualTo(1);
        a = fs.truncate(a, 300L * BLOCK, 0);
        assertThat(a).isEqualTo(TestFiles.EMPTY);
    }

    @Test
    void aDamagedNodeIsAnIoErrorNamingTheBlock() {
        ExtentRoot a = interleavedFiles(300)[0];
        assertThat(a.depth()).isPositive();
        long node = a.entries().get(0).physical();
        fs.store.close();
        ByteBuffer contents = ByteBuffer.allocate(BLOCK);
        fs.memory.read(node, contents);
        contents.put(500, (byte) (contents.get(500) ^ 1)).clear();
        fs.memory.write(node, contents);
        fs.open();
        ExtentRoot damaged = a;
        assertThatThrownBy(() -> fs.map(damaged, 0, 300)).isInstanceOf(FsException.class)
                .satisfies(e -> assertThat(((FsException) e).errno()).isEqualTo(Errno.EIO))
                .hasMessageContaining("block " + node).hasMessageContaining("checksum");
        ExtentRoot wild = new ExtentRoot(1, List.of(ExtentEntry.index(0, fs.g.blockCount() + 5)));
        assertThatThrownBy(() -> fs.map(wild, 0, 1)).isInstanceOf(FsException.class).hasMessageContaining("outside");
        ExtentRoot beyond = new ExtentRoot(0, List.of(new ExtentEntry(0, fs.g.blockCount() - 1, 2, 0)));
        try (ReadOnlyTransaction txn = fs.store.transactions().beginReadOnly()) {
            assertThatThrownBy(() -> fs.tree.map(txn, beyond, 0, 1)).isInstanceOf(FsException.class)
                    .hasMessageContaining("not a valid extent");
        }
    }
}
