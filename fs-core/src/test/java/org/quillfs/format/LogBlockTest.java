package org.quillfs.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class LogBlockTest {

    static final UUID UUID_1 = UUID.fromString("11111111-2222-4333-8444-555555555555");

    @Property(tries = 200)
    void aLogBlockRoundTripsItsPayloadAndStamps(@ForAll @IntRange(min = 10, max = 16) int log2, @ForAll long seed) {
        int blockSize = 1 << log2;
        Random random = new Random(seed);
        byte[] payload = new byte[1 + random.nextInt(LogBlock.payloadSize(blockSize))];
        random.nextBytes(payload);
        long sequence = random.nextLong() >>> 1;
        long logId = random.nextLong();
        ByteBuffer block = ByteBuffer.allocate(blockSize);
        Arrays.fill(block.array(), (byte) 0x77);

        LogBlock.encode(block, 99, sequence, logId, 7, ByteBuffer.wrap(payload));
        BlockHeader.seal(block, UUID_1);

        assertThat(LogBlock.problem(block, UUID_1, 99, sequence, logId)).isEmpty();
        assertThat(LogBlock.sequence(block)).isEqualTo(sequence);
        assertThat(LogBlock.epoch(block)).isEqualTo(7);
        ByteBuffer read = LogBlock.payload(block);
        byte[] back = new byte[read.remaining()];
        read.get(back);
        assertThat(back).isEqualTo(payload);
        int rest = blockSize - LogBlock.HEADER_SIZE - payload.length; // 0 when the payload fills the block
        assertThat(Arrays.copyOfRange(block.array(), LogBlock.HEADER_SIZE + payload.length, blockSize))
                .isEqualTo(new byte[rest]);
    }

    @Test
    void aBlockOfAnotherLapAnotherLogOrAnotherPlaceIsNotPartOfTheLog() {
        ByteBuffer block = ByteBuffer.allocate(1024);
        LogBlock.encode(block, 50, 1000, 0xABCDL, 1, ByteBuffer.wrap(new byte[] {1}));
        BlockHeader.seal(block, UUID_1);

        assertThat(LogBlock.problem(block, UUID_1, 50, 1000 + 64, 0xABCDL)).hasValue("sequence 1000 where 1064 was expected");
        assertThat(LogBlock.problem(block, UUID_1, 50, 1000, 0xABCEL)).get().asString().startsWith("log id 000000000000abcd");
        assertThat(LogBlock.problem(block, UUID_1, 51, 1000, 0xABCDL)).get().asString().contains("block 50");
        assertThat(LogBlock.problem(block, UUID.randomUUID(), 50, 1000, 0xABCDL)).get().asString().contains("checksum");
    }

    @Test
    void aPayloadMustFit() {
        ByteBuffer block = ByteBuffer.allocate(1024);
        assertThatThrownBy(() -> LogBlock.encode(block, 1, 1, 1, 1, ByteBuffer.allocate(1024 - 47)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogBlock.encode(block, 1, 1, 1, 1, ByteBuffer.allocate(0)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
