package org.quillfs.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quillfs.fs.FileSystem.ROOT;
import static org.quillfs.fs.TestFileSystems.CALLER;
import static org.quillfs.fs.TestFileSystems.name;
import static org.quillfs.fs.TestFileSystems.random;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quillfs.fs.AttributeChanges.TimeChange;
import org.quillfs.format.Inode;
import org.quillfs.format.Timestamp;

/**
 * Everything a tree holds — every type, hard links, long and short symlinks, sparse and
 * multi-extent files, owners, modes, times, extended attributes — is the same after a clean
 * reopen and after a crash that follows sync(); after a crash without sync the filesystem
 * opens, and what was synced before is there.
 */
class FileSystemDurabilityTest {

    private TestFileSystems t;

    @BeforeEach
    void setUp() {
        t = TestFileSystems.standard();
    }

    @AfterEach
    void tearDown() {
        t.close();
    }

    /** A tree with a bit of everything under {@code /top}. */
    private void build(String top) {
        long d = t.mkdir(ROOT, top);
        long sub = t.mkdir(d, "sub");
        long deep = t.mkdir(sub, "deep");
        long f = t.file(d, "small", "hello");
        long big = t.file(sub, "big", random(3 << 20, 1));
        long sparse = t.file(deep, "sparse", "head");
        t.write(sparse, 1L << 25, name("tail"));
        long frag = t.file(d, "fragmented", new byte[0]);
        for (int i = 0; i < 30; i++) {
            t.write(frag, 2L * i * 4096, random(4096, i));
        }
        t.fs.link(f, deep, name("small-again"));
        t.fs.symlink(d, name("short"), name("sub/big"), CALLER);
        t.fs.symlink(sub, name("long"), TestFileSystems.longName(3000), CALLER);
        t.fs.mknod(d, name("fifo"), Inode.S_IFIFO | 0600, 0, CALLER);
        t.fs.mknod(d, name("tty"), Inode.S_IFCHR | 0620, (4L << 8) | 1, CALLER);
        t.fs.setattr(f, AttributeChanges.owner(123, 456).withMode(0640));
        t.fs.setattr(big, AttributeChanges.times(TimeChange.at(new Timestamp(1_234_567_890L, 987_654_321)),
                TimeChange.at(new Timestamp(1_111_111_111L, 1))));
        t.fs.setxattr(f, "user.colour", name("blue"), 0);
        t.fs.setxattr(sub, "user.empty", new byte[0], 0);
        t.fs.setxattr(big, "trusted.blob", random(1000, 2), 0);
        t.fs.rename(d, name("small"), d, name("renamed"), 0);
        t.fs.unlink(d, name("fifo"));
        t.fs.mknod(d, name("fifo"), Inode.S_IFIFO | 0644, 0, CALLER);
    }

    /** The snapshot plus every inode's extended attributes. */
    private Map<String, Object> everything() {
        Map<String, Object> all = new java.util.TreeMap<>(TreeSnapshot.of(t));
        for (Map.Entry<String, TreeSnapshot.Node> e : TreeSnapshot.of(t).entrySet()) {
            int type = e.getValue().mode() & Inode.S_IFMT;
            if (type == Inode.S_IFREG || type == Inode.S_IFDIR) {
                List<String> names = t.fs.listxattr(e.getValue().inode()).stream().sorted().toList();
                for (String n : names) {
                    all.put(e.getKey() + " @" + n, digest(t.fs.getxattr(e.getValue().inode(), n)));
                }
            }
        }
        all.put("statfs", t.fs.statfs());
        return all;
    }

    @Test
    void aTreeOfEveryKindSurvivesACleanReopen() {
        build("d");
        Map<String, Object> before = everything();
        t.reopen();
        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void aTreeOfEveryKindSurvivesACrashAfterSync() {
        build("d");
        Map<String, Object> before = everything();
        t.syncAndCrash();
        assertThat(everything()).isEqualTo(before);
        // And once more, crashing right after the recovery's own open.
        t.crashAndReopen();
        assertThat(everything()).isEqualTo(before);
    }

    @Test
    void aCrashWithoutSyncKeepsWhatWasSyncedAndOpensClean() {
        build("synced");
        Map<String, TreeSnapshot.Node> synced = TreeSnapshot.of(t);
        t.fs.sync();
        build("unsynced");
        t.fs.rename(ROOT, name("synced"), ROOT, name("synced"), 0);
        t.crashAndReopen();
        Map<String, TreeSnapshot.Node> after = TreeSnapshot.of(t);
        for (Map.Entry<String, TreeSnapshot.Node> e : synced.entrySet()) {
            if (e.getKey().startsWith("/synced") || e.getKey().equals("/lost+found")) {
                assertThat(after).containsEntry(e.getKey(), e.getValue());
            }
        }
        // Whatever of "unsynced" made it, the filesystem works: it can all be removed again.
        t.fs.mkdir(ROOT, name("after-crash"), 0755, CALLER);
        t.reopen();
        assertThat(TreeSnapshot.names(t.fs, ROOT)).contains("synced", "after-crash", "lost+found");
    }

    /** An attribute value as length and hash, so that maps of them compare by content. */
    private static String digest(byte[] b) {
        return b.length + ":" + java.util.Arrays.hashCode(b);
    }
}
