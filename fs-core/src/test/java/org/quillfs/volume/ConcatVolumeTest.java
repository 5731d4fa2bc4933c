package org.quillfs.volume;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConcatVolumeTest extends BlockDeviceContract {

    /** Members of 10, 30 and 24 blocks: the contract's 64 blocks. */
    @Override
    BlockDevice newDevice() {
        return new ConcatVolume("concat", members(new CountingBlockDevice[3]));
    }

    private static List<BlockDevice> members(CountingBlockDevice[] counted) {
        long[] sizes = {10, 30, 24};
        List<BlockDevice> members = new ArrayList<>();
        for (int m = 0; m < sizes.length; m++) {
            counted[m] = new CountingBlockDevice(new MemoryBlockDevice("member" + m, BLOCK, sizes[m]));
            members.add(counted[m]);
        }
        return members;
    }

    @Test
    void blocksFollowTheMembersInSequence() {
        CountingBlockDevice[] counted = new CountingBlockDevice[3];
        try (ConcatVolume volume = new ConcatVolume("concat", members(counted))) {
            for (long i = 0; i < 64; i++) {
                volume.write(i, ByteBuffer.wrap(random(BLOCK, i)));
            }
            long[][] expected = {{0, 0, 0}, {9, 0, 9}, {10, 1, 0}, {39, 1, 29}, {40, 2, 0}, {63, 2, 23}};
            for (long[] e : expected) {
                ByteBuffer onMember = ByteBuffer.allocate(BLOCK);
                counted[(int) e[1]].read(e[2], onMember);
                assertThat(onMember.array()).as("volume block %d", e[0]).isEqualTo(random(BLOCK, e[0]));
            }
        }
    }

    @Test
    void aRequestAcrossEveryMemberIsOneCallPerMember() {
        CountingBlockDevice[] counted = new CountingBlockDevice[3];
        try (ConcatVolume volume = new ConcatVolume("concat", members(counted))) {
            byte[] data = random(60 * BLOCK, 3);
            volume.write(2, ByteBuffer.wrap(data));
            ByteBuffer back = ByteBuffer.allocate(60 * BLOCK);
            volume.read(2, back);
            assertThat(back.array()).isEqualTo(data);
            for (CountingBlockDevice member : counted) {
                assertThat(member.writes.get()).isEqualTo(1);
                assertThat(member.reads.get()).isEqualTo(1);
            }
        }
    }
}
