package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A volume striped over two image files, through the real launchers: made, mounted with its
 * members in any order, written, unmounted, checked clean, mounted again with the members as
 * separate arguments; and refused, in one line, when a member is missing.
 */
class VolumeIT {

    @TempDir Path tmp;

    @Test
    void aStripedVolumeMountsHoldsWhatIsWrittenAndChecksClean() throws Exception {
        try (MountedImage volume = MountedImage.formatVolume(tmp, "stripe", "64M", "a.img", "b.img")) {
            Path a = tmp.resolve("a.img");
            Path b = tmp.resolve("b.img");
            byte[] big = new byte[9 << 20];
            new Random(42).nextBytes(big);

            MountedImage.Result missing = volume.mountAs(List.of(b.toString()));
            assertThat(missing.exitCode()).as(missing.err()).isEqualTo(32);
            assertThat(missing.err()).startsWith("mount.quillfs: member 0 of volume ").endsWith(" is missing: give "
                    + "every member's device\n");
            assertThat(volume.isMounted()).isFalse();

            volume.mountOrFail();
            assertThat(MountTable.at(volume.mountPoint).orElseThrow().source()).isEqualTo(a + "," + b);
            Files.createDirectories(volume.mountPoint.resolve("dir/sub"));
            Files.write(volume.mountPoint.resolve("dir/sub/big"), big);
            Files.writeString(volume.mountPoint.resolve("dir/small"), "on two members\n");
            assertThat(Files.readAllBytes(volume.mountPoint.resolve("dir/sub/big"))).isEqualTo(big);
            volume.unmount();

            MountedImage.Result fsck = MountedImage.run(List.of(MountedImage.REPO.resolve("bin/fsck.quillfs").toString(),
                    "-f", "-n", b.toString(), a.toString()), tmp, Map.of());
            assertThat(fsck.exitCode()).as("fsck: %s %s", fsck.out(), fsck.err()).isZero();
            assertThat(fsck.out()).contains(a + "," + b + ": ");

            volume.mountAs(List.of(b.toString(), a.toString())).assertSucceeded("mount.quillfs b.img a.img");
            assertThat(Files.readAllBytes(volume.mountPoint.resolve("dir/sub/big"))).isEqualTo(big);
            assertThat(Files.readString(volume.mountPoint.resolve("dir/small"))).isEqualTo("on two members\n");
            volume.unmount();
        }
    }
}
