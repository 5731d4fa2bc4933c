package org.quillfs.volume;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Whatever is written through a volume reads back as written, as on a single device. */
class StripedVolumePropertyTest {

    private static final int BLOCK = 512;

    @Property(tries = 300)
    void stripedWritesReadBackAsOnOneDevice(@ForAll @IntRange(min = 1, max = 5) int members,
            @ForAll @IntRange(min = 1, max = 9) int unit, @ForAll @LongRange(min = 0, max = 1L << 40) long seed) {
        List<BlockDevice> devices = new ArrayList<>();
        for (int m = 0; m < members; m++) {
            devices.add(new MemoryBlockDevice("m" + m, BLOCK, 4L * unit + m));
        }
        try (StripedVolume volume = new StripedVolume("stripe", devices, unit)) {
            checkAgainstOneDevice(volume, new Random(seed));
        }
    }

    @Property(tries = 100)
    void concatenatedWritesReadBackAsOnOneDevice(@ForAll @IntRange(min = 1, max = 5) int members,
            @ForAll @LongRange(min = 0, max = 1L << 40) long seed) {
        Random random = new Random(seed);
        List<BlockDevice> devices = new ArrayList<>();
        for (int m = 0; m < members; m++) {
            devices.add(new MemoryBlockDevice("m" + m, BLOCK, 1 + random.nextInt(12)));
        }
        try (ConcatVolume volume = new ConcatVolume("concat", devices)) {
            checkAgainstOneDevice(volume, random);
        }
    }

    /** Random writes and reads at random offsets and lengths, cut into random buffers, against a model device. */
    private static void checkAgainstOneDevice(BlockDevice volume, Random random) {
        MemoryBlockDevice model = new MemoryBlockDevice("model", BLOCK, volume.blockCount());
        for (int op = 0; op < 20; op++) {
            long first = random.nextInt((int) volume.blockCount());
            int blocks = 1 + random.nextInt((int) (volume.blockCount() - first));
            if (random.nextBoolean()) {
                byte[] data = new byte[blocks * BLOCK];
                random.nextBytes(data);
                ByteBuffer[] pieces = cut(data, random);
                volume.write(first, pieces);
                for (ByteBuffer piece : pieces) {
                    assertThat(piece.hasRemaining()).isFalse();
                }
                model.write(first, ByteBuffer.wrap(data));
            } else {
                byte[] read = new byte[blocks * BLOCK];
                volume.read(first, cut(read, random));
                ByteBuffer expected = ByteBuffer.allocate(blocks * BLOCK);
                model.read(first, expected);
                assertThat(read).isEqualTo(expected.array());
            }
        }
        ByteBuffer all = ByteBuffer.allocate((int) volume.blockCount() * BLOCK);
        ByteBuffer expected = ByteBuffer.allocate((int) volume.blockCount() * BLOCK);
        volume.read(0, all);
        model.read(0, expected);
        assertThat(all.array()).isEqualTo(expected.array());
    }

    /** {@code data} as one to four buffers over it, at random edges, some maybe empty. */
    private static ByteBuffer[] cut(byte[] data, Random random) {
        int pieces = 1 + random.nextInt(4);
        int[] edges = new int[pieces + 1];
        edges[pieces] = data.length;
        for (int i = 1; i < pieces; i++) {
            edges[i] = random.nextInt(data.length + 1);
        }
        java.util.Arrays.sort(edges);
        ByteBuffer[] buffers = new ByteBuffer[pieces];
        for (int i = 0; i < pieces; i++) {
            buffers[i] = ByteBuffer.wrap(data, edges[i], edges[i + 1] - edges[i]);
        }
        return buffers;
    }
}
