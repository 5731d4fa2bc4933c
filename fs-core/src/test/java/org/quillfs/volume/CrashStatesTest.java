package org.quillfs.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quillfs.volume.BlockDeviceContract.random;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.quillfs.volume.DeviceEvent.Write;

/**
 * Crash states are checked against a run whose effects the test works out for itself:
 *
 * <pre>
 *   initial image: blocks 0..7
 *   write 1: block 0          window 0
 *   write 2: blocks 4..5
 *   flush 1
 *   write 3: blocks 4..5      window 1 (writes 3 and 4 overlap at block 5)
 *   write 4: blocks 5..6
 *   write 5: blocks 10..12
 *   flush 2                   window 2 is empty
 *   flush 3
 *   write 6: blocks 0..3      window 3
 *   write 7: block 20
 * </pre>
 */
class CrashStatesTest {

    static final int BLOCK = 1024;
    static final long BLOCKS = 32;
    /** Writes recorded before each flush (index 0: the start of the run), as the run above has them. */
    static final int[] WRITES_BEFORE_FLUSH = {0, 2, 5, 5};

    final MemoryBlockDevice live = new MemoryBlockDevice("disk", BLOCK, BLOCKS);
    final ExpectedBlocks initial = new ExpectedBlocks(BLOCK);
    /** The run's writes as the test made them, kept apart from the recording. */
    final List<Write> written = new ArrayList<>();
    RecordingBlockDevice recorder;
    CrashStates states;

    @BeforeEach
    void recordTheRun() {
        byte[] image = random(8 * BLOCK, 100);
        live.write(0, ByteBuffer.wrap(image));
        initial.write(0, image);
        recorder = new RecordingBlockDevice(live);
        write(0, 1);
        write(4, 2);
        recorder.flush();
        write(4, 2);
        write(5, 2);
        write(10, 3);
        recorder.flush();
        recorder.flush();
        write(0, 4);
        write(20, 1);
        states = new CrashStates(recorder);
    }

    private void write(long firstBlock, int blocks) {
        byte[] data = random(blocks * BLOCK, written.size() + 1);
        recorder.write(firstBlock, ByteBuffer.wrap(data));
        written.add(new Write(firstBlock, data));
    }

    private ExpectedBlocks expectedAfter(int writes) {
        ExpectedBlocks expected = initial.copy();
        written.subList(0, writes).forEach(w -> expected.write(w.firstBlock(), w.data()));
        return expected;
    }

    @Test
    void everyWritePrefixHoldsExactlyTheFirstWrites() {
        assertThat(states.writes()).isEqualTo(7);
        for (int n = 0; n <= 7; n++) {
            CrashState state = states.atWrite(n);
            expectedAfter(n).assertHeldBy(state.device(), state.name());
        }
    }

    @Test
    void everyFlushHoldsEveryWriteBeforeIt() {
        assertThat(states.flushes()).isEqualTo(3);
        for (int k = 0; k <= 3; k++) {
            CrashState state = states.atFlush(k);
            expectedAfter(WRITES_BEFORE_FLUSH[k]).assertHeldBy(state.device(), state.name());
        }
    }

    @Test
    void namesSayWhereTheCrashIs() {
        assertThat(states.atWrite(3).name()).isEqualTo("after write 3 of 7");
        assertThat(states.atFlush(1).name()).isEqualTo("after write 2 of 7 and flush 1 of 3");
        assertThat(states.atFlush(2).name()).isEqualTo("after write 5 of 7 and flushes 2,3 of 3");
        assertThat(states.reordered(1, new Random(3)).name()).matches(
                "after flush 1 of 3, then (none of writes 3\\.\\.5|[3-5](,[3-5])* of writes 3\\.\\.5, in that order)");
        assertThat(states.reordered(2, new Random(3)).name()).isEqualTo("after flush 2 of 3, then none of an empty window");
        assertThat(states.reordered(0, new Random(3)).name()).startsWith("from the start, then ");
        assertThat(states.torn(7, new Random(3)).name()).matches("after write 7 of 7 \\(block 20 torn: sectors [01] of 2 new\\)");
        assertThat(states.atWrite(7).device().name()).isEqualTo("disk after write 7 of 7");
    }

    @Test
    void reorderedStatesKeepFlushedWritesAndHoldOnlyValuesWrittenInTheWindow() {
        // Distinct outcomes a window can have: window 1 has 10, counting write 4 landing before write 3.
        int[] outcomes = {4, 10, 1, 4};
        for (int k = 0; k <= 3; k++) {
            ExpectedBlocks before = expectedAfter(WRITES_BEFORE_FLUSH[k]);
            List<Write> window = written.subList(WRITES_BEFORE_FLUSH[k], k < 3 ? WRITES_BEFORE_FLUSH[k + 1] : 7);
            Set<ByteBuffer> seen = new HashSet<>();
            Random random = new Random(k);
            for (int i = 0; i < 300; i++) {
                CrashState state = states.reordered(k, random);
                MemoryBlockDevice device = state.device();
                for (long block = 0; block < BLOCKS; block++) {
                    Set<ByteBuffer> allowed = valuesWrittenTo(block, window);
                    allowed.add(ByteBuffer.wrap(before.block(block)));
                    assertThat(ByteBuffer.wrap(ExpectedBlocks.read(device, block)))
                            .as("%s: block %d", state.name(), block).isIn(allowed);
                }
                seen.add(contents(device));
            }
            assertThat(seen).as("distinct outcomes of window %d", k).hasSize(outcomes[k]);
        }
    }

    @Test
    void aLaterWriteInTheWindowCanLandBeforeAnEarlierOne() {
        Write third = written.get(2);
        Write fourth = written.get(3);
        boolean seen = false;
        Random random = new Random(1);
        for (int i = 0; i < 100 && !seen; i++) {
            MemoryBlockDevice device = states.reordered(1, random).device();
            // Block 5 holds write 3's second block although write 4, which overwrote it, landed: block 6.
            seen = ByteBuffer.wrap(ExpectedBlocks.read(device, 5)).equals(ByteBuffer.wrap(third.data(), BLOCK, BLOCK))
                    && ByteBuffer.wrap(ExpectedBlocks.read(device, 6)).equals(ByteBuffer.wrap(fourth.data(), BLOCK, BLOCK));
        }
        assertThat(seen).isTrue();
    }

    @Test
    void tornWritesMixOldAndNewSectorsAsTheirNamesSay() {
        int sector = CrashStates.SECTOR_SIZE;
        for (int n = 1; n <= 7; n++) {
            Write write = written.get(n - 1);
            byte[] old = new byte[write.data().length];
            ExpectedBlocks before = expectedAfter(n - 1);
            for (int b = 0; b < write.blocks(BLOCK); b++) {
                System.arraycopy(before.block(write.firstBlock() + b), 0, old, b * BLOCK, BLOCK);
            }
            int sectors = old.length / sector;
            Set<List<Integer>> patterns = new HashSet<>();
            Random random = new Random(n);
            for (int i = 0; i < 50; i++) {
                CrashState state = states.torn(n, random);
                MemoryBlockDevice device = state.device();
                byte[] landed = new byte[old.length];
                device.read(write.firstBlock(), ByteBuffer.wrap(landed));
                List<Integer> fresh = new ArrayList<>();
                for (int s = 0; s < sectors; s++) {
                    ByteBuffer got = ByteBuffer.wrap(landed, s * sector, sector);
                    if (got.equals(ByteBuffer.wrap(write.data(), s * sector, sector))) {
                        fresh.add(s);
                    } else {
                        assertThat(got).as("%s: sector %d", state.name(), s).isEqualTo(ByteBuffer.wrap(old, s * sector, sector));
                    }
                }
                assertThat(fresh).as(state.name()).isNotEmpty().hasSizeLessThan(sectors);
                assertThat(state.name()).contains("torn: sectors "
                        + fresh.stream().map(String::valueOf).collect(Collectors.joining(",")) + " of " + sectors + " new)");
                for (long block = 0; block < BLOCKS; block++) {
                    if (block < write.firstBlock() || block >= write.firstBlock() + write.blocks(BLOCK)) {
                        assertThat(ExpectedBlocks.read(device, block)).as("%s: block %d", state.name(), block)
                                .isEqualTo(before.block(block));
                    }
                }
                patterns.add(fresh);
            }
            assertThat(patterns).as("ways write %d tore", n).hasSizeGreaterThan(1);
        }
    }

    @Test
    void aWriteOfOneSectorCannotTear() {
        MemoryBlockDevice small = new MemoryBlockDevice("small", 512, 4);
        RecordingBlockDevice recording = new RecordingBlockDevice(small);
        byte[] data = random(512, 1);
        recording.write(2, ByteBuffer.wrap(data));

        CrashState state = new CrashStates(recording).torn(1, new Random(1));

        assertThat(state.name()).isEqualTo("after write 1 of 1 (block 2 torn: sectors 0 of 1 new)");
        assertThat(ExpectedBlocks.read(state.device(), 2)).isEqualTo(data);
    }

    @Test
    void allCrashPointsCoverEveryPrefixSomeReorderingsOfEachWindowAndEveryWriteTorn() {
        List<String> names = states.allCrashPoints(new Random(1), 3).stream().map(CrashState::name).toList();

        for (int n = 0; n <= 7; n++) {
            assertThat(names).contains(states.atWrite(n).name());
        }
        assertThat(names).filteredOn(name -> name.contains("and flush")).hasSize(2);
        // Windows 0, 1 and 3 hold two writes or more; window 2 is empty.
        assertThat(names).filteredOn(name -> name.startsWith("from the start, then")).hasSize(3);
        assertThat(names).filteredOn(name -> name.startsWith("after flush 1 of 3, then")).hasSize(3);
        assertThat(names).filteredOn(name -> name.startsWith("after flush 3 of 3, then")).hasSize(3);
        for (int n = 1; n <= 7; n++) {
            String during = "after write " + n + " of 7 (";
            assertThat(names).filteredOn(name -> name.startsWith(during)).singleElement().asString().contains("torn");
        }
        assertThat(names).hasSize(8 + 9 + 7);
    }

    @Test
    void everyCallBuildsAFreshDeviceAndLeavesTheRunAlone() {
        CrashState state = states.atWrite(7);
        MemoryBlockDevice first = state.device();
        first.write(0, ByteBuffer.wrap(random(BLOCK, 99)));

        expectedAfter(7).assertHeldBy(state.device(), state.name());
        initial.assertHeldBy(states.atWrite(0).device(), "the initial image");
    }

    @Test
    void writesRecordedLaterDoNotChangeTheStates() {
        recorder.write(0, ByteBuffer.wrap(random(BLOCK, 98)));

        assertThat(states.writes()).isEqualTo(7);
        expectedAfter(7).assertHeldBy(states.atWrite(7).device(), "after write 7");
    }

    @Test
    void aStateHoldsOnlyTheBlocksWrittenToIt() {
        MemoryBlockDevice huge = new MemoryBlockDevice("1 TiB", 4096, 1L << 28);
        huge.write(0, ByteBuffer.allocate(2 * 4096));
        RecordingBlockDevice recording = new RecordingBlockDevice(huge);
        recording.write((1L << 28) - 3, ByteBuffer.allocate(3 * 4096));

        CrashStates crashes = new CrashStates(recording);

        assertThat(crashes.atWrite(1).device().blocksHeld()).isEqualTo(5);
        assertThat(crashes.torn(1, new Random(1)).device().blocksHeld()).isEqualTo(5);
    }

    @Test
    void crashPointsOutsideTheRunAreRefused() {
        assertThatThrownBy(() -> states.atWrite(8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("write 8 is outside the run's 0..7");
        assertThatThrownBy(() -> states.atWrite(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> states.atFlush(4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("flush 4 is outside the run's 0..3");
        assertThatThrownBy(() -> states.reordered(4, new Random(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> states.torn(0, new Random(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("write 0 is outside the run's 1..7");
        assertThatThrownBy(() -> states.allCrashPoints(new Random(1), -1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** One step of a generated run: a write of {@code blocks} blocks of data made from {@code seed}, or a flush. */
    record Step(boolean flush, long firstBlock, int blocks, long seed) {
    }

    @Provide
    Arbitrary<List<Step>> runs() {
        Arbitrary<Step> writes = Combinators.combine(
                Arbitraries.longs().between(0, 15), Arbitraries.integers().between(1, 4), Arbitraries.longs())
                .as((block, blocks, seed) -> new Step(false, Math.min(block, 16 - blocks), blocks, seed));
        Arbitrary<Step> flushes = Arbitraries.just(new Step(true, 0, 0, 0));
        return Arbitraries.frequencyOf(Tuple.of(3, writes), Tuple.of(1, flushes)).list().ofMaxSize(40);
    }

    @Property(tries = 200)
    void eachFlushHoldsWhatTheModelHeldAtThatFlush(@ForAll("runs") List<Step> run, @ForAll long imageSeed) {
        MemoryBlockDevice disk = new MemoryBlockDevice("disk", BLOCK, 16);
        ExpectedBlocks model = new ExpectedBlocks(BLOCK);
        byte[] image = random(3 * BLOCK, imageSeed);
        disk.write(6, ByteBuffer.wrap(image));
        model.write(6, image);
        RecordingBlockDevice recording = new RecordingBlockDevice(disk);
        List<ExpectedBlocks> atFlush = new ArrayList<>();
        for (Step step : run) {
            if (step.flush()) {
                recording.flush();
                atFlush.add(model.copy());
            } else {
                byte[] data = random(step.blocks() * BLOCK, step.seed());
                recording.write(step.firstBlock(), ByteBuffer.wrap(data));
                model.write(step.firstBlock(), data);
            }
        }

        CrashStates crashes = new CrashStates(recording);

        assertThat(crashes.flushes()).isEqualTo(atFlush.size());
        for (int k = 1; k <= atFlush.size(); k++) {
            CrashState state = crashes.atFlush(k);
            atFlush.get(k - 1).assertHeldBy(state.device(), state.name());
        }
    }

    private static Set<ByteBuffer> valuesWrittenTo(long block, List<Write> writes) {
        Set<ByteBuffer> values = new HashSet<>();
        for (Write w : writes) {
            long offset = block - w.firstBlock();
            if (offset >= 0 && offset < w.blocks(BLOCK)) {
                values.add(ByteBuffer.wrap(w.data(), (int) offset * BLOCK, BLOCK).slice());
            }
        }
        return values;
    }

    private static ByteBuffer contents(BlockDevice device) {
        ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(device.blockCount() * device.blockSize()));
        device.read(0, all);
        return all.flip();
    }
}
