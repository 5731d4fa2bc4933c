package org.quillfs.fsck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quillfs.fs.FileSystem;
import org.quillfs.fs.FsOptions;
import org.quillfs.volume.MemoryBlockDevice;

/** A filesystem made through the facade, with every kind of inode, checks clean at both ends of the block sizes. */
class FsckSmokeTest {

    @TempDir Path tmp;

    @Test
    void aFilesystemMadeThroughTheFacadeChecksClean() throws Exception {
        for (int blockSize : new int[] {1024, 4096}) {
            MemoryBlockDevice device = TestImages.format(blockSize, 12L << 20);
            FileSystem fs = FileSystem.open(device, FsOptions.defaults());
            TestImages.populate(fs, blockSize);
            fs.close();
            Path image = tmp.resolve("img-" + blockSize);
            TestImages.save(device, image);
            FsckRun run = FsckRun.of(image, "-fn");
            assertThat(run.exitCode()).as(run.toString()).isZero();
            FsckRun fix = FsckRun.of(image, "-fy");
            assertThat(fix.exitCode()).as(fix.toString()).isZero();
            FsckRun skip = FsckRun.of(image, "-y");
            assertThat(skip.exitCode()).as(skip.toString()).isZero();
        }
    }
}
