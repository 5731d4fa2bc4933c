package org.quillfs.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBlockDeviceTest {

    @Nested
    class OnARealFile extends BlockDeviceContract {
        @TempDir
        Path dir;

        @Override
        BlockDevice newDevice() throws Exception {
            Path image = dir.resolve("image");
            try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
                file.setLength(BLOCK * BLOCKS); // sparse
            }
            return FileBlockDevice.open(image, BLOCK, true);
        }
    }

    @Nested
    class OnAFileInJimfs extends BlockDeviceContract {
        @Override
        BlockDevice newDevice() throws Exception {
            FileSystem jimfs = Jimfs.newFileSystem(Configuration.unix());
            Path image = jimfs.getPath("/image");
            Files.write(image, new byte[BLOCK * (int) BLOCKS]);
            return FileBlockDevice.open(image, BLOCK, true);
        }
    }

    @TempDir
    Path dir;

    @Test
    void dataSurvivesCloseAndReopen() throws Exception {
        Path image = Files.write(dir.resolve("image"), new byte[8192]);
        byte[] data = BlockDeviceContract.random(4096, 9);
        try (BlockDevice device = FileBlockDevice.open(image, 4096, true)) {
            device.write(1, ByteBuffer.wrap(data));
            device.flush();
        }
        assertThat(Files.readAllBytes(image)).endsWith(data);
    }

    @Test
    void aDeviceCanCoverOnlyTheStartOfTheFile() throws Exception {
        Path image = Files.write(dir.resolve("image"), new byte[10 * 1024]);
        try (BlockDevice device = FileBlockDevice.open(image, 1024, false, 4)) {
            assertThat(device.blockCount()).isEqualTo(4);
        }
        assertThatThrownBy(() -> FileBlockDevice.open(image, 1024, false, 11))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds 10 blocks");
    }

    @Test
    void aMissingFileIsAnErrorNamingIt() {
        Path missing = dir.resolve("missing.img");
        assertThatThrownBy(() -> FileBlockDevice.open(missing, 4096, false))
                .isInstanceOf(VolumeIOException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("cannot open");
    }

    @Test
    void writingToAReadOnlyDeviceFailsNamingDeviceAndBlock() throws Exception {
        Path image = Files.write(dir.resolve("image"), new byte[8192]);
        try (BlockDevice device = FileBlockDevice.open(image, 4096, false)) {
            assertThatThrownBy(() -> device.write(1, ByteBuffer.allocate(4096)))
                    .isInstanceOf(VolumeIOException.class)
                    .hasMessageContaining(image + ": write failed at block 1");
        }
    }
}
