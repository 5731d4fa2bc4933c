package org.quillfs.mount;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mounts with libfuse 2 and serves requests from Java threads, instead of jnr-fuse's
 * {@code fuse_main}, whose multi-threaded loop calls Java from libfuse's own threads.
 *
 * <h2>Why</h2>
 * A native thread that calls into Java is attached to the JVM for the call and detached after
 * it, until it has made 1,000 calls (jffi's {@code THREAD_ATTACH_THRESHOLD}). Detaching runs
 * {@code JavaThread::exit}, which walks every inflated monitor of the JVM: measured on a 5,000
 * file untar it took 62% of the daemon's CPU, and libfuse starts new worker threads (each cold
 * again) whenever all are busy. Here every worker is a Java thread, attached once for its whole
 * life; the callbacks it runs through {@code fuse_session_process_buf} find it attached.
 *
 * <h2>How</h2>
 * This is libfuse 2.9's {@code fuse_loop_mt} with a fixed pool: {@code fuse_setup} parses the
 * arguments, mounts and builds the session (in the foreground: {@code -f} is always passed; the
 * JVM keeps its own SIGINT/SIGTERM handlers, libfuse only installs handlers where there are
 * none); {@value #WORKERS} threads each loop over {@code fuse_session_receive_buf} and
 * {@code fuse_session_process_buf} with a buffer of their own; when the kernel ends the session
 * (unmount: the read returns 0) every worker stops, and {@code fuse_teardown} releases the
 * session (and unmounts only if the mount is still there). The kernel's INIT is answered through
 * {@link InitReply}, which adds a flag libfuse 2 does not know; every other request is noted
 * for its callback ({@link CurrentRequest}) and then processed by libfuse.
 *
 * <p>While one caller at a time sends requests, only one worker reads {@code /dev/fuse}
 * ({@link ReaderRole}), polling briefly before it sleeps ({@link RequestPoll}), and a watchdog
 * thread lets another read when all are busy with slow requests; while requests come several
 * at a time ({@link RequestMix}), every idle worker waits in {@code read}. docs/MOUNT.md, "The request loop".
 */
final class FuseLoop {

    private static final Logger log = LoggerFactory.getLogger(FuseLoop.class);

    /** Requests served at once: enough for fsyncs to block a few while others go on. */
    static final int WORKERS = 8;
    /** How often the {@link ReaderRole} watchdog looks for workers all busy. */
    private static final long WATCHDOG_TICK_NANOS = 1_000_000;
    private static final int EINTR = 4;
    private static final int ENOENT = 2;
    /** struct fuse_buf (fuse_common.h, 2.9): size_t size; int flags; void *mem; int fd; off_t pos. */
    private static final int FUSE_BUF_SIZE = 40;
    private static final int FUSE_BUF_MEM = 16;
    /** struct fuse_in_header, at the start of every request: the opcode and the caller's thread id. */
    static final int IN_HEADER_OPCODE = 4;
    private static final int IN_HEADER_PID = 32;

    /** The libfuse 2 calls the loop needs. */
    public interface LibFuse2 {
        Pointer fuse_setup(int argc, String[] argv, Pointer op, long opSize, PointerByReference mountpoint,
                IntByReference multithreaded, Pointer userData);

        Pointer fuse_get_session(Pointer fuse);

        Pointer fuse_session_next_chan(Pointer session, Pointer channel);

        long fuse_chan_bufsize(Pointer channel);

        /** {@code channel} points at a {@code struct fuse_chan *}, read and written. */
        int fuse_session_receive_buf(Pointer session, Pointer buf, Pointer channel);

        void fuse_session_process_buf(Pointer session, Pointer buf, Pointer channel);

        int fuse_session_exited(Pointer session);

        void fuse_session_exit(Pointer session);

        void fuse_teardown(Pointer fuse, Pointer mountpoint);

        int fuse_chan_fd(Pointer channel);

        /** {@code ops} points at {@code struct fuse_chan_ops}: receive, send, destroy ({@link InitReply}). */
        Pointer fuse_chan_new(Pointer ops, int fd, long bufsize, Pointer data);

        void fuse_chan_destroy(Pointer channel);

        int fuse_lowlevel_notify_inval_inode(Pointer channel, long nodeId, long offset, long length);
    }

    private static final LibFuse2 LIBFUSE = load();

    private FuseLoop() {
    }

    /** libfuse.so.2 (as jnr-fuse finds it: by name, else by file name, for systems without libfuse-dev). */
    private static LibFuse2 load() {
        try {
            return LibraryLoader.create(LibFuse2.class).failImmediately().load("fuse");
        } catch (LinkageError | RuntimeException e) {
            return LibraryLoader.create(LibFuse2.class).failImmediately().load("libfuse.so.2");
        }
    }

    /** libfuse could not mount; it said why on stderr. */
    static final class MountFailed extends Exception {
        MountFailed(String message) {
            super(message);
        }
    }

    /**
     * Mounts and serves until unmounted.
     *
     * @param fsName     program name for libfuse's messages
     * @param mountPoint the mount point, in the form jnr passes to C ({@link NativeNames#toNative})
     * @param options    libfuse options ({@code -o ...})
     * @throws MountFailed when libfuse cannot mount (its message is on stderr)
     */
    static void mountAndServe(QuillfsFuse fuse, String fsName, String mountPoint, boolean debug,
            List<String> options) throws MountFailed {
        List<String> args = new ArrayList<>();
        args.add(fsName);
        args.add(mountPoint);
        args.add("-f");
        if (debug) {
            args.add("-d");
        }
        args.addAll(options);
        PointerByReference mountpointOut = new PointerByReference();
        IntByReference multithreaded = new IntByReference();
        Pointer f = LIBFUSE.fuse_setup(args.size(), args.toArray(String[]::new), fuse.operations(),
                fuse.operationsSize(), mountpointOut, multithreaded, null);
        if (f == null) {
            throw new MountFailed("libfuse could not mount " + mountPoint);
        }
        try {
            serve(f);
        } finally {
            LIBFUSE.fuse_teardown(f, mountpointOut.getValue());
        }
    }

    private static void serve(Pointer f) {
        Pointer session = LIBFUSE.fuse_get_session(f);
        Pointer channel = LIBFUSE.fuse_session_next_chan(session, null);
        long bufSize = LIBFUSE.fuse_chan_bufsize(channel);
        int fd = LIBFUSE.fuse_chan_fd(channel);
        ReaderRole role = new ReaderRole();
        RequestPoll.Policy pollPolicy = new RequestPoll.Policy();
        RequestMix mix = new RequestMix();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            Thread worker = new Thread(() -> {
                try {
                    work(session, channel, bufSize, role, mix,
                            new RequestPoll(fd, Runtime.getRuntime(LIBFUSE), pollPolicy));
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                    LIBFUSE.fuse_session_exit(session);
                } finally {
                    role.close(); // one worker stopping (unmounted, or failed) stops them all
                }
            }, "fuse-worker-" + i);
            worker.setDaemon(true);
            worker.start();
            workers.add(worker);
        }
        Thread watchdog = new Thread(() -> role.watch(WATCHDOG_TICK_NANOS), "fuse-reader-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        for (Thread worker : workers) {
            joinUninterruptibly(worker);
        }
        joinUninterruptibly(watchdog);
        if (failure.get() != null) {
            log.error("a FUSE worker failed; the session ended", failure.get());
        }
    }

    private static void work(Pointer session, Pointer channel, long bufSize, ReaderRole role, RequestMix mix,
            RequestPoll poll) {
        Runtime runtime = Runtime.getRuntime(LIBFUSE);
        Pointer mem = Memory.allocateDirect(runtime, (int) bufSize);
        Pointer buf = Memory.allocateDirect(runtime, FUSE_BUF_SIZE, true);
        Pointer from = Memory.allocateDirect(runtime, runtime.addressSize(), true);
        while (role.take() && LIBFUSE.fuse_session_exited(session) == 0) {
            buf.setMemory(0, FUSE_BUF_SIZE, (byte) 0);
            buf.putLong(0, bufSize);
            buf.putPointer(FUSE_BUF_MEM, mem);
            from.putPointer(0, channel);
            long waitStart = poll.awaitBriefly();
            int res = LIBFUSE.fuse_session_receive_buf(session, buf, from);
            boolean queued = false;
            boolean several = false;
            if (res > 0) {
                queued = poll.ready();
                several = mix.note(mem.getInt(IN_HEADER_OPCODE), mem.getInt(IN_HEADER_PID), queued, System.nanoTime());
                poll.received(waitStart, several);
            }
            role.received(queued, several);
            if (res == -EINTR) {
                continue;
            }
            if (res <= 0) {
                if (res < 0) {
                    log.error("reading /dev/fuse failed: errno {}", -res);
                }
                LIBFUSE.fuse_session_exit(session); // 0: the kernel ended the session (unmounted)
                return;
            }
            if (InitReply.offersKillprivV2(mem)) {
                InitReply.process(LIBFUSE, session, buf, from.getPointer(0));
                continue;
            }
            CurrentRequest.note(mem, from.getPointer(0));
            LIBFUSE.fuse_session_process_buf(session, buf, from.getPointer(0));
        }
    }

    /**
     * Sends FUSE_NOTIFY_INVAL_INODE for {@code nodeId} with a negative offset: the kernel drops
     * the node's cached attributes and keeps its pages ({@link CurrentRequest}).
     */
    static void invalidateAttributes(Pointer channel, long nodeId) {
        int res = LIBFUSE.fuse_lowlevel_notify_inval_inode(channel, nodeId, -1, 0);
        if (res != 0 && res != -ENOENT) { // ENOENT: the kernel no longer has the node
            log.warn("could not make the kernel drop the attributes of node {}: errno {}", nodeId, -res);
        }
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
