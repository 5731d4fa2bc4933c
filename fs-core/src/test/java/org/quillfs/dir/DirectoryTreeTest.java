package org.quillfs.dir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quillfs.dir.DirectoryFixture.bytes;
import static org.quillfs.dir.DirectoryFixture.name;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;
import org.quillfs.format.DirEntry;
import org.quillfs.format.DirectoryKeys;
import org.quillfs.format.DirectoryRoot;

class DirectoryTreeTest {

    @Property(tries = 25)
    void randomInsertsRemovesAndLookupsAgreeWithAModel(@ForAll long seed, @ForAll boolean fewHashes,
            @ForAll @IntRange(min = 50, max = 600) int steps) {
        Random random = new Random(seed);
        try (DirectoryFixture dir = new DirectoryFixture(8L << 20, fewHashes ? name -> 1 + (name.length % 5) : null)) {
            TreeMap<Long, DirEntry> model = new TreeMap<>();
            Map<String, Long> keyOf = new HashMap<>();
            for (int step = 0; step < steps; step++) {
                String name = randomName(random);
                int op = random.nextInt(10);
                if (op < 6) {
                    if (keyOf.containsKey(name)) {
                        assertThatThrownBy(() -> dir.insert(name, 99)).isInstanceOf(FsException.class)
                                .satisfies(e -> assertThat(((FsException) e).errno()).isEqualTo(Errno.EEXIST));
                        continue;
                    }
                    long hash = dir.hash48.applyAsLong(bytes(name));
                    int expectedSeq = 0;
                    while (model.containsKey(DirectoryKeys.key(hash, expectedSeq))) {
                        expectedSeq++;
                    }
                    long inode = 20 + random.nextInt(100_000);
                    DirEntry entry = dir.insert(name, inode);
                    assertThat(entry.key()).isEqualTo(DirectoryKeys.key(hash, expectedSeq));
                    assertThat(entry.inode()).isEqualTo(inode);
                    model.put(entry.key(), entry);
                    keyOf.put(name, entry.key());
                } else if (op < 9 && !keyOf.isEmpty()) {
                    String victim = new ArrayList<>(keyOf.keySet()).get(random.nextInt(keyOf.size()));
                    dir.remove(victim);
                    model.remove(keyOf.remove(victim));
                    assertThat(dir.lookup(victim)).isEmpty();
                } else {
                    assertThat(dir.lookup(name)).isEqualTo(keyOf.containsKey(name)
                            ? java.util.Optional.of(model.get(keyOf.get(name))) : java.util.Optional.empty());
                }
                assertThat(dir.root.entryCount()).isEqualTo(model.size());
                if (step % 20 == 0) {
                    assertThat(dir.listAll()).containsExactlyElementsOf(model.values());
                    dir.checkStructure();
                }
            }
            assertThat(dir.listAll()).containsExactlyElementsOf(model.values());
            dir.checkStructure();
            for (String name : new ArrayList<>(keyOf.keySet())) {
                dir.remove(name);
            }
            assertThat(dir.root).isEqualTo(new DirectoryRoot(0, 0, 0));
        }
    }

    @Test
    void fiftyThousandEntriesGrowTheTreeAndAreAllFoundListedAndRemoved() {
        try (DirectoryFixture dir = new DirectoryFixture(64L << 20)) {
            long freeBefore = dir.allocator.freeBlocks();
            int n = 50_000;
            for (int i = 0; i < n; i++) {
                dir.insert("file-" + i, 100 + i);
            }
            assertThat(dir.root.depth()).isGreaterThanOrEqualTo(2);
            assertThat(dir.root.entryCount()).isEqualTo(n);
            dir.store.checkpointer().checkpoint();
            assertThat(freeBefore - dir.allocator.freeBlocks()).as("blocks in use are the tree's")
                    .isEqualTo(dir.checkStructure());
            for (int i = 0; i < n; i++) {
                assertThat(dir.lookup("file-" + i)).get().extracting(DirEntry::inode).isEqualTo(100L + i);
            }
            List<DirEntry> all = dir.listAll();
            assertThat(all).hasSize(n);
            for (int i = 1; i < n; i++) {
                assertThat(all.get(i).key()).isGreaterThan(all.get(i - 1).key());
            }
            assertThat(dir.lookup("file-" + n)).isEmpty();

            for (int i = 0; i < n; i++) {
                dir.remove("file-" + i);
                if (i == n / 2) {
                    dir.checkStructure();
                }
            }
            assertThat(dir.root).isEqualTo(new DirectoryRoot(0, 0, 0));
            dir.store.checkpointer().checkpoint(); // releases the freed blocks' quarantine
            assertThat(dir.allocator.freeBlocks()).as("every tree block was freed").isEqualTo(freeBefore);
        }
    }

    @Test
    void readdirReturnsEveryNamePresentThroughoutExactlyOnceWhileTheDirectoryChanges() {
        try (DirectoryFixture dir = new DirectoryFixture(16L << 20)) {
            Set<String> stable = new HashSet<>();
            for (int i = 0; i < 2000; i++) {
                dir.insert("stable-" + i, 100 + i);
                stable.add("stable-" + i);
            }
            List<String> churn = new ArrayList<>();
            int churned = 0;
            Map<String, Integer> seen = new LinkedHashMap<>();
            long cursor = 0;
            long lastKey = 0;
            while (true) {
                List<DirEntry> chunk = dir.list(cursor, 100);
                if (chunk.isEmpty()) {
                    break;
                }
                for (DirEntry e : chunk) {
                    assertThat(e.key()).isGreaterThan(lastKey);
                    lastKey = e.key();
                    seen.merge(name(e), 1, Integer::sum);
                }
                cursor = chunk.get(chunk.size() - 1).key();
                for (int j = 0; j < 60; j++) { // the directory grows and shrinks between calls
                    String name = "churn-" + churned++;
                    dir.insert(name, 5000 + churned);
                    churn.add(name);
                }
                for (int j = 0; j < 40; j++) {
                    dir.remove(churn.remove(churn.size() / 2));
                }
            }
            for (String name : stable) {
                assertThat(seen.get(name)).as(name).isEqualTo(1);
            }
            assertThat(seen.values()).containsOnly(1);
            dir.checkStructure();
            assertThat(dir.root.entryCount()).isEqualTo(stable.size() + churn.size());
        }
    }

    @Test
    void namesSharingOneHashGetDistinctKeysAndAreFoundAndRemoved() {
        long shared = 0x1234_5678_9ABCL;
        try (DirectoryFixture dir = new DirectoryFixture(8L << 20,
                name -> name[0] == 'c' ? shared : 1 + (java.util.Arrays.hashCode(name) & 0xFFFF_FFFFL))) {
            for (int i = 0; i < 400; i++) { // more than a few leaves' worth of one hash
                dir.insert("other-" + i, 50 + i);
            }
            for (int i = 0; i < 300; i++) {
                DirEntry e = dir.insert("c" + i, 1000 + i);
                assertThat(e.key()).isEqualTo(DirectoryKeys.key(shared, i));
            }
            for (int i = 0; i < 300; i++) {
                assertThat(dir.lookup("c" + i)).get().extracting(DirEntry::inode).isEqualTo(1000L + i);
            }
            for (int i = 0; i < 300; i += 2) {
                dir.remove("c" + i);
            }
            for (int i = 0; i < 300; i++) {
                assertThat(dir.lookup("c" + i).isPresent()).isEqualTo(i % 2 == 1);
            }
            // New names take the smallest free seqs: those the removed names left.
            assertThat(dir.insert("c-new-0", 7).key()).isEqualTo(DirectoryKeys.key(shared, 0));
            assertThat(dir.insert("c-new-1", 7).key()).isEqualTo(DirectoryKeys.key(shared, 2));
            assertThat(dir.root.entryCount()).isEqualTo(400 + 150 + 2);
            assertThat(dir.listAll()).hasSize(552);
            dir.checkStructure();
            assertThatThrownBy(() -> dir.insert("c1", 9)).hasMessageContaining("EEXIST");
        }
    }

    @Test
    void errorsAreEexistEnoentEnametoolongAndEinvalAndChangeNothing() {
        try (DirectoryFixture dir = new DirectoryFixture(8L << 20)) {
            dir.insert("a", 30);
            DirectoryRoot before = dir.root;
            assertErrno(() -> dir.insert("a", 31), Errno.EEXIST);
            assertErrno(() -> dir.remove("b"), Errno.ENOENT);
            assertErrno(() -> dir.insert("x".repeat(256), 31), Errno.ENAMETOOLONG);
            assertErrno(() -> dir.lookup("x".repeat(256)), Errno.ENAMETOOLONG);
            for (String bad : new String[] {"", ".", "..", "a/b", "nul\0"}) {
                assertErrno(() -> dir.insert(bad, 31), Errno.EINVAL);
                assertErrno(() -> dir.remove(bad), Errno.EINVAL);
            }
            assertThat(dir.insert("x".repeat(255), 32).inode()).isEqualTo(32);
            dir.remove("x".repeat(255));
            assertThat(dir.root).isEqualTo(before);
            assertThat(dir.listAll()).extracting(DirectoryFixture::name).containsExactly("a");

            dir.remove("a");
            assertErrno(() -> dir.remove("a"), Errno.ENOENT);
            assertThat(dir.root).isEqualTo(new DirectoryRoot(0, 0, 0));
            assertThat(dir.lookup("a")).isEmpty();
            assertThat(dir.listAll()).isEmpty();
        }
    }

    @Test
    void theTreeSurvivesCloseAndReopen() {
        try (DirectoryFixture dir = new DirectoryFixture(16L << 20)) {
            for (int i = 0; i < 3000; i++) {
                dir.insert("persisted-" + i, 100 + i);
            }
            for (int i = 0; i < 3000; i += 3) {
                dir.remove("persisted-" + i);
            }
            List<DirEntry> before = dir.listAll();
            dir.reopen();
            assertThat(dir.listAll()).isEqualTo(before);
            for (int i = 0; i < 3000; i++) {
                assertThat(dir.lookup("persisted-" + i).isPresent()).isEqualTo(i % 3 != 0);
            }
            dir.checkStructure();
            dir.insert("after-reopen", 7);
            assertThat(dir.root.entryCount()).isEqualTo(2001);
        }
    }

    @Test
    void aDamagedLeafOnDiskIsAnIoErrorNamingTheDirectoryAndBlock() {
        try (DirectoryFixture dir = new DirectoryFixture(8L << 20)) {
            dir.insert("one", 20);
            dir.insert("two", 21);
            long leaf = dir.root.rootBlock();
            dir.store.close();
            ByteBuffer block = ByteBuffer.allocate(DirectoryFixture.BLOCK);
            dir.device.read(leaf, block);
            block.put(DirectoryFixture.BLOCK - 1, (byte) (block.get(DirectoryFixture.BLOCK - 1) ^ 0x20));
            dir.device.write(leaf, block.flip());
            dir.open();

            assertThatThrownBy(() -> dir.lookup("one")).isInstanceOf(FsException.class)
                    .satisfies(e -> assertThat(((FsException) e).errno()).isEqualTo(Errno.EIO))
                    .hasMessageContaining("directory inode " + DirectoryFixture.DIR + ": block " + leaf)
                    .hasMessageContaining("bad checksum");
            assertThatThrownBy(() -> dir.listAll()).hasMessageContaining("EIO");
        }
    }

    @Test
    void aNodeFromAnotherDirectoryIsAnIoErrorForEveryOperation() {
        try (DirectoryFixture dir = new DirectoryFixture(8L << 20)) {
            for (int i = 0; i < 200; i++) {
                dir.insert("entry-" + i, 100 + i);
            }
            assertThat(dir.root.depth()).isGreaterThanOrEqualTo(1);
            long rootBlock = dir.root.rootBlock();
            dir.store.close();
            ByteBuffer block = ByteBuffer.allocate(DirectoryFixture.BLOCK);
            dir.device.read(rootBlock, block);
            block.putInt(32, Integer.reverseBytes((int) DirectoryFixture.DIR + 1)); // owner, little-endian
            org.quillfs.format.BlockHeader.seal(block, dir.superblock.uuid()); // a sound block, of the wrong inode
            dir.device.write(rootBlock, block.flip());
            dir.open();

            String where = "directory inode " + DirectoryFixture.DIR + ": block " + rootBlock;
            assertThatThrownBy(() -> dir.lookup("entry-1")).hasMessageContaining(where).hasMessageContaining("EIO");
            assertThatThrownBy(() -> dir.insert("new", 5)).hasMessageContaining(where);
            assertThatThrownBy(() -> dir.remove("entry-1")).hasMessageContaining(where);
            assertThatThrownBy(() -> dir.listAll()).hasMessageContaining(where)
                    .hasMessageContaining("belongs to inode " + (DirectoryFixture.DIR + 1));
        }
    }

    private static void assertErrno(Runnable r, Errno errno) {
        assertThatThrownBy(r::run).isInstanceOf(FsException.class)
                .satisfies(e -> assertThat(((FsException) e).errno()).isEqualTo(errno));
    }

    private static String randomName(Random random) {
        int length = 1 + random.nextInt(random.nextInt(8) == 0 ? 200 : 12);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append((char) ('a' + random.nextInt(random.nextBoolean() ? 3 : 26)));
        }
        return s.toString();
    }
}
