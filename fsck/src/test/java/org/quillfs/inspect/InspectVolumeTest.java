package org.quillfs.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quillfs.format.Formatter;
import org.quillfs.format.TestFormats;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.FileBlockDevice;
import org.quillfs.volume.Layout;
import org.quillfs.volume.VolumeMembers;

/** {@code quillfs inspect} of a volume: its layout and members first, then the filesystem on it. */
class InspectVolumeTest {

    private static final UUID VOLUME = UUID.fromString("0c0ffee0-1234-4abc-8def-0123456789ab");

    @TempDir
    Path dir;

    Path a;
    Path b;

    @BeforeEach
    void format() throws IOException {
        a = dir.resolve("a.img");
        b = dir.resolve("b.img");
        List<BlockDevice> members = new ArrayList<>();
        for (Path member : List.of(a, b)) {
            try (RandomAccessFile file = new RandomAccessFile(member.toFile(), "rw")) {
                file.setLength(64L << 20);
            }
            members.add(FileBlockDevice.open(member, 4096, true));
        }
        try (BlockDevice volume = VolumeMembers.compose("v", Layout.STRIPE, 16, members)) {
            Formatter.format(volume, TestFormats.options(4096, volume.blockCount() * 4096));
            VolumeMembers.writeLabels(VOLUME, Layout.STRIPE, 16, members, volume.blockCount());
        }
    }

    @Test
    void showsTheLayoutAndMembersThenTheFilesystem() {
        InspectRun run = InspectRun.of("inspect", b + "," + a, "superblock");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("uuid: " + VOLUME).contains("layout: stripe")
                .contains("stripe unit: 16 blocks (65536 bytes)").contains("blocks: " + 2 * 16368)
                .contains("member 0: " + a + ", 16384 blocks").contains("member 1: " + b + ", 16384 blocks")
                .contains("uuid: " + TestFormats.UUID).contains("state: clean").doesNotContain("Problems found");
        assertThat(run.out().indexOf("layout: stripe")).isLessThan(run.out().indexOf("uuid: " + TestFormats.UUID));
    }

    @Test
    void membersMayBeSeparateArgumentsAndJsonHasAVolumeSection() {
        InspectRun run = InspectRun.of("inspect", "--json", b.toString(), a.toString(), "groups");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonObject volume = JsonParser.parseString(run.out()).getAsJsonObject().getAsJsonObject("volume");
        assertThat(volume.get("layout").getAsString()).isEqualTo("stripe");
        assertThat(volume.getAsJsonArray("members")).hasSize(2);
    }

    @Test
    void aMissingMemberCannotBeInspected() {
        InspectRun run = InspectRun.of("inspect", a.toString());

        assertThat(run.exitCode()).isEqualTo(8);
        assertThat(run.err()).isEqualTo("quillfs: member 1 of volume " + VOLUME
                + " (2 members) is missing: give every member's device\n");
    }
}
