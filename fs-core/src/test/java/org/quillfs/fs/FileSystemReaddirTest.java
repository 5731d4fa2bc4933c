package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.FileSystem.ROOT;
import static org.quillfs.fs.TestFileSystems.CALLER;
import static org.quillfs.fs.TestFileSystems.errnoOf;
import static org.quillfs.fs.TestFileSystems.name;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quillfs.errno.Errno;
import org.quillfs.format.DirectoryKeys;
import org.quillfs.format.Inode;

/**
 * readdir: "." and ".." first, every entry once in any page size, and offsets that stay valid
 * while the directory changes — nothing that exists throughout a listing is skipped or
 * returned twice — also across a reopen.
 */
class FileSystemReaddirTest {

    private TestFileSystems t;
    private long dir;

    @BeforeEach
    void setUp() {
        t = TestFileSystems.standard();
        dir = t.mkdir(ROOT, "d");
    }

    @AfterEach
    void tearDown() {
        t.close();
    }

    private static String str(DirectoryEntry e) {
        return new String(e.name(), StandardCharsets.UTF_8);
    }

    private void add(String n) {
        t.fs.mknod(dir, name(n), Inode.S_IFREG | 0644, 0, CALLER);
    }

    @Test
    void anEmptyDirectoryListsDotAndDotDotOnly() {
        List<DirectoryEntry> all = t.fs.readdir(dir, 0, 100);
        assertThat(all).extracting(FileSystemReaddirTest::str).containsExactly(".", "..");
        assertThat(all.get(0).inode()).isEqualTo(dir);
        assertThat(all.get(1).inode()).isEqualTo(ROOT);
        assertThat(all).allSatisfy(e -> assertThat(e.type()).isEqualTo(DirectoryKeys.DT_DIR));
        assertThat(t.fs.readdir(dir, all.get(1).nextOffset(), 100)).isEmpty();
    }

    @Test
    void theRootsDotDotIsTheRoot() {
        List<DirectoryEntry> all = t.fs.readdir(ROOT, 0, 2);
        assertThat(all).extracting(FileSystemReaddirTest::str).containsExactly(".", "..");
        assertThat(all).allSatisfy(e -> assertThat(e.inode()).isEqualTo(ROOT));
    }

    @Test
    void dotAndDotDotComeFirstAndCanBeResumedBetween() {
        add("a");
        List<DirectoryEntry> first = t.fs.readdir(dir, 0, 1);
        assertThat(first).extracting(FileSystemReaddirTest::str).containsExactly(".");
        List<DirectoryEntry> second = t.fs.readdir(dir, first.get(0).nextOffset(), 1);
        assertThat(second).extracting(FileSystemReaddirTest::str).containsExactly("..");
        List<DirectoryEntry> third = t.fs.readdir(dir, second.get(0).nextOffset(), 10);
        assertThat(third).extracting(FileSystemReaddirTest::str).containsExactly("a");
    }

    @Test
    void maxZeroReturnsNothing() {
        add("a");
        assertThat(t.fs.readdir(dir, 0, 0)).isEmpty();
    }

    @Test
    void readdirOfAFileIsEnotdirAndOfAFreedInodeEnoent() {
        long f = t.file(dir, "f", "x");
        assertThat(errnoOf(() -> t.fs.readdir(f, 0, 10))).isEqualTo(Errno.ENOTDIR);
        long sub = t.mkdir(dir, "sub");
        t.fs.rmdir(dir, name("sub"));
        assertThat(errnoOf(() -> t.fs.readdir(sub, 0, 10))).isEqualTo(Errno.ENOENT);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 64, 1000})
    void everyEntryComesOnceWithItsInodeAndTypeInAnyPageSize(int max) {
        Map<String, Long> expected = new HashMap<>();
        for (int i = 0; i < 700; i++) {
            String n = "entry-" + i;
            long ino = switch (i % 3) {
                case 0 -> t.fs.mknod(dir, name(n), Inode.S_IFREG | 0644, 0, CALLER).inode();
                case 1 -> t.mkdir(dir, n);
                default -> t.fs.symlink(dir, name(n), name("x"), CALLER).inode();
            };
            expected.put(n, ino);
        }
        List<String> seen = new ArrayList<>();
        long offset = 0;
        while (true) {
            List<DirectoryEntry> page = t.fs.readdir(dir, offset, max);
            assertThat(page.size()).isLessThanOrEqualTo(max);
            if (page.isEmpty()) {
                break;
            }
            for (DirectoryEntry e : page) {
                String n = str(e);
                seen.add(n);
                if (!n.equals(".") && !n.equals("..")) {
                    assertThat(e.inode()).as(n).isEqualTo(expected.get(n));
                    int type = switch (Integer.parseInt(n.substring(6)) % 3) {
                        case 0 -> DirectoryKeys.DT_REG;
                        case 1 -> DirectoryKeys.DT_DIR;
                        default -> DirectoryKeys.DT_LNK;
                    };
                    assertThat(e.type()).as(n).isEqualTo(type);
                }
            }
            offset = page.get(page.size() - 1).nextOffset();
        }
        assertThat(seen.subList(0, 2)).containsExactly(".", "..");
        assertThat(seen.subList(2, seen.size())).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
    }

    @Test
    void offsetsStayValidWhileEntriesAreRemovedAndAddedBetweenCalls() {
        Random random = new Random(42);
        Set<String> present = new LinkedHashSet<>();
        for (int i = 0; i < 400; i++) {
            add("old-" + i);
            present.add("old-" + i);
        }
        Set<String> removedDuring = new HashSet<>();
        List<String> seen = new ArrayList<>();
        int added = 0;
        long offset = 0;
        while (true) {
            List<DirectoryEntry> page = t.fs.readdir(dir, offset, 1 + random.nextInt(5));
            if (page.isEmpty()) {
                break;
            }
            page.forEach(e -> seen.add(str(e)));
            offset = page.get(page.size() - 1).nextOffset();
            // Between calls: remove a few (seen or not), add a few new ones.
            for (int k = 0; k < 3; k++) {
                List<String> names = new ArrayList<>(present);
                String victim = names.get(random.nextInt(names.size()));
                t.fs.unlink(dir, name(victim));
                present.remove(victim);
                removedDuring.add(victim);
            }
            for (int k = 0; k < 2; k++) {
                String n = "new-" + added++;
                add(n);
                present.add(n);
            }
        }
        Set<String> throughout = new HashSet<>();
        for (int i = 0; i < 400; i++) {
            if (!removedDuring.contains("old-" + i)) {
                throughout.add("old-" + i);
            }
        }
        assertThat(throughout).as("some entries lived through the whole listing").hasSizeGreaterThan(50);
        assertThat(seen).as("no entry twice").doesNotHaveDuplicates();
        assertThat(seen).as("every entry that existed throughout").containsAll(throughout);
        assertThat(seen.subList(0, 2)).containsExactly(".", "..");
    }

    @Test
    void anOffsetStaysValidAcrossAReopen() {
        for (int i = 0; i < 200; i++) {
            add("e" + i);
        }
        List<DirectoryEntry> firstHalf = new ArrayList<>();
        long offset = 0;
        while (firstHalf.size() < 100) {
            List<DirectoryEntry> page = t.fs.readdir(dir, offset, 10);
            firstHalf.addAll(page);
            offset = page.get(page.size() - 1).nextOffset();
        }
        t.reopen();
        List<String> rest = new ArrayList<>();
        while (true) {
            List<DirectoryEntry> page = t.fs.readdir(dir, offset, 10);
            if (page.isEmpty()) {
                break;
            }
            page.forEach(e -> rest.add(str(e)));
            offset = page.get(page.size() - 1).nextOffset();
        }
        List<String> all = new ArrayList<>(firstHalf.stream().map(FileSystemReaddirTest::str).toList());
        all.addAll(rest);
        assertThat(all).doesNotHaveDuplicates().hasSize(202);
    }

    @Test
    void nextOffsetsIncreaseAndAreNeverZero() {
        for (int i = 0; i < 300; i++) {
            add("e" + i);
        }
        long previous = 0;
        for (DirectoryEntry e : TreeSnapshot.list(t.fs, dir)) {
            assertThat(e.nextOffset()).isGreaterThan(previous);
            previous = e.nextOffset();
        }
    }

    @Test
    void aDirectoryEmptiedByRemovalsListsOnlyDotAndDotDot() {
        for (int i = 0; i < 1000; i++) {
            add("e" + i);
        }
        for (int i = 0; i < 1000; i++) {
            t.fs.unlink(dir, name("e" + i));
        }
        assertThat(TreeSnapshot.list(t.fs, dir)).extracting(FileSystemReaddirTest::str).containsExactly(".", "..");
        t.fs.rmdir(ROOT, name("d"));
    }
}
