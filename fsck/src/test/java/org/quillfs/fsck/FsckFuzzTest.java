package org.quillfs.fsck;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.quillfs.format.BlockHeader;
import org.quillfs.fs.FsOptions;
import org.quillfs.volume.BlockDevice;

/**
 * Random damage to the metadata of a populated image — bit flips, and whole blocks overwritten
 * with noise, zeros or another metadata block — then {@code fsck -fy} twice: fsck never fails
 * with an internal error, the second run finds nothing (exit 0), and the filesystem then opens
 * and every file reads. {@code -Dquillfs.fuzz.cases=N} sets how many cases (default 2,000), {@code -Dquillfs.fuzz.seed=S} which.
 * On a striped volume of two members the same runs a quarter as many cases.
 */
class FsckFuzzTest {

    private static final int BLOCK_SIZE = 1024;
    private static final int CASES = Integer.getInteger("quillfs.fuzz.cases", 2000);
    private static final long SEED = Long.getLong("quillfs.fuzz.seed", 20261123L);

    private static FileSystem memory;

    @BeforeAll
    static void makeFileSystem() {
        memory = Jimfs.newFileSystem(Configuration.unix());
    }

    /** A populated filesystem on {@code devices}: its device, and where its metadata blocks are. */
    private record Image(TestDevices.Made made, byte[] bytes, List<Long> metadata) {
    }

    private static Image makeImage(TestDevices devices) {
        TestDevices.Made made = TestImages.format(devices, BLOCK_SIZE, 10L << 20);
        BlockDevice device = made.device();
        org.quillfs.fs.FileSystem fs = org.quillfs.fs.FileSystem.open(device, FsOptions.defaults());
        TestImages.populate(fs, BLOCK_SIZE);
        fs.close();
        ByteBuffer all = ByteBuffer.allocate((int) (device.blockCount() * BLOCK_SIZE));
        device.read(0, all);
        byte[] image = all.array();
        List<Long> metadata = new ArrayList<>();
        for (long b = 0; b < device.blockCount(); b++) {
            ByteBuffer block = ByteBuffer.wrap(image, (int) b * BLOCK_SIZE, BLOCK_SIZE).slice();
            if (BlockHeader.magic(block) == BlockHeader.MAGIC) {
                metadata.add(b);
            }
        }
        return new Image(made, image, metadata);
    }

    @AfterAll
    static void close() throws Exception {
        memory.close();
    }

    @ParameterizedTest
    @EnumSource(TestDevices.class)
    void fsckSurvivesRandomDamageAndLeavesAFilesystemThatChecksCleanAndReads(TestDevices devices) throws Exception {
        Image image = makeImage(devices);
        int cases = devices == TestDevices.SINGLE ? CASES : CASES / 4;
        Random random = new Random(SEED);
        int unreadable = 0;
        for (int n = 0; n < cases; n++) {
            byte[] damaged = image.bytes().clone();
            String what = damage(damaged, image.metadata(), random);
            image.made().device().write(0, ByteBuffer.wrap(damaged));
            List<Path> file = image.made().save(memory.getPath("/case-" + n + ".img"));
            FsckRun look = FsckRun.direct(file, Questions.Mode.NO, null);
            assertThat(look.exitCode()).as("case %d (%s), -n: %s", n, what, look).isIn(0, 4, 8);
            assertThat(TestDevices.readAll(file)).as("case %d (%s): -n changed the image", n, what).isEqualTo(damaged);
            if (n % 4 == 1) { // some answers yes, some no: whatever is left, -y then repairs
                Random answers = new Random(n);
                FsckRun mixed = FsckRun.direct(file, Questions.Mode.ASK, () -> answers.nextBoolean() ? "y" : "n");
                assertThat(mixed.exitCode()).as("case %d (%s), mixed answers: %s", n, what, mixed).isIn(0, 1, 4, 5, 8);
            }
            FsckRun first = FsckRun.direct(file, Questions.Mode.YES, null);
            assertThat(first.err()).as("case %d (%s): %s", n, what, first).doesNotContain("internal error");
            if (first.exitCode() == Fsck.OPERATIONAL) {
                unreadable++;
                if (unreadable <= 3) {
                    System.out.println("unreadable case " + n + " (" + what + "): " + first);
                }
                delete(file);
                continue;
            }
            assertThat(first.exitCode()).as("case %d (%s): %s", n, what, first).isIn(0, 1);
            FsckRun second = FsckRun.direct(file, Questions.Mode.YES, null);
            assertThat(second.exitCode()).as("case %d (%s): second run %s\nfirst run %s", n, what, second, first)
                    .isZero();
            TreeReader.readEverything(TestDevices.readAll(file), BLOCK_SIZE);
            delete(file);
        }
        assertThat(unreadable).as("images fsck could not read at all").isLessThan(cases / 10 + 1);
    }

    private static void delete(List<Path> files) throws java.io.IOException {
        for (Path file : files) {
            Files.delete(file);
        }
    }

    /** Damages {@code bytes} at random; returns what was done. */
    private static String damage(byte[] bytes, List<Long> metadata, Random random) {
        StringBuilder what = new StringBuilder();
        int hits = 1 + random.nextInt(3);
        for (int h = 0; h < hits; h++) {
            long block = metadata.get(random.nextInt(metadata.size()));
            int base = (int) block * BLOCK_SIZE;
            switch (random.nextInt(6)) {
                case 0, 1, 2 -> {
                    int flips = 1 + random.nextInt(8);
                    for (int f = 0; f < flips; f++) {
                        int at = base + random.nextInt(BLOCK_SIZE);
                        bytes[at] ^= (byte) (1 << random.nextInt(8));
                    }
                    what.append("flip ").append(flips).append(" bits in ").append(block).append("; ");
                }
                case 3 -> {
                    byte[] noise = new byte[BLOCK_SIZE];
                    random.nextBytes(noise);
                    System.arraycopy(noise, 0, bytes, base, BLOCK_SIZE);
                    what.append("noise over ").append(block).append("; ");
                }
                case 4 -> {
                    java.util.Arrays.fill(bytes, base, base + BLOCK_SIZE, (byte) 0);
                    what.append("zeros over ").append(block).append("; ");
                }
                default -> {
                    long other = metadata.get(random.nextInt(metadata.size()));
                    System.arraycopy(bytes, (int) other * BLOCK_SIZE, bytes, base, BLOCK_SIZE);
                    what.append("block ").append(other).append(" copied over ").append(block).append("; ");
                }
            }
        }
        return what.toString();
    }
}
