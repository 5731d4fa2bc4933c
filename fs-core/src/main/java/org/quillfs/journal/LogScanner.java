package org.quillfs.journal;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.quillfs.format.LogBlock;
import org.quillfs.volume.BlockDevice;

/**
 * Reads the log forwards from an LSN to its end (docs/JOURNAL.md, "Log blocks", "Records").
 *
 * <p>The end is the first block that does not verify (checksum, place, log id), is not the next
 * in sequence, or has a lower epoch than the block before it; or the first record cut short by
 * it. {@link #next} returns records until then; {@link #endLsn} is where the log continues.
 */
public final class LogScanner {

    /** A record and the LSN it starts at. */
    public record Logged(long lsn, LogRecord record) {
    }

    private static final int MAX_RECORD = 64 << 20;

    private final BlockDevice device;
    private final LogRegion region;

    /** The current block and its sequence; null before the first and after the end. */
    private ByteBuffer block;
    private ByteBuffer payload;
    private long sequence;
    private long lastEpoch;
    private long position;
    private boolean ended;

    public LogScanner(BlockDevice device, LogRegion region, long startLsn) {
        this.device = device;
        this.region = region;
        this.position = startLsn;
        this.sequence = region.sequenceOf(startLsn) - 1;
    }

    /** The next record, or empty at the end of the log. */
    public Optional<Logged> next() {
        if (ended) {
            return Optional.empty();
        }
        if (!positionInData()) {
            return end(position);
        }
        long start = position; // past any padding: records never start in it
        byte[] lengthBytes = read(4);
        if (lengthBytes == null) {
            return end(start);
        }
        int length = LogRecordCodec.lengthAt(ByteBuffer.wrap(lengthBytes));
        if (length < LogRecordCodec.HEADER_SIZE || length > MAX_RECORD) {
            return end(start);
        }
        byte[] rest = read(length - 4);
        if (rest == null) {
            return end(start);
        }
        byte[] bytes = new byte[length];
        System.arraycopy(lengthBytes, 0, bytes, 0, 4);
        System.arraycopy(rest, 0, bytes, 4, rest.length);
        try {
            LogRecord record = LogRecordCodec.decode(bytes);
            return Optional.of(new Logged(start, record));
        } catch (CorruptRecordException e) {
            return end(start);
        }
    }

    private Optional<Logged> end(long at) {
        ended = true;
        position = at;
        return Optional.empty();
    }

    /** Where the log continues: the start of the first block after the last record read. */
    public long endLsn() {
        return region.alignUp(position);
    }

    /** The next {@code n} bytes of the stream, skipping padding; null if the log ends first. */
    private byte[] read(int n) {
        byte[] out = new byte[n];
        int done = 0;
        while (done < n) {
            if (!positionInData()) {
                return null;
            }
            int offset = region.offsetOf(position);
            int take = Math.min(n - done, payload.limit() - offset);
            payload.get(offset, out, done, take);
            done += take;
            position += take;
        }
        return out;
    }

    /**
     * Makes sure {@code position} lies inside the used payload of a valid block, moving to the
     * next block when it is in padding; false when the log ends instead.
     */
    private boolean positionInData() {
        while (true) {
            long wanted = region.sequenceOf(position);
            if (wanted != sequence && !loadBlock(wanted)) {
                return false;
            }
            if (region.offsetOf(position) < payload.limit()) {
                return true;
            }
            position = region.lsnOf(sequence + 1); // the rest of this block is padding
        }
    }

    private boolean loadBlock(long wanted) {
        if (wanted != sequence + 1 && block != null) {
            return false; // never skip a block
        }
        ByteBuffer candidate = ByteBuffer.allocate(region.blockSize());
        long physical = region.physicalBlock(wanted);
        device.read(physical, candidate);
        if (LogBlock.problem(candidate, region.uuid(), physical, wanted, region.logId()).isPresent()
                || LogBlock.epoch(candidate) < lastEpoch) {
            return false;
        }
        block = candidate;
        payload = LogBlock.payload(candidate);
        sequence = wanted;
        lastEpoch = LogBlock.epoch(candidate);
        return true;
    }
}
