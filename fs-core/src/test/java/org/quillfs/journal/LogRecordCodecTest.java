package org.quillfs.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.quillfs.journal.LogRecord.Abort;
import org.quillfs.journal.LogRecord.ActiveTransaction;
import org.quillfs.journal.LogRecord.CheckpointBegin;
import org.quillfs.journal.LogRecord.CheckpointEnd;
import org.quillfs.journal.LogRecord.Commit;
import org.quillfs.journal.LogRecord.Compensation;
import org.quillfs.journal.LogRecord.DataBlock;
import org.quillfs.journal.LogRecord.DirtyBlock;
import org.quillfs.journal.LogRecord.Update;

class LogRecordCodecTest {

    @Provide
    Arbitrary<LogRecord> records() {
        Arbitrary<Long> ids = Arbitraries.longs();
        Arbitrary<byte[]> images = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(600);
        Arbitrary<LogRecord> updates = Combinators.combine(ids, ids, ids, Arbitraries.integers().between(0, 65535), images)
                .as((txn, prev, block, offset, before) -> {
                    byte[] after = before.clone();
                    after[0] ^= 0x5a;
                    return new Update(txn, prev, block, offset, before, after);
                });
        Arbitrary<LogRecord> clrs = Combinators.combine(ids, ids, ids, Arbitraries.integers().between(0, 65535), ids, images)
                .as(Compensation::new);
        Arbitrary<LogRecord> ends = Combinators.combine(ids,
                Combinators.combine(ids, ids, ids).as(ActiveTransaction::new).list().ofMaxSize(20),
                Combinators.combine(ids, ids).as(DirtyBlock::new).list().ofMaxSize(200))
                .as(CheckpointEnd::new);
        Arbitrary<LogRecord> data = Combinators.combine(ids, ids, ids, images).as(DataBlock::new);
        return Arbitraries.oneOf(updates, clrs, ends, data,
                Combinators.combine(ids, ids).as(Commit::new),
                Combinators.combine(ids, ids).as(Abort::new),
                Arbitraries.just(new CheckpointBegin()));
    }

    @Property(tries = 500)
    void everyRecordTypeRoundTripsThroughItsCodec(@ForAll("records") LogRecord record) {
        byte[] bytes = LogRecordCodec.encode(record);
        assertThat(bytes).hasSize(LogRecordCodec.size(record));
        assertThat(LogRecordCodec.decode(bytes)).isEqualTo(record);
    }

    @Property(tries = 200)
    void anUpdateEncodedFromSlicesIsTheRecordsBytes(@ForAll("records") LogRecord record) {
        if (!(record instanceof Update u)) {
            return;
        }
        int n = u.after().length;
        byte[] before = new byte[n + 7]; // the images sit inside larger arrays, at odd offsets
        byte[] after = new byte[n + 3];
        Arrays.fill(before, (byte) 0x11);
        Arrays.fill(after, (byte) 0x22);
        System.arraycopy(u.before(), 0, before, 5, n);
        System.arraycopy(u.after(), 0, after, 1, n);
        byte[] into = new byte[LogRecordCodec.updateSize(n) + 9];

        LogRecordCodec.encodeUpdate(into, 9, u.txn(), u.prevLsn(), u.block(), u.offset(), before, 5, after, 1, n);

        assertThat(Arrays.copyOfRange(into, 9, into.length)).isEqualTo(LogRecordCodec.encode(record));
        assertThat(Arrays.copyOf(into, 9)).as("nothing written before the record").isEqualTo(new byte[9]);
    }

    @Property(tries = 200)
    void aRecordCutShortIsCorruptNeverAnotherRecord(@ForAll("records") LogRecord record) {
        byte[] bytes = LogRecordCodec.encode(record);
        byte[] cut = Arrays.copyOf(bytes, bytes.length - 1);
        ByteBuffer.wrap(cut).order(ByteOrder.LITTLE_ENDIAN).putInt(0, cut.length);
        assertThatThrownBy(() -> LogRecordCodec.decode(cut)).isInstanceOf(CorruptRecordException.class);
    }

    @Test
    void headerFieldsSitAtTheirSpecifiedOffsets() {
        byte[] bytes = LogRecordCodec.encode(new Update(7, 9, 11, 13, new byte[] {1, 2}, new byte[] {3, 4}));
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0)).isEqualTo(bytes.length).isEqualTo(LogRecordCodec.updateSize(2));
        assertThat(b.get(4)).isEqualTo((byte) 1);
        assertThat(b.getLong(8)).isEqualTo(7);
        assertThat(b.getLong(16)).isEqualTo(9);
        assertThat(b.getLong(24)).isEqualTo(11);
        assertThat(b.getInt(32)).isEqualTo(13);
        assertThat(b.getInt(36)).isEqualTo(2);
        assertThat(Arrays.copyOfRange(bytes, 40, 44)).containsExactly(1, 2, 3, 4);
        assertThat(LogRecordCodec.encode(new CheckpointEnd(5, List.of(), List.of()))[4]).isEqualTo((byte) 6);
        byte[] data = LogRecordCodec.encode(new DataBlock(7, 9, 11, new byte[] {5, 6, 7}));
        ByteBuffer d = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(d.get(4)).isEqualTo((byte) 7);
        assertThat(d.getLong(24)).isEqualTo(11);
        assertThat(d.getInt(32)).isEqualTo(3);
        assertThat(Arrays.copyOfRange(data, 36, 39)).containsExactly(5, 6, 7);
        assertThat(data).hasSize(LogRecordCodec.dataBlockSize(3));
    }

    @Test
    void unknownTypesAndWrongLengthsAreCorrupt() {
        byte[] commit = LogRecordCodec.encode(new Commit(1, 2));
        commit[4] = 99;
        assertThatThrownBy(() -> LogRecordCodec.decode(commit)).isInstanceOf(CorruptRecordException.class)
                .hasMessageContaining("unknown record type 99");
        byte[] longer = Arrays.copyOf(LogRecordCodec.encode(new Commit(1, 2)), 30);
        assertThatThrownBy(() -> LogRecordCodec.decode(longer)).hasMessageContaining("length 24 but 30 bytes");
        byte[] update = LogRecordCodec.encode(new Update(1, 0, 5, 0, new byte[4], new byte[] {1, 1, 1, 1}));
        ByteBuffer.wrap(update).order(ByteOrder.LITTLE_ENDIAN).putInt(36, 1 << 30); // n far beyond the record
        assertThatThrownBy(() -> LogRecordCodec.decode(update)).isInstanceOf(CorruptRecordException.class);
    }
}
