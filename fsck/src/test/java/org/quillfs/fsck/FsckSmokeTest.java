package org.quillfs.fsck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.FsOptions;

/**
 * A filesystem made through the facade, with every kind of inode, checks clean at both ends of
 * the block sizes, on one device and on a striped volume.
 */
class FsckSmokeTest {

    @TempDir Path tmp;

    @ParameterizedTest
    @EnumSource(TestDevices.class)
    void aFilesystemMadeThroughTheFacadeChecksClean(TestDevices devices) throws Exception {
        for (int blockSize : new int[] {1024, 4096}) {
            TestDevices.Made made = TestImages.format(devices, blockSize, 12L << 20);
            FileSystem fs = FileSystem.open(made.device(), FsOptions.defaults());
            TestImages.populate(fs, blockSize);
            fs.close();
            List<Path> image = made.save(tmp.resolve("img-" + blockSize));
            FsckRun run = FsckRun.of(image, "-fn");
            assertThat(run.exitCode()).as(run.toString()).isZero();
            FsckRun fix = FsckRun.of(image, "-fy");
            assertThat(fix.exitCode()).as(fix.toString()).isZero();
            FsckRun skip = FsckRun.of(image, "-y");
            assertThat(skip.exitCode()).as(skip.toString()).isZero();
        }
    }
}
