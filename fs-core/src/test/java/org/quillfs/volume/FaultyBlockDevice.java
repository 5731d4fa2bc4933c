package org.quillfs.volume;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test device that injects faults into the device it wraps: EIO on chosen reads, writes or
 * flushes, ENOSPC on chosen writes (a full host filesystem under a sparse image), and silent
 * corruption of chosen blocks as they are read (the bytes on the wrapped device stay sound, as
 * with a bad cable or controller: once {@link #heal}ed, reads are right again).
 *
 * <p>What fails is said by {@link Rule}s: an operation, a fault, and which blocks
 * ({@link BlockFilter}, which may look at a block's contents: "blocks holding this file's
 * bytes", "inode-table blocks"); a rule may skip its first matches ("the third write of the
 * log") and fire a limited number of times. A request fails before it reaches the wrapped
 * device: a failed write writes nothing, a failed flush makes nothing durable that was not.
 * Rules are checked in the order they were added; the first that matches a request decides it.
 * Safe for concurrent use, as the device it wraps.
 */
public final class FaultyBlockDevice extends ForwardingBlockDevice {

    public enum Op { READ, WRITE, FLUSH }

    public enum Fault {
        /** The request fails with an I/O error. */
        EIO,
        /** A write fails as on a full filesystem. */
        ENOSPC,
        /** A read returns the matching blocks with bytes flipped in their middle; the device is unharmed. */
        CORRUPT
    }

    /** Which blocks a rule covers: {@code contents} is the block as the wrapped device holds it now (for a write: as it is to be written). */
    @FunctionalInterface
    public interface BlockFilter {
        boolean matches(long blockNr, ByteBuffer contents);

        static BlockFilter any() {
            return (nr, contents) -> true;
        }

        static BlockFilter block(long blockNr) {
            return (nr, contents) -> nr == blockNr;
        }

        /** Blocks {@code first} .. {@code first + count - 1}. */
        static BlockFilter range(long first, long count) {
            return (nr, contents) -> nr >= first && nr < first + count;
        }

        /** Blocks whose every byte is {@code value}: the blocks of a file written with that byte. */
        static BlockFilter filledWith(byte value) {
            return (nr, contents) -> {
                for (int i = contents.position(); i < contents.limit(); i++) {
                    if (contents.get(i) != value) {
                        return false;
                    }
                }
                return true;
            };
        }
    }

    /** One fault to inject: on {@code op}, for blocks {@code filter} matches, after {@code skip} matches, {@code times} times. */
    public static final class Rule {
        private final Op op;
        private final Fault fault;
        private final BlockFilter filter;
        private volatile long skip;
        private volatile long times = Long.MAX_VALUE;
        private final AtomicLong matched = new AtomicLong();
        private final AtomicLong fired = new AtomicLong();

        private Rule(Op op, Fault fault, BlockFilter filter) {
            this.op = op;
            this.fault = fault;
            this.filter = filter;
        }

        /** Lets the first {@code n} matching requests through: the rule fires from the (n+1)th on. */
        public Rule skipping(long n) {
            this.skip = n;
            return this;
        }

        /** Fires at most {@code n} times, then lets everything through. */
        public Rule times(long n) {
            this.times = n;
            return this;
        }

        /** Requests this rule has failed (or corrupted) so far. */
        public long fired() {
            return fired.get();
        }

        @Override
        public String toString() {
            return fault + " on " + op.name().toLowerCase() + "s" + (skip > 0 ? " after the first " + skip + " matching" : "")
                    + (times < Long.MAX_VALUE ? ", " + times + " time(s)" : "");
        }

        /** Whether this request is one the rule fires on; counts it. */
        private boolean fires() {
            if (matched.incrementAndGet() <= skip) {
                return false;
            }
            while (true) {
                long f = fired.get();
                if (f >= times) {
                    return false;
                }
                if (fired.compareAndSet(f, f + 1)) {
                    return true;
                }
            }
        }
    }

    private final BlockDevice device;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();

    public FaultyBlockDevice(BlockDevice device) {
        super(device);
        this.device = device;
    }

    /** Adds a rule; returns it, to narrow it ({@link Rule#skipping}, {@link Rule#times}) or to ask how often it fired. */
    public Rule inject(Op op, Fault fault, BlockFilter filter) {
        if (fault == Fault.CORRUPT && op != Op.READ || fault == Fault.ENOSPC && op != Op.WRITE) {
            throw new IllegalArgumentException(fault + " is not a fault of " + op);
        }
        Rule rule = new Rule(op, fault, op == Op.FLUSH ? BlockFilter.any() : filter);
        rules.add(rule);
        return rule;
    }

    /** Removes every rule: the device behaves again. */
    public void heal() {
        rules.clear();
    }

    /** The device faults are injected into. */
    public BlockDevice wrapped() {
        return device;
    }

    @Override
    public String name() {
        return device.name() + " (faulty)";
    }

    @Override
    public void read(long firstBlock, ByteBuffer... dsts) {
        int blocks = Math.toIntExact(Transfers.checkedLength(this, firstBlock, dsts) / blockSize());
        Rule rule = null;
        long[] hit = new long[blocks];
        int hits = 0;
        for (Rule r : rules) {
            if (r.op != Op.READ) {
                continue;
            }
            hits = 0;
            for (int i = 0; i < blocks; i++) {
                if (r.filter.matches(firstBlock + i, current(firstBlock + i))) {
                    hit[hits++] = firstBlock + i;
                }
            }
            if (hits > 0 && r.fires()) {
                rule = r;
                break;
            }
        }
        if (rule != null && rule.fault == Fault.EIO) {
            throw failure(firstBlock, "read failed", "Input/output error (injected)");
        }
        ByteBuffer[] starts = new ByteBuffer[dsts.length];
        for (int i = 0; i < dsts.length; i++) {
            starts[i] = dsts[i].duplicate();
        }
        device.read(firstBlock, dsts);
        if (rule != null) {
            for (int h = 0; h < hits; h++) {
                corrupt(starts, (int) (hit[h] - firstBlock));
            }
        }
    }

    @Override
    public void write(long firstBlock, ByteBuffer... srcs) {
        long bytes = Transfers.checkedLength(this, firstBlock, srcs);
        ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(bytes));
        for (ByteBuffer src : srcs) {
            all.put(src.duplicate());
        }
        int bs = blockSize();
        for (Rule r : rules) {
            if (r.op != Op.WRITE) {
                continue;
            }
            boolean matches = false;
            for (int i = 0; i < bytes / bs && !matches; i++) {
                matches = r.filter.matches(firstBlock + i, all.duplicate().position(i * bs).limit((i + 1) * bs).slice());
            }
            if (matches && r.fires()) {
                throw r.fault == Fault.ENOSPC
                        ? failure(firstBlock, "write failed", VolumeIOException.NO_SPACE)
                        : failure(firstBlock, "write failed", "Input/output error (injected)");
            }
        }
        device.write(firstBlock, srcs);
    }

    @Override
    public void flush() {
        for (Rule r : rules) {
            if (r.op == Op.FLUSH && r.fires()) {
                throw failure(-1, "flush failed", "Input/output error (injected)");
            }
        }
        device.flush();
    }


    private ByteBuffer current(long blockNr) {
        ByteBuffer b = ByteBuffer.allocate(blockSize());
        device.read(blockNr, b);
        return b.flip();
    }

    /** Flips 16 bytes in the middle of block {@code index} of a read into {@code dsts} (as they were before it). */
    private void corrupt(ByteBuffer[] dsts, int index) {
        long at = (long) index * blockSize() + blockSize() / 2;
        for (int k = 0; k < 16; k++, at++) {
            long offset = at;
            for (ByteBuffer d : dsts) {
                if (offset < d.remaining()) {
                    int p = d.position() + (int) offset;
                    d.put(p, (byte) ~d.get(p));
                    break;
                }
                offset -= d.remaining();
            }
        }
    }

    private VolumeIOException failure(long block, String what, String message) {
        return new VolumeIOException(name(), block, what, new IOException(message));
    }
}
