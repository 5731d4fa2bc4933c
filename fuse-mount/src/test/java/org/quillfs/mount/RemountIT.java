package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A clean unmount keeps everything: same names, attributes, inode numbers and contents after mounting again. */
class RemountIT {

    private static final String CONTENTS = "find . -path ./lost+found -prune -o -type f -print0 | sort -z | "
            + "xargs -0 -r sha256sum";

    @TempDir Path tmp;

    @Test
    void everythingIsStillThereAfterUnmountAndMount() throws Exception {
        try (MountedImage fs = MountedImage.format(tmp, "remount.img", "512M")) {
            fs.mountOrFail();
            MountedImage.bash(fs.mountPoint, """
                    mkdir -p dir/sub/deeper
                    for i in $(seq 1 300); do echo "file $i" > dir/sub/f$i; done
                    head -c 5000000 /dev/urandom > dir/random
                    truncate -s 50M dir/sparse
                    printf 'tail' >> dir/sparse
                    ln dir/random dir/random.link
                    ln -s sub/f1 dir/symlink
                    mkfifo dir/fifo
                    mknod dir/null c 1 3
                    chmod 2750 dir/sub
                    chown 321:654 dir/sub/f7
                    touch -d @1234567890.987654321 dir/sub/f9
                    rm dir/sub/f100
                    mv dir/sub/f200 dir/deeper-f200
                    """).assertSucceeded("populate");
            Thread.sleep(1200); // the hard link's other name shows 2 links once the attribute timeout passed
            List<String> before = TreeListing.of(fs.mountPoint, true, true);
            String contents = MountedImage.bash(fs.mountPoint, CONTENTS).assertSucceeded("sha256sum").out();

            fs.unmount();
            assertThat(fs.isMounted()).isFalse();
            assertThat(fs.log()).contains("closed " + fs.image + " cleanly");
            String state = MountedImage.run(List.of(MountedImage.REPO.resolve("bin/quillfs").toString(), "inspect",
                    fs.image.toString(), "superblock"), tmp, Map.of()).assertSucceeded("quillfs inspect").out();
            assertThat(state).contains("state: clean");

            fs.mountOrFail();
            assertThat(fs.log()).contains("cleanly unmounted, the journal had nothing to replay");
            assertThat(TreeListing.of(fs.mountPoint, true, true)).isEqualTo(before);
            assertThat(MountedImage.bash(fs.mountPoint, CONTENTS).assertSucceeded("sha256sum").out())
                    .isEqualTo(contents);
            assertThat(before).anyMatch(l -> l.startsWith("dir/sub/f9|f|0644|0|0|1||7|1234567890.9876543210|"))
                    .anyMatch(l -> l.startsWith("dir/null|c|0644|0|0|1||0|"))
                    .anyMatch(l -> l.startsWith("dir/random|f|0644|0|0|2||5000000|"))
                    .anyMatch(l -> l.startsWith("dir/sub|d|02750|"));
            fs.unmount();
        }
    }
}
