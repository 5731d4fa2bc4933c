package org.quillfs.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeMembersTest {

    private static final int BLOCK = 1024;

    @TempDir
    Path dir;

    /** Makes image files of {@code blocks} each, labelled as one volume, with {@code fill} written through it. */
    private List<Path> volume(String prefix, Layout layout, byte[] fill, long... blocks) throws IOException {
        List<Path> paths = new ArrayList<>();
        List<BlockDevice> devices = new ArrayList<>();
        for (int m = 0; m < blocks.length; m++) {
            Path path = dir.resolve(prefix + m + ".img");
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.allocate(1), blocks[m] * BLOCK - 1);
            }
            paths.add(path);
            devices.add(FileBlockDevice.open(path, BLOCK, true));
        }
        BlockDevice volume = VolumeMembers.compose("new", layout, 2, devices);
        volume.write(0, ByteBuffer.wrap(fill));
        VolumeMembers.writeLabels(UUID.randomUUID(), layout, 2, devices, volume.blockCount());
        volume.close();
        return paths;
    }

    @Test
    void membersGivenInAnyOrderArePlacedByTheirLabels() throws IOException {
        byte[] data = BlockDeviceContract.random(12 * BLOCK, 1);
        List<Path> paths = volume("s", Layout.STRIPE, data, 9, 9, 11);

        VolumeMembers members = VolumeMembers.probe(List.of(paths.get(2), paths.get(0), paths.get(1)));

        assertThat(members.isVolume()).isTrue();
        assertThat(members.paths()).containsExactlyElementsOf(paths);
        assertThat(members.labels()).extracting(VolumeLabel::member).containsExactly(0, 1, 2);
        try (BlockDevice device = members.open(false)) {
            assertThat(device.blockCount()).isEqualTo(3 * 8);
            ByteBuffer back = ByteBuffer.allocate(12 * BLOCK);
            device.read(0, back);
            assertThat(back.array()).isEqualTo(data);
        }
    }

    @Test
    void aConcatenatedVolumeHoldsEveryMembersDataArea() throws IOException {
        List<Path> paths = volume("c", Layout.CONCAT, new byte[BLOCK], 5, 8);
        try (BlockDevice device = VolumeMembers.probe(paths).open(true)) {
            assertThat(device.blockCount()).isEqualTo(4 + 7);
        }
    }

    @Test
    void aSingleDeviceWithoutALabelIsAPlainDevice() throws IOException {
        Path plain = dir.resolve("plain.img");
        Files.write(plain, new byte[4 * BLOCK]);
        VolumeMembers members = VolumeMembers.probe(List.of(plain));
        assertThat(members.isVolume()).isFalse();
        assertThat(members.paths()).containsExactly(plain);
    }

    @Test
    void aMissingMemberIsRefused() throws IOException {
        List<Path> paths = volume("s", Layout.STRIPE, new byte[BLOCK], 9, 9, 9);
        assertRefused(List.of(paths.get(0), paths.get(2)), "member 1", "member 1 of volume", "is missing");
        assertRefused(List.of(paths.get(1)), "member 0", "member 0 of volume", "is missing");
    }

    @Test
    void aDeviceGivenTwiceIsRefused() throws IOException {
        List<Path> paths = volume("s", Layout.STRIPE, new byte[BLOCK], 9, 9);
        assertRefused(List.of(paths.get(0), paths.get(1), paths.get(0)), paths.get(0).toString(), "given twice");
    }

    @Test
    void aCopyOfAMemberIsRefusedAsADuplicate() throws IOException {
        List<Path> paths = volume("s", Layout.STRIPE, new byte[BLOCK], 9, 9);
        Path copy = Files.copy(paths.get(1), dir.resolve("copy.img"));
        assertRefused(List.of(paths.get(0), paths.get(1), copy), copy.toString(), "is member 1 of the volume, as is",
                "duplicate");
    }

    @Test
    void aMemberOfAnotherVolumeIsRefused() throws IOException {
        List<Path> ours = volume("a", Layout.STRIPE, new byte[BLOCK], 9, 9);
        List<Path> theirs = volume("b", Layout.STRIPE, new byte[BLOCK], 9, 9);
        assertRefused(List.of(ours.get(0), theirs.get(1)), theirs.get(1).toString(), "member of another volume");
    }

    @Test
    void aMemberWhoseSizeChangedIsRefused() throws IOException {
        List<Path> paths = volume("s", Layout.STRIPE, new byte[BLOCK], 9, 9);
        try (FileChannel channel = FileChannel.open(paths.get(1), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(1), 12L * BLOCK - 1);
        }
        assertRefused(paths, paths.get(1).toString(), "holds 12 blocks", "says 9", "size changed");
    }

    @Test
    void aDeviceWithoutALabelAmongSeveralIsRefused() throws IOException {
        List<Path> paths = volume("s", Layout.STRIPE, new byte[BLOCK], 9, 9);
        Path plain = dir.resolve("plain.img");
        Files.write(plain, new byte[9 * BLOCK]);
        assertRefused(List.of(paths.get(0), plain), plain.toString(), "not a member of a quillfs volume");
    }

    @Test
    void aDamagedLabelIsRefused() throws IOException {
        List<Path> paths = volume("s", Layout.STRIPE, new byte[BLOCK], 9, 9);
        try (FileChannel channel = FileChannel.open(paths.get(0), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {7}), 40);
        }
        assertRefused(paths, paths.get(0).toString(), "volume label is damaged (checksum mismatch)");
    }

    @Test
    void refusingWritesNothing() throws IOException {
        List<Path> paths = volume("s", Layout.STRIPE, BlockDeviceContract.random(BLOCK, 3), 9, 9, 9);
        List<byte[]> before = new ArrayList<>();
        for (Path path : paths) {
            before.add(Files.readAllBytes(path));
        }
        assertRefused(List.of(paths.get(0), paths.get(1)), "member 2", "is missing");
        for (int m = 0; m < paths.size(); m++) {
            assertThat(Files.readAllBytes(paths.get(m))).isEqualTo(before.get(m));
        }
    }

    @Test
    void aLabelSurvivesEncodingAndDecoding() {
        VolumeLabel label = new VolumeLabel(UUID.randomUUID(), 2, 4, Layout.STRIPE, 4096, 16, 1000, 3984);
        ByteBuffer block = label.encode();
        assertThat(block.capacity()).isEqualTo(4096);
        assertThat(VolumeLabel.present(block)).isTrue();
        assertThat(VolumeLabel.decode(block)).isEqualTo(label);
    }

    private static void assertRefused(List<Path> paths, String device, String... message) {
        assertThatThrownBy(() -> VolumeMembers.probe(paths))
                .isInstanceOf(VolumeAssemblyException.class)
                .satisfies(e -> assertThat(((VolumeAssemblyException) e).device()).isEqualTo(device))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").contains(message));
    }
}
