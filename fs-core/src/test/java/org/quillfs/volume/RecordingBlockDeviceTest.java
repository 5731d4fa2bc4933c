package org.quillfs.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.quillfs.volume.DeviceEvent.Flush;
import org.quillfs.volume.DeviceEvent.Write;

/** The recording device passes every transfer through (the contract) and records writes and flushes. */
class RecordingBlockDeviceTest extends BlockDeviceContract {

    /** How many blocks each write of the many-threads test covers. */
    static final int STAMPED_BLOCKS = 32;

    final MemoryBlockDevice live = new MemoryBlockDevice("disk", BLOCK, BLOCKS);

    @Override
    BlockDevice newDevice() {
        return new RecordingBlockDevice(live);
    }

    @Test
    void writesAndFlushesAreRecordedInTheOrderTheyHappen() {
        RecordingBlockDevice recorder = new RecordingBlockDevice(live);
        byte[] a = random(BLOCK, 1);
        byte[] b = random(2 * BLOCK, 2);
        byte[] c = random(BLOCK, 3);

        recorder.write(3, ByteBuffer.wrap(a));
        recorder.flush();
        recorder.write(0, ByteBuffer.wrap(b));
        recorder.flush();
        recorder.write(3, ByteBuffer.wrap(c));

        assertThat(recorder.events()).containsExactly(
                new Write(3, a), new Flush(), new Write(0, b), new Flush(), new Write(3, c));
        assertThat(recorder.writes()).isEqualTo(3);
        assertThat(recorder.flushes()).isEqualTo(2);
        assertThat(((Write) recorder.events().get(2)).blocks(BLOCK)).isEqualTo(2);
    }

    @Test
    void aVectoredWriteIsRecordedAsOneWriteOfItsWholeBlocks() {
        RecordingBlockDevice recorder = new RecordingBlockDevice(live);
        byte[] data = random(3 * BLOCK, 4);

        recorder.write(5, ByteBuffer.wrap(data, 0, 100), ByteBuffer.wrap(data, 100, 3 * BLOCK - 100));

        assertThat(recorder.events()).containsExactly(new Write(5, data));
    }

    @Test
    void theRecordingKeepsItsOwnCopyOfTheBytesWritten() {
        RecordingBlockDevice recorder = new RecordingBlockDevice(live);
        byte[] data = random(BLOCK, 5);
        byte[] original = data.clone();

        recorder.write(1, ByteBuffer.wrap(data));
        Arrays.fill(data, (byte) 0);

        assertThat(((Write) recorder.events().get(0)).data()).isEqualTo(original);
    }

    @Test
    void eventsAreASnapshotThatNobodyCanChange() {
        RecordingBlockDevice recorder = new RecordingBlockDevice(live);
        recorder.write(0, ByteBuffer.wrap(random(BLOCK, 6)));
        List<DeviceEvent> before = recorder.events();

        recorder.flush();

        assertThat(before).hasSize(1);
        assertThatThrownBy(() -> before.add(new Flush())).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void refusedTransfersAreNotRecorded() {
        RecordingBlockDevice recorder = new RecordingBlockDevice(live);

        assertThatThrownBy(() -> recorder.write(BLOCKS, ByteBuffer.allocate(BLOCK)))
                .isInstanceOf(IllegalArgumentException.class);
        live.close();
        assertThatThrownBy(recorder::flush).isInstanceOf(IllegalStateException.class);

        assertThat(recorder.events()).isEmpty();
    }

    @Test
    void theInitialImageIsTheDeviceAsItWasWhenRecordingStarted() {
        byte[] before = random(BLOCK, 7);
        live.write(2, ByteBuffer.wrap(before));
        RecordingBlockDevice recorder = new RecordingBlockDevice(live);

        recorder.write(2, ByteBuffer.wrap(random(BLOCK, 8)));
        MemoryBlockDevice image = recorder.initialImage();
        image.write(2, ByteBuffer.wrap(random(BLOCK, 9)));

        assertThat(ExpectedBlocks.read(recorder.initialImage(), 2)).isEqualTo(before);
        assertThat(recorder.initialImage().blocksHeld()).isEqualTo(1);
    }

    @Test
    void writesFromManyThreadsAreAllRecordedInTheOrderTheyReachedTheDevice() throws Exception {
        int threads = 8;
        int rounds = 1000;
        RecordingBlockDevice recorder = new RecordingBlockDevice(live);
        // In each round every thread writes blocks 0..31 (long writes overlap if they can); once all
        // have, the blocks must hold the last write recorded.
        List<Integer> roundsOutOfOrder = new ArrayList<>();
        CyclicBarrier roundEnd = new CyclicBarrier(threads, () -> {
            List<DeviceEvent> events = recorder.events();
            byte[] last = ((Write) events.get(events.size() - 1)).data();
            ByteBuffer held = ByteBuffer.allocate(STAMPED_BLOCKS * BLOCK);
            live.read(0, held);
            if (!Arrays.equals(held.array(), last)) {
                roundsOutOfOrder.add(recorder.writes() / threads - 1);
            }
        });
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int round = 0; round < rounds; round++) {
                        if (round % 50 == 49) {
                            recorder.flush();
                        }
                        recorder.write(0, ByteBuffer.wrap(stamped(thread, round)));
                        roundEnd.await();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(roundsOutOfOrder).isEmpty();
        assertThat(recorder.writes()).isEqualTo(threads * rounds);
        assertThat(recorder.flushes()).isEqualTo(threads * (rounds / 50));
        int[] nextOfThread = new int[threads];
        for (DeviceEvent event : recorder.events()) {
            if (event instanceof Write write) {
                ByteBuffer stamp = ByteBuffer.wrap(write.data());
                int thread = stamp.getInt();
                assertThat(stamp.getInt()).as("next write of thread %d", thread).isEqualTo(nextOfThread[thread]++);
            }
        }
        assertThat(nextOfThread).containsOnly(rounds);
    }

    /** Blocks whose first bytes say which thread wrote them, and in which round. */
    private static byte[] stamped(int thread, int round) {
        byte[] data = random(STAMPED_BLOCKS * BLOCK, thread * 10_000L + round);
        ByteBuffer.wrap(data).putInt(thread).putInt(round);
        return data;
    }
}
