package org.quillfs.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.quillfs.format.ExtentRoot;

/** Random writes, truncates and punched holes against a byte array: reads give exactly the model, in both data modes. */
class FileDataPropertyTest {

    static final int BLOCK = 1024;
    /** Offsets stay below this, so that operations keep meeting each other. */
    static final int SPAN = 160 * BLOCK;

    sealed interface Op {
    }

    record Write(int offset, int length, long seed) implements Op {
    }

    record Truncate(int size) implements Op {
    }

    record Punch(int offset, int length) implements Op {
    }

    /** Writes {@code blocks} whole blocks from block {@code block}, each interleaved with a block of another file: one extent each. */
    record Scatter(int block, int blocks, long seed) implements Op {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Integer> offsets = Arbitraries.oneOf(Arbitraries.integers().between(0, SPAN),
                Arbitraries.integers().between(0, SPAN / BLOCK).map(b -> b * BLOCK));
        Arbitrary<Integer> lengths = Arbitraries.oneOf(Arbitraries.integers().between(1, 3 * BLOCK),
                Arbitraries.integers().between(1, 12).map(b -> b * BLOCK), Arbitraries.integers().between(1, 40));
        Arbitrary<Op> write = Combinators.combine(offsets, lengths, Arbitraries.longs()).as(Write::new);
        Arbitrary<Op> truncate = offsets.map(Truncate::new);
        Arbitrary<Op> punch = Combinators.combine(offsets, lengths).as(Punch::new);
        Arbitrary<Op> scatter = Combinators.combine(Arbitraries.integers().between(0, SPAN / BLOCK),
                Arbitraries.integers().between(1, 260), Arbitraries.longs()).as(Scatter::new);
        return Arbitraries.frequencyOf(Tuple.of(6, write), Tuple.of(2, truncate), Tuple.of(2, punch),
                Tuple.of(2, scatter)).list().ofMinSize(1).ofMaxSize(30);
    }

    @Property(tries = 80)
    void readsReturnExactlyWhatWasWrittenWithHolesAsZeros(@ForAll("ops") List<Op> ops) {
        check(ops, DataMode.ORDERED);
    }

    /** The same in journal mode, where data goes through the log (and big writes in steps) and freed blocks wait for checkpoints. */
    @Property(tries = 30)
    void inJournalModeReadsReturnExactlyWhatWasWrittenWithHolesAsZeros(@ForAll("ops") List<Op> ops) {
        check(ops, DataMode.JOURNAL);
    }

    private void check(List<Op> ops, DataMode mode) {
        try (TestFiles fs = new TestFiles(BLOCK, 8L << 20, mode)) {
            long freeAtStart = fs.freeBlocksAfterCheckpoint();
            byte[] model = new byte[0];
            ExtentRoot root = TestFiles.EMPTY;
            ExtentRoot other = TestFiles.EMPTY;
            int otherBlocks = 0;
            int deepest = 0;
            for (Op op : ops) {
                if (op instanceof Write w) {
                    byte[] bytes = new byte[w.length()];
                    new Random(w.seed()).nextBytes(bytes);
                    root = fs.write(root, w.offset(), bytes);
                    if (model.length < w.offset() + w.length()) {
                        model = Arrays.copyOf(model, w.offset() + w.length());
                    }
                    System.arraycopy(bytes, 0, model, w.offset(), w.length());
                } else if (op instanceof Scatter sc) {
                    Random random = new Random(sc.seed());
                    for (int i = 0; i < sc.blocks(); i++) {
                        byte[] bytes = new byte[BLOCK];
                        random.nextBytes(bytes);
                        int offset = (sc.block() + i) * BLOCK;
                        root = fs.write(root, offset, bytes);
                        if (model.length < offset + BLOCK) {
                            model = Arrays.copyOf(model, offset + BLOCK);
                        }
                        System.arraycopy(bytes, 0, model, offset, BLOCK);
                        other = fs.write(other, (long) otherBlocks++ * BLOCK, bytes);
                    }
                } else if (op instanceof Truncate t) {
                    root = fs.truncate(root, model.length, t.size());
                    model = Arrays.copyOf(model, t.size());
                } else if (op instanceof Punch p) {
                    root = fs.punch(root, p.offset(), p.length());
                    int end = Math.min(model.length, p.offset() + p.length());
                    if (p.offset() < end) {
                        Arrays.fill(model, p.offset(), end, (byte) 0);
                    }
                }
                deepest = Math.max(deepest, root.depth());
                assertThat(fs.read(root, model.length, 0, model.length + 10)).isEqualTo(model);
                assertThat(fs.dataBlocks(root)).as("no blocks past the end of the file")
                        .isLessThanOrEqualTo((model.length + BLOCK - 1) / BLOCK);
            }
            int middle = model.length / 3;
            assertThat(fs.read(root, model.length, middle, 2 * BLOCK + 5))
                    .isEqualTo(Arrays.copyOfRange(model, middle, Math.min(model.length, middle + 2 * BLOCK + 5)));
            Statistics.label("deepest tree").collect(deepest);
            fs.reopen(); // the nodes now come from the device, and must verify
            assertThat(fs.read(root, model.length, 0, model.length)).isEqualTo(model);
            root = fs.truncate(root, model.length, 0);
            assertThat(root).isEqualTo(TestFiles.EMPTY);
            assertThat(fs.truncate(other, (long) otherBlocks * BLOCK, 0)).isEqualTo(TestFiles.EMPTY);
            assertThat(fs.freeBlocksAfterCheckpoint()).as("every block came back").isEqualTo(freeAtStart);
        }
    }
}
