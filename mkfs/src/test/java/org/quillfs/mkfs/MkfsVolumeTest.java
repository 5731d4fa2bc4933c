package org.quillfs.mkfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quillfs.format.BlockHeader;
import org.quillfs.format.BlockType;
import org.quillfs.format.Superblock;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.Layout;
import org.quillfs.volume.VolumeLabel;
import org.quillfs.volume.VolumeMembers;

/** mkfs over several devices: the filesystem goes through the volume, the labels say where each member goes. */
class MkfsVolumeTest {

    @TempDir
    Path dir;

    @Test
    void makesAStripedVolumeWhoseMembersAreLabelledInTheOrderGiven() throws IOException {
        Path a = dir.resolve("a.img");
        Path b = dir.resolve("b.img");
        MkfsRun run = MkfsRun.of("--layout", "stripe", "--stripe-unit", "32K", a.toString(), b.toString(), "32M");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Created a quillfs filesystem on " + a + "," + b)
                .contains("Volume:             stripe of 2 members, stripe unit 32 KiB (8 blocks)");
        assertThat(Files.size(a)).isEqualTo(32L << 20);
        assertThat(Files.size(b)).isEqualTo(32L << 20);
        VolumeMembers members = VolumeMembers.probe(List.of(b, a));
        assertThat(members.paths()).containsExactly(a, b);
        VolumeLabel label = members.labels().get(1);
        assertThat(label.layout()).isEqualTo(Layout.STRIPE);
        assertThat(label.stripeUnit()).isEqualTo(8);
        assertThat(label.memberBlocks()).isEqualTo(8192);
        assertThat(label.volumeBlocks()).isEqualTo(2 * 8184);
        assertThat(superblockOf(members).geometry().blockCount()).isEqualTo(2 * 8184);
    }

    @Test
    void makesAConcatenatedVolumeOfEveryBlockButTheLabels() throws IOException {
        Path a = Files.write(dir.resolve("a.img"), new byte[16 << 20]);
        Path b = Files.write(dir.resolve("b.img"), new byte[24 << 20]);
        MkfsRun run = MkfsRun.of("-q", "-b", "1024", "--layout", "concat", a.toString(), b.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        VolumeMembers members = VolumeMembers.probe(List.of(a, b));
        assertThat(superblockOf(members).geometry().blockCount()).isEqualTo((16 << 10) - 1 + (24 << 10) - 1);
    }

    @Test
    void aVolumeMemberIsNotFormattedAgainWithoutF() throws IOException {
        Path a = dir.resolve("a.img");
        Path b = dir.resolve("b.img");
        assertThat(MkfsRun.of("-q", "--layout", "stripe", a.toString(), b.toString(), "16M").exitCode()).isZero();

        MkfsRun again = MkfsRun.of(b.toString());

        assertThat(again.exitCode()).isEqualTo(16);
        assertThat(again.err()).isEqualTo("mkfs.quillfs: " + b + " already holds a quillfs (volume member) filesystem; "
                + "use -F to overwrite it\n");
        assertThat(MkfsRun.of("-q", "-F", b.toString()).exitCode()).isZero();
        assertThat(MkfsCommandTest.superblockOf(b, 4096).geometry().blockCount()).isEqualTo(4096);
    }

    @Test
    void membersAreUsedWhole() throws IOException {
        Path a = Files.write(dir.resolve("a.img"), new byte[32 << 20]);
        Path b = dir.resolve("b.img");
        MkfsRun run = MkfsRun.of("--layout", "concat", a.toString(), b.toString(), "16M");

        assertThat(run.exitCode()).isEqualTo(16);
        assertThat(run.err()).contains("SIZE is smaller than " + a + ": the members of a volume are used whole");
        assertThat(b).doesNotExist();
    }

    private static Superblock superblockOf(VolumeMembers members) {
        try (BlockDevice device = members.open(false)) {
            ByteBuffer block = ByteBuffer.allocate(device.blockSize());
            device.read(0, block);
            Superblock sb = Superblock.decode(block);
            assertThat(BlockHeader.problem(block, sb.uuid(), BlockType.SUPERBLOCK, 0)).isEmpty();
            return sb;
        }
    }
}
