package org.quillfs.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StripedVolumeTest extends BlockDeviceContract {

    /** Four members of 16 blocks in units of 4 blocks: the contract's 64 blocks. */
    @Override
    BlockDevice newDevice() {
        return new StripedVolume("stripe", memoryMembers(4, 16), 4);
    }

    static List<BlockDevice> memoryMembers(int n, long blocks) {
        List<BlockDevice> members = new ArrayList<>();
        for (int m = 0; m < n; m++) {
            members.add(new MemoryBlockDevice("member" + m, BLOCK, blocks));
        }
        return members;
    }

    @Test
    void everyBlockLivesWhereTheFormulaPutsIt() {
        for (int n = 1; n <= 5; n++) {
            for (int u = 1; u <= 7; u++) {
                List<BlockDevice> members = memoryMembers(n, 4L * u - 1);
                try (StripedVolume volume = new StripedVolume("stripe", members, u)) {
                    assertThat(volume.blockCount()).isEqualTo(3L * u * n);
                    for (long i = 0; i < volume.blockCount(); i++) {
                        int member = (int) ((i / u) % n);
                        long stripe = i / ((long) n * u);
                        long memberBlock = stripe * u + i % u;
                        assertThat(volume.locate(i)).isEqualTo(new StripedVolume.Location(member, memberBlock));
                        volume.write(i, ByteBuffer.wrap(random(BLOCK, i)));
                        ByteBuffer onMember = ByteBuffer.allocate(BLOCK);
                        members.get(member).read(memberBlock, onMember);
                        assertThat(onMember.array()).as("block %d with u=%d n=%d", i, u, n).isEqualTo(random(BLOCK, i));
                    }
                }
            }
        }
    }

    @Test
    void capacityIsTheSmallestMemberTimesTheMembersInWholeStripes() {
        List<BlockDevice> members = List.of(new MemoryBlockDevice("a", BLOCK, 23), new MemoryBlockDevice("b", BLOCK, 17),
                new MemoryBlockDevice("c", BLOCK, 40));
        try (StripedVolume volume = new StripedVolume("stripe", members, 4)) {
            assertThat(volume.blockCount()).isEqualTo(3 * 16);
        }
        assertThat(VolumeMembers.capacity(Layout.STRIPE, 4, 24, 18, 41)).isEqualTo(3 * 16);
    }

    @Test
    void aRequestOverSeveralStripesIsOneCallPerMember() {
        List<CountingBlockDevice> counted = new ArrayList<>();
        for (BlockDevice member : memoryMembers(4, 16)) {
            counted.add(new CountingBlockDevice(member));
        }
        try (StripedVolume volume = new StripedVolume("stripe", List.copyOf(counted), 4)) {
            // Blocks 3..40: part of a unit, then nine whole units and part of one more, over all four members.
            byte[] data = random(38 * BLOCK, 11);
            volume.write(3, ByteBuffer.wrap(data, 0, 1000), ByteBuffer.wrap(data, 1000, 38 * BLOCK - 1000));
            ByteBuffer back = ByteBuffer.allocate(38 * BLOCK);
            volume.read(3, back);
            volume.flush();

            assertThat(back.array()).isEqualTo(data);
            for (CountingBlockDevice member : counted) {
                assertThat(member.writes.get()).as(member.name() + " writes").isEqualTo(1);
                assertThat(member.reads.get()).as(member.name() + " reads").isEqualTo(1);
                assertThat(member.flushes.get()).as(member.name() + " flushes").isEqualTo(1);
            }
        }
    }

    @Test
    void aRequestWithinOneUnitTouchesOneMember() {
        List<CountingBlockDevice> counted = new ArrayList<>();
        for (BlockDevice member : memoryMembers(4, 16)) {
            counted.add(new CountingBlockDevice(member));
        }
        try (StripedVolume volume = new StripedVolume("stripe", List.copyOf(counted), 4)) {
            volume.write(21, ByteBuffer.allocate(3 * BLOCK));
            assertThat(counted).extracting(m -> m.writes.get()).containsExactly(0, 1, 0, 0);
        }
    }

    @Test
    void membersServeTheirSharesAtTheSameTime() {
        CyclicBarrier allFour = new CyclicBarrier(4);
        List<BlockDevice> members = new ArrayList<>();
        for (BlockDevice member : memoryMembers(4, 16)) {
            members.add(new CountingBlockDevice(member) {
                @Override
                public void write(long firstBlock, ByteBuffer... srcs) {
                    try {
                        // Each member waits for the other three: only concurrent shares get past.
                        allFour.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException("the members were not written at the same time", e);
                    }
                    super.write(firstBlock, srcs);
                }
            });
        }
        try (StripedVolume volume = new StripedVolume("stripe", members, 4)) {
            volume.write(0, ByteBuffer.allocate(16 * BLOCK));
        }
    }

    @Test
    void aMemberFailureReachesTheCallerNamingTheMember() {
        List<BlockDevice> members = memoryMembers(2, 16);
        members.get(1).close();
        try (StripedVolume volume = new StripedVolume("stripe", members, 4)) {
            assertThatThrownBy(() -> volume.read(0, ByteBuffer.allocate(8 * BLOCK)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("member1");
        }
    }

    @Test
    void membersWithoutAWholeUnitAreRefused() {
        assertThatThrownBy(() -> new StripedVolume("stripe", memoryMembers(2, 3), 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no whole stripe unit");
    }
}
