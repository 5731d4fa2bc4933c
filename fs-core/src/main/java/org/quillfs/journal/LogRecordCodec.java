package org.quillfs.journal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.quillfs.journal.LogRecord.Abort;
import org.quillfs.journal.LogRecord.ActiveTransaction;
import org.quillfs.journal.LogRecord.CheckpointBegin;
import org.quillfs.journal.LogRecord.CheckpointEnd;
import org.quillfs.journal.LogRecord.Commit;
import org.quillfs.journal.LogRecord.Compensation;
import org.quillfs.journal.LogRecord.DataBlock;
import org.quillfs.journal.LogRecord.DirtyBlock;
import org.quillfs.journal.LogRecord.Update;

/**
 * Bytes of a log record (docs/JOURNAL.md, "Records"):
 *
 * <pre>
 *   0 u32 length (whole record)   4 u8 type   5 reserved[3]   8 u64 txn   16 u64 prev_lsn   24 body
 *   UPDATE          u64 block, u32 offset, u32 n, before[n], after[n]
 *   COMMIT, ABORT, CHECKPOINT_BEGIN   (no body)
 *   CLR             u64 block, u32 offset, u32 n, u64 undo_next_lsn, after[n]
 *   CHECKPOINT_END  u64 begin_lsn, u32 t, t x (u64 txn, u64 last_lsn, u64 first_lsn), u32 d, d x (u64 block, u64 rec_lsn)
 *   DATA_BLOCK      u64 block, u32 n, contents[n]
 * </pre>
 */
public final class LogRecordCodec {

    private LogRecordCodec() {
    }

    public static final int HEADER_SIZE = 24;

    static final int UPDATE = 1;
    static final int COMMIT = 2;
    static final int ABORT = 3;
    static final int COMPENSATION = 4;
    static final int CHECKPOINT_BEGIN = 5;
    static final int CHECKPOINT_END = 6;
    static final int DATA_BLOCK = 7;

    /** The encoded size of {@code record}. */
    public static int size(LogRecord record) {
        if (record instanceof Update u) {
            return HEADER_SIZE + 16 + 2 * u.after().length;
        }
        if (record instanceof Compensation c) {
            return HEADER_SIZE + 24 + c.after().length;
        }
        if (record instanceof CheckpointEnd e) {
            return HEADER_SIZE + 8 + 4 + 24 * e.active().size() + 4 + 16 * e.dirty().size();
        }
        if (record instanceof DataBlock d) {
            return dataBlockSize(d.contents().length);
        }
        return HEADER_SIZE;
    }

    /** The size of a data block record for blocks of {@code blockSize} bytes: what data=journal reserves per block. */
    public static int dataBlockSize(int blockSize) {
        return HEADER_SIZE + 12 + blockSize;
    }

    /** The size of an update record changing {@code n} bytes: what a transaction reserves for it. */
    public static int updateSize(int n) {
        return HEADER_SIZE + 16 + 2 * n;
    }

    public static byte[] encode(LogRecord record) {
        byte[] bytes = new byte[size(record)];
        encode(record, bytes, 0);
        return bytes;
    }

    /** Encodes {@code record} into {@code into} at {@code at}, where {@link #size} bytes must fit. */
    public static void encode(LogRecord record, byte[] into, int at) {
        if (record instanceof Update u) {
            encodeUpdate(into, at, u.txn(), u.prevLsn(), u.block(), u.offset(), u.before(), 0, u.after(), 0,
                    u.after().length);
            return;
        }
        int size = size(record);
        ByteBuffer b = ByteBuffer.wrap(into, at, size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(size);
        b.put((byte) typeOf(record)).put((byte) 0).putShort((short) 0);
        b.putLong(record.txn()).putLong(record.prevLsn());
        if (record instanceof Compensation c) {
            b.putLong(c.block()).putInt(c.offset()).putInt(c.after().length).putLong(c.undoNextLsn()).put(c.after());
        } else if (record instanceof CheckpointEnd e) {
            b.putLong(e.beginLsn()).putInt(e.active().size());
            for (ActiveTransaction t : e.active()) {
                b.putLong(t.txn()).putLong(t.lastLsn()).putLong(t.firstLsn());
            }
            b.putInt(e.dirty().size());
            for (DirtyBlock d : e.dirty()) {
                b.putLong(d.block()).putLong(d.recLsn());
            }
        } else if (record instanceof DataBlock d) {
            b.putLong(d.block()).putInt(d.contents().length).put(d.contents());
        }
    }

    /**
     * Encodes an UPDATE of the {@code n} bytes at {@code offset} of {@code block} into
     * {@code into} at {@code at} ({@link #updateSize} bytes must fit), its images taken from
     * {@code before} at {@code beforeFrom} and {@code after} at {@code afterFrom}: the same bytes
     * as {@link #encode} of the {@link Update}, without making one.
     */
    public static void encodeUpdate(byte[] into, int at, long txn, long prevLsn, long block, int offset,
            byte[] before, int beforeFrom, byte[] after, int afterFrom, int n) {
        int size = updateSize(n);
        ByteBuffer b = ByteBuffer.wrap(into, at, size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(size);
        b.put((byte) UPDATE).put((byte) 0).putShort((short) 0);
        b.putLong(txn).putLong(prevLsn);
        b.putLong(block).putInt(offset).putInt(n).put(before, beforeFrom, n).put(after, afterFrom, n);
    }

    /** The length field of the record whose first 4 bytes are at {@code b}'s position. */
    static int lengthAt(ByteBuffer b) {
        return b.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    /**
     * Decodes one whole record.
     *
     * @throws CorruptRecordException if the bytes are not a well-formed record of their type
     */
    public static LogRecord decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            int length = b.getInt();
            if (length != bytes.length) {
                throw new CorruptRecordException("length " + length + " but " + bytes.length + " bytes");
            }
            int type = Byte.toUnsignedInt(b.get());
            b.position(8);
            long txn = b.getLong();
            long prev = b.getLong();
            LogRecord record = switch (type) {
                case UPDATE -> {
                    long block = b.getLong();
                    int offset = b.getInt();
                    int n = b.getInt();
                    checkLength(n, 2 * n, b);
                    byte[] before = new byte[n];
                    byte[] after = new byte[n];
                    b.get(before).get(after);
                    yield new Update(txn, prev, block, offset, before, after);
                }
                case COMPENSATION -> {
                    long block = b.getLong();
                    int offset = b.getInt();
                    int n = b.getInt();
                    long undoNext = b.getLong();
                    checkLength(n, n, b);
                    byte[] after = new byte[n];
                    b.get(after);
                    yield new Compensation(txn, prev, block, offset, undoNext, after);
                }
                case COMMIT -> new Commit(txn, prev);
                case ABORT -> new Abort(txn, prev);
                case CHECKPOINT_BEGIN -> new CheckpointBegin();
                case CHECKPOINT_END -> {
                    long begin = b.getLong();
                    int t = b.getInt();
                    checkLength(t, 24L * t, b);
                    List<ActiveTransaction> active = new ArrayList<>(t);
                    for (int i = 0; i < t; i++) {
                        active.add(new ActiveTransaction(b.getLong(), b.getLong(), b.getLong()));
                    }
                    int d = b.getInt();
                    checkLength(d, 16L * d, b);
                    List<DirtyBlock> dirty = new ArrayList<>(d);
                    for (int i = 0; i < d; i++) {
                        dirty.add(new DirtyBlock(b.getLong(), b.getLong()));
                    }
                    yield new CheckpointEnd(begin, active, dirty);
                }
                case DATA_BLOCK -> {
                    long block = b.getLong();
                    int n = b.getInt();
                    checkLength(n, n, b);
                    byte[] contents = new byte[n];
                    b.get(contents);
                    yield new DataBlock(txn, prev, block, contents);
                }
                default -> throw new CorruptRecordException("unknown record type " + type);
            };
            if (b.hasRemaining()) {
                throw new CorruptRecordException(b.remaining() + " bytes after the end of a record of type " + type);
            }
            return record;
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptRecordException("record cut short or malformed: " + e.getMessage());
        }
    }

    private static void checkLength(int count, long bytes, ByteBuffer b) {
        if (count < 0 || bytes > b.remaining()) {
            throw new CorruptRecordException("count " + count + " does not fit the record");
        }
    }

    private static int typeOf(LogRecord record) {
        if (record instanceof Update) {
            return UPDATE;
        } else if (record instanceof Commit) {
            return COMMIT;
        } else if (record instanceof Abort) {
            return ABORT;
        } else if (record instanceof Compensation) {
            return COMPENSATION;
        } else if (record instanceof CheckpointBegin) {
            return CHECKPOINT_BEGIN;
        } else if (record instanceof DataBlock) {
            return DATA_BLOCK;
        }
        return CHECKPOINT_END;
    }
}
