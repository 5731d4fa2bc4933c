package org.quillfs.fsck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.FsOptions;

/** fsck.quillfs on the members of a volume: how they are given, and every refusal, which writes nothing. */
class FsckVolumeTest {

    @TempDir Path tmp;

    private List<Path> members;

    @BeforeEach
    void makeVolume() throws Exception {
        members = populatedStripe(tmp.resolve("vol"));
    }

    private static List<Path> populatedStripe(Path base) throws Exception {
        TestDevices.Made made = TestImages.format(TestDevices.STRIPE2, 1024, 10L << 20);
        FileSystem fs = FileSystem.open(made.device(), FsOptions.defaults());
        TestImages.populate(fs, 1024);
        fs.close();
        return made.save(base);
    }

    @Test
    void membersGivenInAnyOrderWithCommasOrAsSeveralArgumentsAreChecked() {
        FsckRun commas = FsckRun.of(List.of(members.get(1), members.get(0)), "-fn");
        assertThat(commas.exitCode()).as(commas.toString()).isZero();
        assertThat(commas.out()).contains("\n" + members.get(0) + "," + members.get(1) + ": 358/642 files");

        FsckRun several = FsckRun.answering(List.of(), "-fy", members.get(1).toString(), members.get(0).toString());
        assertThat(several.exitCode()).as(several.toString()).isZero();
    }

    @Test
    void damageInsideTheVolumeIsFoundAndRepaired() throws Exception {
        // The superblock is volume block 0, member 0's block 1: zero its free counts' neighbourhood.
        try (FileChannel channel = FileChannel.open(members.get(0), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(1024), 1024L * 1);
        }
        FsckRun repair = FsckRun.of(members, "-fy");
        assertThat(repair.exitCode()).as(repair.toString()).isEqualTo(1);
        assertThat(repair.out()).contains("superblock");
        FsckRun again = FsckRun.of(members, "-fn");
        assertThat(again.exitCode()).as(again.toString()).isZero();
    }

    @Test
    void aMissingMemberIsRefusedAndNothingIsWritten() throws Exception {
        assertRefused(List.of(members.get(1)), "member 0 of volume ", " is missing");
    }

    @Test
    void aMemberGivenTwiceIsRefused() throws Exception {
        assertRefused(List.of(members.get(0), members.get(1), members.get(0)), members.get(0) + " is given twice");
    }

    @Test
    void aMemberOfAnotherVolumeIsRefused() throws Exception {
        Path tmpOther = Files.createDirectory(tmp.resolve("other"));
        // Another volume: same layout, another volume UUID (TestDevices uses one UUID, so relabel by hand).
        List<Path> other = populatedStripe(tmpOther.resolve("vol"));
        try (FileChannel channel = FileChannel.open(other.get(1), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer label = ByteBuffer.allocate(1024);
            channel.read(label, 0);
            org.quillfs.volume.VolumeLabel old = org.quillfs.volume.VolumeLabel.decode(label.flip());
            channel.write(new org.quillfs.volume.VolumeLabel(java.util.UUID.randomUUID(), old.member(), old.memberCount(),
                    old.layout(), old.blockSize(), old.stripeUnit(), old.memberBlocks(), old.volumeBlocks()).encode(), 0);
        }
        assertRefused(List.of(members.get(0), other.get(1)), other.get(1) + " is a member of another volume");
    }

    @Test
    void aMemberWhoseSizeChangedIsRefused() throws Exception {
        try (FileChannel channel = FileChannel.open(members.get(1), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(4096), Files.size(members.get(1)));
        }
        assertRefused(members, members.get(1) + " holds ", "its size changed");
    }

    @Test
    void aMemberInUseIsNotCheckedReadWrite() throws Exception {
        try (FileChannel holder = FileChannel.open(members.get(1), StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileLock lock = holder.lock()) {
            FsckRun run = FsckRun.of(members, "-fy");
            assertThat(run.exitCode()).isEqualTo(8);
            assertThat(run.err()).isEqualTo("fsck.quillfs: " + members.get(1)
                    + " is in use by another process (mounted?): not checked\n");
        }
    }

    @Test
    void oneMemberAloneIsNotTakenForAFilesystem() {
        FsckRun run = FsckRun.of(members.get(0), "-fn");
        assertThat(run.exitCode()).isEqualTo(8);
        assertThat(run.err()).contains("member 1 of volume").contains("is missing");
    }

    /** fsck -fy refuses {@code given} with exit 8 and one line containing {@code message}, and changes no file. */
    private void assertRefused(List<Path> given, String... message) throws Exception {
        List<byte[]> before = new ArrayList<>();
        for (Path member : members) {
            before.add(Files.readAllBytes(member));
        }
        FsckRun run = FsckRun.of(given, "-fy");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(8);
        assertThat(run.err()).startsWith("fsck.quillfs: ").endsWith("\n").contains(message);
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.out()).isEmpty();
        for (int m = 0; m < members.size(); m++) {
            assertThat(Files.readAllBytes(members.get(m))).as("member %d", m).isEqualTo(before.get(m));
        }
    }
}
