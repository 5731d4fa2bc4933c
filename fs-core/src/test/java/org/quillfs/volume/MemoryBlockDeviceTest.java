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
    void aClosedDeviceRefusesIo() {
        MemoryBlockDevice device = new MemoryBlockDevice("memory", BLOCK, BLOCKS);
        device.close();
        assertThatThrownBy(() -> device.read(0, ByteBuffer.allocate(BLOCK)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }
}
