package org.quillfs.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quillfs.format.FormatOptions;
import org.quillfs.format.Formatter;
import org.quillfs.format.Geometry;
import org.quillfs.format.Superblock;
import org.quillfs.format.TestFormats;
import org.quillfs.journal.LogRecordCodec;
import org.quillfs.txn.MetadataStore;
import org.quillfs.txn.Transaction;
import org.quillfs.volume.BlockDevice;
import org.quillfs.volume.FileBlockDevice;

class InspectCommandTest {

    @TempDir
    Path dir;

    Path image;
    Superblock made;

    @BeforeEach
    void format() throws IOException {
        image = dir.resolve("fs.img");
        FormatOptions options = TestFormats.options(4096, 300L << 20); // 3 groups
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(300L << 20);
        }
        try (BlockDevice device = FileBlockDevice.open(image, 4096, true)) {
            made = Formatter.format(device, options);
        }
    }

    @Test
    void showsTheSuperblockAndGroupsOfAFreshImage() {
        InspectRun run = InspectRun.of("inspect", image.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("block size: 4096").contains("uuid: " + TestFormats.UUID)
                .contains("state: clean").contains("group: 2").contains("flags: INODE_UNINIT BLOCK_UNINIT")
                .doesNotContain("Problems found");
    }

    @Test
    void jsonAgreesWithWhatMkfsWasAskedFor() {
        InspectRun run = InspectRun.of("inspect", "--json", image.toString(), "superblock");

        assertThat(run.exitCode()).isZero();
        JsonObject sb = JsonParser.parseString(run.out()).getAsJsonObject().getAsJsonObject("superblock");
        Geometry g = made.geometry();
        assertThat(sb.get("label").getAsString()).isEqualTo("test");
        assertThat(sb.get("block size").getAsInt()).isEqualTo(4096);
        assertThat(sb.get("blocks").getAsLong()).isEqualTo(g.blockCount());
        assertThat(sb.get("inodes").getAsLong()).isEqualTo(g.inodeCount());
        assertThat(sb.get("groups").getAsInt()).isEqualTo(3);
        assertThat(sb.get("free blocks").getAsLong()).isEqualTo(made.freeBlocks());
    }

    @Test
    void theRootDirectoryListsLostAndFound() {
        InspectRun run = InspectRun.of("inspect", "--json", image.toString(), "inode", "1");

        assertThat(run.exitCode()).as(run.out()).isZero();
        JsonObject inode = JsonParser.parseString(run.out()).getAsJsonObject().getAsJsonObject("inode");
        assertThat(inode.get("type").getAsString()).isEqualTo("directory");
        assertThat(inode.get("mode").getAsString()).isEqualTo("0755");
        assertThat(inode.get("links").getAsLong()).isEqualTo(3);
        JsonObject entry = inode.getAsJsonObject("directory").getAsJsonArray("names").get(0).getAsJsonObject();
        assertThat(entry.get("name").getAsString()).isEqualTo("lost+found");
        assertThat(entry.get("inode").getAsLong()).isEqualTo(16);
    }

    @Test
    void lostAndFoundIsAnEmptyPrivateDirectory() {
        InspectRun run = InspectRun.of("inspect", image.toString(), "inode", "16");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("type: directory").contains("mode: 0700").contains("links: 2").contains("entries: 0");
    }

    @Test
    void unusedAndUninitialisedInodesAreFree() {
        assertThat(InspectRun.of("inspect", image.toString(), "inode", "17").out()).contains("state: free");
        long inGroupTwo = 2L * made.geometry().inodesPerGroup() + 1;
        assertThat(InspectRun.of("inspect", image.toString(), "inode", String.valueOf(inGroupTwo)).out())
                .contains("state: free (its part of the inode table was never initialised)");
    }

    @Test
    void showsTheEmptyJournal() {
        InspectRun run = InspectRun.of("inspect", image.toString(), "journal");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("master A:").contains("sequence: 1").contains("tail lsn: 0");
    }

    @Test
    void aFreshJournalIsEmpty() {
        InspectRun run = InspectRun.of("inspect", image.toString(), "journal");
        assertThat(run.out()).contains("records: 0").contains("state: empty: nothing to recover")
                .contains("epoch: 0");
    }

    @Test
    void aCrashedJournalShowsWhatRecoveryWillReplay() {
        long unfinishedId;
        try (BlockDevice device = FileBlockDevice.open(image, 4096, true)) {
            MetadataStore store = MetadataStore.open(device, made, MetadataStore.Options.defaults());
            long scratch = made.geometry().firstDataBlock(0) + 20;
            Transaction done = store.transactions().begin(LogRecordCodec.updateSize(8));
            done.update(scratch, 64, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            store.transactions().force(done.commit());
            Transaction unfinished = store.transactions().begin(LogRecordCodec.updateSize(8));
            unfinished.update(scratch + 1, 64, new byte[] {8, 7, 6, 5, 4, 3, 2, 1});
            unfinishedId = unfinished.id();
            store.log().forceAll();
            store.halt(); // the crash: nothing more is written
        }
        InspectRun run = InspectRun.of("inspect", "--json", image.toString(), "journal");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonObject log = JsonParser.parseString(run.out()).getAsJsonObject().getAsJsonObject("journal").getAsJsonObject("log");
        assertThat(log.get("records").getAsLong()).isEqualTo(3);
        assertThat(log.get("state").getAsString()).startsWith("holds records");
        assertThat(log.getAsJsonArray("unfinished transactions").get(0).getAsLong()).isEqualTo(unfinishedId);
    }

    @Test
    void aDamagedBitmapIsShownWithItsChecksumProblem() throws IOException {
        flipByte(made.geometry().blockBitmapBlock(0) * 4096 + 100);
        InspectRun run = InspectRun.of("inspect", image.toString(), "groups");

        assertThat(run.exitCode()).isEqualTo(4);
        assertThat(run.out()).contains("Problems found:")
                .contains("group 0 block bitmap (block " + made.geometry().blockBitmapBlock(0) + "): bad checksum");
    }

    @Test
    void aDamagedSuperblockIsStillShown() throws IOException {
        flipByte(130); // inside the label
        InspectRun run = InspectRun.of("inspect", image.toString(), "superblock");

        assertThat(run.exitCode()).isEqualTo(4);
        assertThat(run.out()).contains("block size: 4096").contains("superblock (block 0): bad checksum");
    }

    @Test
    void aDamagedInodeIsNamed() throws IOException {
        Geometry g = made.geometry();
        flipByte(g.inodeBlock(16) * 4096 + g.inodeOffset(16) + 20); // inside inode 16's size
        InspectRun run = InspectRun.of("inspect", image.toString(), "inode", "16");

        assertThat(run.exitCode()).isEqualTo(4);
        assertThat(run.out()).contains("inode table block " + g.inodeBlock(16) + ": bad checksum")
                .contains("inode 16: ");
    }

    @Test
    void whatIsNotQuillfsCannotBeInspected() throws IOException {
        Path zeros = Files.write(dir.resolve("zeros.img"), new byte[1 << 20]);
        InspectRun run = InspectRun.of("inspect", zeros.toString());
        assertThat(run.exitCode()).isEqualTo(8);
        assertThat(run.err().strip()).isEqualTo("quillfs: " + zeros + " is not a quillfs filesystem (no quillfs superblock in block 0)");

        InspectRun missing = InspectRun.of("inspect", dir.resolve("missing.img").toString());
        assertThat(missing.exitCode()).isEqualTo(8);
        assertThat(missing.err()).contains("missing.img does not exist");
    }

    @Test
    void badSectionsAreUsageErrors() {
        assertThat(InspectRun.of("inspect", image.toString(), "bitmaps").err())
                .contains("unknown section 'bitmaps': use superblock, groups, inode N or journal");
        assertThat(InspectRun.of("inspect", image.toString(), "inode").exitCode()).isEqualTo(16);
        assertThat(InspectRun.of("inspect", image.toString(), "inode", "x").err()).contains("inode number 'x' is not a number");
        InspectRun zero = InspectRun.of("inspect", image.toString(), "inode", "0");
        assertThat(zero.exitCode()).isEqualTo(16);
        assertThat(zero.err()).contains("inode 0 does not exist");
        assertThat(InspectRun.of().exitCode()).isEqualTo(16);
        assertThat(InspectRun.of("inspect").exitCode()).isEqualTo(16);
    }

    private void flipByte(long offset) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.seek(offset);
            int b = file.read();
            file.seek(offset);
            file.write(b ^ 0x5a);
        }
    }
}
