package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelReadaheadTest {

    private static final List<String> MOUNTINFO = List.of(
            "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw",
            "95 22 0:45 / /srv/data rw,nosuid,nodev,relatime shared:50 - fuse.quillfs /srv/a.img rw,user_id=0",
            "96 22 0:46 / /mnt/with\\040space\\134dir rw,nosuid shared:51 - fuse.quillfs /b.img rw,user_id=0",
            "97 95 0:47 / /srv/data rw,nosuid,nodev,relatime shared:52 - fuse.quillfs /srv/c.img rw,user_id=0");

    @Test
    void findsTheDeviceOfTheLastMountOnThePoint() {
        assertThat(KernelReadahead.deviceOf(Path.of("/srv/data"), MOUNTINFO)).contains("0:47");
        assertThat(KernelReadahead.deviceOf(Path.of("/"), MOUNTINFO)).contains("254:1");
    }

    @Test
    void readsTheOctalEscapesOfMountPoints() {
        assertThat(KernelReadahead.deviceOf(Path.of("/mnt/with space\\dir"), MOUNTINFO)).contains("0:46");
    }

    @Test
    void aPointNotMountedHasNoDevice() {
        assertThat(KernelReadahead.deviceOf(Path.of("/srv"), MOUNTINFO)).isEmpty();
        assertThat(KernelReadahead.deviceOf(Path.of("/srv/data/sub"), MOUNTINFO)).isEmpty();
    }
}
