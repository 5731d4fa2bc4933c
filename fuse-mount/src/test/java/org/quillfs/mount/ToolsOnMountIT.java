package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ordinary programs on a real quillfs mount give what they give on a local directory: the same
 * commands run in both, then the trees are compared (contents, types, modes, owners, link
 * counts, symlink targets, and times wherever a command sets them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ToolsOnMountIT {

    /**
     * libfuse 2's path-based API gives each name of a hard-linked file its own kernel inode, so
     * a link count changed through one name shows through the others once the attribute timeout
     * (1 s, MountOptions) has passed. Comparisons of link counts wait that long first.
     */
    private static final long ATTRIBUTE_TIMEOUT_MS = (long) (MountOptions.ATTR_TIMEOUT_SECONDS * 1000) + 200;

    private Path tmp;
    private MountedImage fs;
    private Path mnt;

    @BeforeAll
    void mount(@TempDir Path dir) throws IOException {
        tmp = dir;
        fs = MountedImage.format(tmp, "tools.img", "2G");
        fs.mountOrFail();
        mnt = fs.mountPoint;
    }

    @AfterAll
    void unmount() {
        MountedImage.unmountAndClose(fs);
    }

    /** Runs {@code script} in a fresh directory {@code name} on the mount and in one on local disk. */
    private Path[] runBoth(String name, String script) throws IOException {
        Path onMount = Files.createDirectory(mnt.resolve(name));
        Path local = Files.createDirectories(tmp.resolve("local").resolve(name));
        MountedImage.Result there = MountedImage.bash(onMount, script).assertSucceeded("script on the mount");
        MountedImage.Result here = MountedImage.bash(local, script).assertSucceeded("script on local disk");
        assertThat(there.out()).as("what the commands print").isEqualTo(here.out());
        return new Path[] {onMount, local};
    }

    @Test
    void shellCommandsLeaveTheSameTreeAsOnALocalDirectory() throws Exception {
        Path[] dirs = runBoth("shell", """
                mkdir -p a/b/c d/e/f/g
                touch a/empty
                echo hello > a/b/c/hello.txt
                printf 'line1\\nline2\\n' > a/lines
                cp a/lines d/lines.copy
                cp -a a/b e
                mv a/lines d/moved
                mv e d/e/
                ln d/moved a/hard
                ln -s ../d/moved a/soft
                ln -s nowhere a/dangling
                chmod 640 a/hard
                chmod 1777 d
                chmod 4755 a/b/c/hello.txt
                chown 1234:5678 a/empty
                chown -h 42:43 a/soft
                truncate -s 100000 a/sparse
                truncate -s 3 a/b/c/hello.txt
                dd if=/dev/zero of=d/zeros bs=64K count=10 conv=fsync status=none
                dd if=d/moved of=d/dd.out bs=3 skip=1 conv=fsync status=none
                mkfifo a/fifo
                echo appended >> d/moved
                cat d/moved a/hard a/soft a/b/c/hello.txt
                touch -d @1612325106.123456789 d/zeros
                touch -h -d @978307200.5 a/dangling
                stat -c '%n %F %a %s %u %g' a/empty a/soft a/sparse d/zeros d/dd.out a/fifo a/b/c/hello.txt
                find . -name '*.txt' | sort
                find . -type l | sort
                readlink a/soft a/dangling
                mkdir -p x/y && rm -rf x d/e/f
                rmdir d/e/e/c 2>/dev/null || echo 'rmdir of a non-empty directory fails'
                ls -a d | sort
                """);
        Thread.sleep(ATTRIBUTE_TIMEOUT_MS);
        assertThat(TreeListing.of(dirs[0], false, false)).isEqualTo(TreeListing.of(dirs[1], false, false));
        assertThat(mtime(dirs[0].resolve("d/zeros"))).isEqualTo("1612325106.123456789");
        assertThat(mtime(dirs[0].resolve("a/dangling"))).isEqualTo("978307200.500000000");
        assertThat(Files.readString(dirs[0].resolve("d/moved"))).isEqualTo("line1\nline2\nappended\n");
    }

    @Test
    void cpTarDiffAndRmOnARealTreeOfThousandsOfFiles() throws Exception {
        Path source = RealTree.pick();
        Path copy = mnt.resolve("copy");
        Path untarred = mnt.resolve("untarred");
        MountedImage.bash(mnt, "cp -a " + source + " " + copy).assertSucceeded("cp -a");
        MountedImage.bash(mnt, "diff -r --no-dereference " + source + " " + copy).assertSucceeded("diff -r");
        List<String> original = TreeListing.of(source, true, false);
        assertThat(original.size()).isGreaterThanOrEqualTo(RealTree.MIN_ENTRIES);
        assertThat(TreeListing.of(copy, true, false)).as("cp -a keeps modes, owners, link counts and mtimes")
                .isEqualTo(original);

        MountedImage.bash(mnt, "mkdir " + untarred + " && tar -C " + copy + " --format=posix -cf - . | tar -C "
                + untarred + " -xpf -").assertSucceeded("tar c | tar x");
        MountedImage.bash(mnt, "diff -r --no-dereference " + copy + " " + untarred).assertSucceeded("diff -r");
        assertThat(TreeListing.of(untarred, true, false)).as("tar x restores what tar c saw").isEqualTo(original);

        String found = MountedImage.bash(mnt, "find copy | wc -l").assertSucceeded("find").out().strip();
        assertThat(Long.parseLong(found)).isEqualTo(original.size() + 1);

        MountedImage.bash(mnt, "rm -rf copy untarred").assertSucceeded("rm -rf");
        try (Stream<Path> left = Files.list(mnt)) {
            assertThat(left.map(p -> p.getFileName().toString())).doesNotContain("copy", "untarred");
        }
    }

    @Test
    void gitWorksInARepositoryOnTheMount() throws Exception {
        if (Unmount.which("git").isEmpty()) {
            assertThat(System.getenv("CI")).as("git is installed by make deps; it is missing").isNotEqualTo("true");
            return;
        }
        Path repo = Files.createDirectory(mnt.resolve("repo"));
        String git = "git -c user.name=quillfs -c user.email=quillfs@example.org ";
        MountedImage.bash(repo, "git init -q . && cp -a " + MountedImage.REPO.resolve("fs-core/src") + " src && "
                + git + "add -A && " + git + "commit -qm 'quillfs sources' && git fsck --strict --no-progress && "
                + "echo change >> src/main/java/org/quillfs/fs/FileSystem.java && " + git + "commit -qam change && "
                + "git gc -q && git fsck --strict --no-progress && test -z \"$(git status --porcelain)\" && "
                + "git log --oneline | wc -l").assertSucceeded("git");
        String count = MountedImage.bash(repo, "git log --oneline | wc -l").assertSucceeded("git log").out().strip();
        assertThat(count).isEqualTo("2");
    }

    /**
     * Reads, writes and fsync reach an open file through its handle, whatever happened to its
     * names. (fstat of an unlinked open file is the one call that fails, with ENOENT: the kernel
     * sends it without the handle and libfuse 2 then has no path to give; docs/MOUNT.md.)
     */
    @Test
    void openFilesKeepWorkingAfterRenameAndUnlink() throws IOException {
        Path file = mnt.resolve("open-file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("one ".getBytes(StandardCharsets.UTF_8)));
            Files.move(file, mnt.resolve("renamed"));
            ch.write(ByteBuffer.wrap("two ".getBytes(StandardCharsets.UTF_8)));
            ch.truncate(7);
            Files.delete(mnt.resolve("renamed"));
            ch.write(ByteBuffer.wrap("three".getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
            ByteBuffer back = ByteBuffer.allocate(100);
            ch.read(back, 0);
            assertThat(new String(back.array(), 0, back.position(), StandardCharsets.UTF_8)).isEqualTo("one twothree");
            assertThat(Files.exists(mnt.resolve("renamed"))).isFalse();
        }
    }

    @Test
    void namesAreBytesNotJustUtf8() throws IOException {
        Path dir = Files.createDirectory(mnt.resolve("names"));
        MountedImage.bash(dir, "touch $'\\xff\\xfe' $'caf\\xc3\\xa9' $'a\\nb' && mkdir $'\\x80dir' && "
                + "echo x > $'\\x80dir/\\xe9t\\xe9'").assertSucceeded("touch with odd names");
        String listed = MountedImage.bash(dir, "find . -mindepth 1 -print0 | sort -z | od -An -c")
                .assertSucceeded("find").out();
        String expected = MountedImage.bash(tmp, "mkdir names-local && cd names-local && touch $'\\xff\\xfe' "
                + "$'caf\\xc3\\xa9' $'a\\nb' && mkdir $'\\x80dir' && echo x > $'\\x80dir/\\xe9t\\xe9' && "
                + "find . -mindepth 1 -print0 | sort -z | od -An -c").assertSucceeded("local").out();
        assertThat(listed).isEqualTo(expected);
    }

    @Test
    void namesChangedByRenameUnlinkAndRmdirResolveToWhatTheyNameNow() {
        // The adapter caches (directory, name) -> inode for path resolution (NameCache): every
        // change below must reach what later requests for the same paths resolve to.
        String out = MountedImage.bash(mnt, "mkdir renames && cd renames && "
                + "echo one > f && echo two > g && mv g f && cat f && test ! -e g && "
                + "mkdir d && echo in > d/x && mv d e && cat e/x && test ! -e d/x && "
                + "mkdir d && echo new > d/x && cat d/x && cat e/x && "
                + "rm f && echo three > f && cat f && "
                + "rm -r d && mkdir d && touch d/y && ls d && "
                + "mv e/x e/z && cat e/z && test ! -e e/x && "
                + "mkdir e/sub && echo deep > e/sub/w && mv e e2 && cat e2/sub/w && test ! -e e/sub/w")
                .assertSucceeded("renames, unlinks and rmdirs").out();
        assertThat(out).isEqualTo("two\nin\nnew\nin\nthree\ny\nin\ndeep\n");
    }

    @Test
    void namesLongerThan255BytesAreRefused() {
        String max = "n".repeat(255);
        MountedImage.bash(mnt, "touch " + max + " && rm " + max).assertSucceeded("a 255-byte name");
        MountedImage.Result r = MountedImage.bash(mnt, "touch " + "n".repeat(256));
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("File name too long");
    }

    @Test
    void statfsDescribesTheImage() {
        String out = MountedImage.bash(mnt, "stat -f -c '%S %b %l' . && df --output=fstype . | tail -1 && "
                + "findmnt -n -r -o SOURCE,FSTYPE " + mnt).assertSucceeded("stat -f").out();
        assertThat(out.lines().toList()).containsExactly("4096 524288 255", "fuse.quillfs",
                fs.image + " fuse.quillfs");
    }

    @Test
    void timesFollowTheCommandsThatSetThem() throws Exception {
        Path dir = Files.createDirectory(mnt.resolve("times"));
        String out = MountedImage.bash(dir, """
                touch -d '@1500000000.25' f
                touch -m -d '@1600000000.75' f
                stat -c '%X %Y' f
                stat -c '%.9X %.9Y' f
                before=$(stat -c %Z f); sleep 1.1; chmod 600 f; after=$(stat -c %Z f)
                [ "$after" -gt "$before" ] && echo ctime-moved
                echo x >> f; [ "$(stat -c %Y f)" -gt 1600000000 ] && echo mtime-moved
                """).assertSucceeded("times").out();
        assertThat(out.lines().toList()).containsExactly("1500000000 1600000000",
                "1500000000.250000000 1600000000.750000000", "ctime-moved", "mtime-moved");
    }

    @Test
    void largeDirectoriesListCompletely() throws IOException {
        Path dir = Files.createDirectory(mnt.resolve("many"));
        MountedImage.bash(dir, "for i in $(seq 1 5000); do echo -n > file-$i; done").assertSucceeded("create");
        String listed = MountedImage.bash(dir, "ls -f | grep -c file-; ls | sort -u | wc -l")
                .assertSucceeded("ls").out();
        assertThat(listed.lines().toList()).containsExactly("5000", "5000");
        MountedImage.bash(mnt, "rm -r many").assertSucceeded("rm -r");
    }

    private static String mtime(Path p) {
        return MountedImage.run(List.of("stat", "-c", "%.9Y", p.toString()), p.getParent(), Map.of())
                .assertSucceeded("stat").out().strip();
    }
}
