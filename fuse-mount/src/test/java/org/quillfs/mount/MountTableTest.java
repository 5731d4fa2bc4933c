package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MountTableTest {

    @Test
    void parsesMountinfoWithOptionalFieldsAndOctalEscapes() {
        String info = """
                22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/vda rw
                42 22 0:39 / /tmp/my\\040mnt rw,nosuid,nodev,relatime shared:5 master:2 - fuse.quillfs /srv/a\\134b.img rw,user_id=0
                43 22 0:40 / /tmp/caf\\303\\251 rw - fuse.quillfs /tmp/x.img rw
                """;
        List<MountTable.Mount> mounts = MountTable.parse(info.getBytes(StandardCharsets.ISO_8859_1),
                StandardCharsets.UTF_8);
        assertThat(mounts).containsExactly(
                new MountTable.Mount("/", "ext4", "/dev/vda", "8:1"),
                new MountTable.Mount("/tmp/my mnt", "fuse.quillfs", "/srv/a\\b.img", "0:39"),
                new MountTable.Mount("/tmp/café", "fuse.quillfs", "/tmp/x.img", "0:40"));
    }

    @Test
    void skipsLinesItCannotRead() {
        assertThat(MountTable.parse("garbage\n\n".getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .isEmpty();
    }

    @Test
    void readsThisProcesssTable() {
        assertThat(MountTable.read()).anyMatch(m -> m.mountPoint().equals("/"));
        assertThat(MountTable.at(Path.of("/"))).isPresent();
    }
}
