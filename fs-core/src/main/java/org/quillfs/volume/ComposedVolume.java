package org.quillfs.volume;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A block device made of member devices ({@link ConcatVolume}, {@link StripedVolume}): the
 * request splitting and dispatch they share. A subclass only maps volume blocks to members.
 *
 * <p>Overview. A request for blocks {@code [first, first + count)} is cut by the layout into
 * {@link Share shares}, one per member it touches. A member's share is one run of consecutive
 * member blocks, fed from one or several non-adjacent pieces of the caller's buffers; the pieces
 * are sliced out of those buffers ({@link ByteBuffer#slice(int, int)}, no copying) and the share
 * goes to the member as one vectored call. When a request touches several members their shares
 * run at once: all but the first on this volume's threads, the first on the caller's thread, and
 * the call returns when every share has (the first failure is thrown, later ones suppressed in
 * it). A request that touches one member costs a direct call and nothing else.
 *
 * <p>The caller's buffers are consumed as the contract says: their positions reach their
 * limits when the request succeeds.
 */
abstract class ComposedVolume implements BlockDevice {

    /** One member's part of a request: member blocks from {@code memberBlock}, fed by {@code pieces}. */
    record Share(int member, long memberBlock, List<Piece> pieces) {
    }

    /** {@code blocks} blocks of the request, starting {@code requestBlock} blocks into it. */
    record Piece(long requestBlock, long blocks) {
    }

    /** The threads members' shares run on unless a volume is given another executor. */
    static final Executor MEMBER_IO = Executors.newCachedThreadPool(new ThreadFactory() {
        private final AtomicInteger threads = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "quillfs-volume-io-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    });

    private final String name;
    final List<BlockDevice> members;
    private final int blockSize;
    private final Executor memberThreads;

    ComposedVolume(String name, List<BlockDevice> members, Executor memberThreads) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a volume needs at least one member");
        }
        this.name = name;
        this.members = List.copyOf(members);
        this.blockSize = members.get(0).blockSize();
        for (BlockDevice member : members) {
            if (member.blockSize() != blockSize) {
                throw new IllegalArgumentException(member.name() + " has blocks of " + member.blockSize()
                        + " bytes, " + members.get(0).name() + " of " + blockSize);
            }
        }
        this.memberThreads = memberThreads;
    }

    /** The shares of blocks {@code [firstBlock, firstBlock + blocks)}, at most one per member. */
    abstract List<Share> shares(long firstBlock, long blocks);

    /** The members, in member order. */
    public List<BlockDevice> members() {
        return members;
    }

    @Override
    public final int blockSize() {
        return blockSize;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final void read(long firstBlock, ByteBuffer... dsts) {
        transfer(firstBlock, dsts, true);
    }

    @Override
    public final void write(long firstBlock, ByteBuffer... srcs) {
        transfer(firstBlock, srcs, false);
    }

    private void transfer(long firstBlock, ByteBuffer[] buffers, boolean read) {
        long bytes = Transfers.checkedLength(this, firstBlock, buffers);
        RequestBuffers request = new RequestBuffers(buffers);
        List<Runnable> tasks = new ArrayList<>();
        for (Share share : shares(firstBlock, bytes / blockSize)) {
            BlockDevice member = members.get(share.member());
            ByteBuffer[] slices = request.slices(share.pieces(), blockSize);
            tasks.add(read ? () -> member.read(share.memberBlock(), slices)
                    : () -> member.write(share.memberBlock(), slices));
        }
        runTogether(tasks);
        request.consumeAll();
    }

    /** Flushes every member (at once). */
    @Override
    public final void flush() {
        List<Runnable> tasks = new ArrayList<>();
        for (BlockDevice member : members) {
            tasks.add(member::flush);
        }
        runTogether(tasks);
    }

    @Override
    public final void close() {
        RuntimeException failure = null;
        for (BlockDevice member : members) {
            try {
                member.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Runs {@code tasks} concurrently, the first on this thread; returns when all have ended. */
    private void runTogether(List<Runnable> tasks) {
        if (tasks.size() == 1) {
            tasks.get(0).run();
            return;
        }
        List<CompletableFuture<Void>> others = new ArrayList<>();
        for (Runnable task : tasks.subList(1, tasks.size())) {
            others.add(CompletableFuture.runAsync(task, memberThreads));
        }
        RuntimeException failure = null;
        try {
            tasks.get(0).run();
        } catch (RuntimeException e) {
            failure = e;
        }
        for (CompletableFuture<Void> other : others) {
            try {
                other.join();
            } catch (CompletionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
                if (failure == null) {
                    failure = cause;
                } else {
                    failure.addSuppressed(cause);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The caller's buffers as one run of bytes, from which pieces are sliced. */
    private static final class RequestBuffers {

        private final ByteBuffer[] buffers;
        /** Where each buffer's remaining bytes start in the request. */
        private final long[] starts;

        RequestBuffers(ByteBuffer[] buffers) {
            this.buffers = buffers;
            this.starts = new long[buffers.length];
            long at = 0;
            for (int i = 0; i < buffers.length; i++) {
                starts[i] = at;
                at += buffers[i].remaining();
            }
        }

        /** The bytes of {@code pieces}, in order, as slices sharing the caller's buffers. */
        ByteBuffer[] slices(List<Piece> pieces, int blockSize) {
            List<ByteBuffer> slices = new ArrayList<>();
            for (Piece piece : pieces) {
                long from = piece.requestBlock() * blockSize;
                long to = from + piece.blocks() * blockSize;
                int i = bufferAt(from);
                while (from < to) {
                    ByteBuffer buffer = buffers[i];
                    long end = starts[i] + buffer.remaining();
                    int length = (int) (Math.min(to, end) - from);
                    if (length > 0) {
                        slices.add(buffer.slice(buffer.position() + (int) (from - starts[i]), length));
                        from += length;
                    }
                    i++;
                }
            }
            return slices.toArray(ByteBuffer[]::new);
        }

        /** The last buffer that starts at or before {@code offset}. */
        private int bufferAt(long offset) {
            int low = 0;
            int high = starts.length - 1;
            while (low < high) {
                int mid = (low + high + 1) >>> 1;
                if (starts[mid] <= offset) {
                    low = mid;
                } else {
                    high = mid - 1;
                }
            }
            return low;
        }

        void consumeAll() {
            for (ByteBuffer buffer : buffers) {
                buffer.position(buffer.limit());
            }
        }
    }
}
