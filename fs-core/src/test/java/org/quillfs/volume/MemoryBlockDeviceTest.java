package org.quillfs.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class MemoryBlockDeviceTest extends BlockDeviceContract {

    @Override
    BlockDevice newDevice() {
        return new MemoryBlockDevice("memory", BLOCK, BLOCKS);
    }

    @Test
    void aHugeDeviceCostsOnlyWhatIsWritten() {
        MemoryBlockDevice device = new MemoryBlockDevice("1 TiB", 4096, 1L << 28);
        device.write((1L << 28) - 1, ByteBuffer.allocate(4096));
        device.write(0, ByteBuffer.allocate(4096));
        assertThat(device.blocksHeld()).isEqualTo(2);
    }

    @Test
    void aCopyHoldsTheSameBlocksAndNothingElse() {
        MemoryBlockDevice device = new MemoryBlockDevice("memory", BLOCK, BLOCKS);
        byte[] data = random(2 * BLOCK, 5);
        device.write(30, ByteBuffer.wrap(data));

        MemoryBlockDevice copy = device.copy("copy");

        assertThat(copy.name()).isEqualTo("copy");
        assertThat(copy.blockSize()).isEqualTo(BLOCK);
        assertThat(copy.blockCount()).isEqualTo(BLOCKS);
        assertThat(copy.blocksHeld()).isEqualTo(2);
        ByteBuffer read = ByteBuffer.allocate(2 * BLOCK);
        copy.read(30, read);
        assertThat(read.array()).isEqualTo(data);
    }

    @Test
    void aCopyAndItsOriginalChangeIndependently() {
        MemoryBlockDevice device = new MemoryBlockDevice("memory", BLOCK, BLOCKS);
        byte[] data = random(BLOCK, 6);
        device.write(3, ByteBuffer.wrap(data));
        MemoryBlockDevice copy = device.copy("copy");

        device.write(3, ByteBuffer.allocate(BLOCK));
        copy.write(4, ByteBuffer.wrap(data));

        ByteBuffer read = ByteBuffer.allocate(BLOCK);
        copy.read(3, read);
        assertThat(read.array()).isEqualTo(data);
        assertThat(device.blocksHeld()).isEqualTo(1);
    }

    @Test
    void aClosedDeviceRefusesIo() {
        MemoryBlockDevice device = new MemoryBlockDevice("memory", BLOCK, BLOCKS);
        device.close();
        assertThatThrownBy(() -> device.read(0, ByteBuffer.allocate(BLOCK)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }
}
