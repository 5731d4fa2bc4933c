package org.quillfs.mount;

import jnr.ffi.LastError;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.Delegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the kernel's INIT through libfuse 2 with {@code FUSE_HANDLE_KILLPRIV_V2} added to the
 * flags libfuse replies with, when the kernel offers it. libfuse 2.9 predates the flag and
 * drops it.
 *
 * <h2>Why</h2>
 * Without the flag the kernel clears the superblock's {@code SB_NOSEC} and, before every write
 * to a file, asks for its {@code security.capability} attribute (a GETXATTR round trip, about a
 * third of a random 4 KiB write + fsync's requests) to decide whether the write must take
 * privileges away. With it the kernel asks once per file and marks the file as having none,
 * and leaves clearing set-user-ID and set-group-ID to the filesystem: it says in each WRITE
 * ({@code FUSE_WRITE_KILL_SUIDGID}) and in each SETATTR that truncates or changes the owner
 * ({@code FATTR_KILL_SUIDGID}) whether the change must clear them ({@link CurrentRequest};
 * docs/MOUNT.md, "Set-ID bits").
 *
 * <h2>How</h2>
 * libfuse builds the INIT reply in {@code do_init} and sends it through the channel the request
 * came with. This class lends it a channel of its own ({@code fuse_chan_new}, with the real
 * channel's descriptor and buffer size) whose send callback, in Java, sets the flag in the
 * reply's {@code struct fuse_init_out} and then writes the reply to {@code /dev/fuse} as
 * libfuse's own channel does ({@code writev}). Every other request goes through the real
 * channel untouched.
 */
final class InitReply {

    private static final Logger log = LoggerFactory.getLogger(InitReply.class);

    static final int FUSE_INIT = 26;
    static final int FUSE_HANDLE_KILLPRIV_V2 = 1 << 28;
    /** struct fuse_init_in after the 40-byte fuse_in_header: major, minor, max_readahead, flags. */
    private static final int INIT_IN_FLAGS = 40 + 12;
    /** struct fuse_out_header: u32 len, s32 error, u64 unique. */
    private static final int OUT_HEADER_SIZE = 16;
    private static final int OUT_HEADER_ERROR = 4;
    /** struct fuse_init_out: major, minor, max_readahead, flags, ... */
    private static final int INIT_OUT_FLAGS = 12;
    /** struct iovec: void *iov_base; size_t iov_len (64-bit). */
    private static final int IOVEC_SIZE = 16;
    private static final int IOVEC_LEN = 8;

    /** {@code send} of libfuse 2's {@code struct fuse_chan_ops}. */
    public interface Send {
        @Delegate
        int send(Pointer channel, Pointer iov, long count);
    }

    private InitReply() {
    }

    /** Whether {@code request} (a whole request as read from {@code /dev/fuse}) is an INIT offering the flag. */
    static boolean offersKillprivV2(Pointer request) {
        return request.getInt(FuseLoop.IN_HEADER_OPCODE) == FUSE_INIT
                && (request.getInt(INIT_IN_FLAGS) & FUSE_HANDLE_KILLPRIV_V2) != 0;
    }

    /**
     * Has libfuse process the INIT in {@code buf} (a {@code struct fuse_buf}) and reply through a
     * channel that adds {@link #FUSE_HANDLE_KILLPRIV_V2} to the reply.
     */
    static void process(FuseLoop.LibFuse2 libfuse, Pointer session, Pointer buf, Pointer realChannel) {
        Runtime runtime = Runtime.getRuntime(libfuse);
        int fd = libfuse.fuse_chan_fd(realChannel);
        Runtime libc = Runtime.getRuntime(LibC.INSTANCE);
        Send send = (channel, iov, count) -> {
            if (addFlags(iov, count, FUSE_HANDLE_KILLPRIV_V2)) {
                log.info("FUSE: quillfs clears set-ID bits itself (FUSE_HANDLE_KILLPRIV_V2), so the kernel no longer"
                        + " asks for security.capability before every write");
            }
            return LibC.INSTANCE.writev(fd, iov, (int) count) < 0 ? -LastError.getLastError(libc) : 0;
        };
        Pointer ops = Memory.allocateDirect(runtime, 3 * runtime.addressSize(), true);
        ops.putPointer(runtime.addressSize(), runtime.getClosureManager().getClosurePointer(Send.class, send));
        Pointer channel = libfuse.fuse_chan_new(ops, fd, libfuse.fuse_chan_bufsize(realChannel), null);
        if (channel == null) {
            log.warn("FUSE: no channel for the INIT reply; the kernel will ask for security.capability before"
                    + " every write");
            libfuse.fuse_session_process_buf(session, buf, realChannel);
            return;
        }
        try {
            libfuse.fuse_session_process_buf(session, buf, channel);
        } finally {
            libfuse.fuse_chan_destroy(channel);
        }
    }

    /**
     * Sets {@code flags} in the reply described by the {@code count} iovecs at {@code iov}, if it
     * is a successful INIT reply (an out header with error 0, then a {@code fuse_init_out});
     * returns whether it did.
     */
    static boolean addFlags(Pointer iov, long count, int flags) {
        if (count < 2 || iov.getLong(IOVEC_LEN) < OUT_HEADER_SIZE
                || iov.getPointer(0).getInt(OUT_HEADER_ERROR) != 0
                || iov.getLong(IOVEC_SIZE + IOVEC_LEN) < INIT_OUT_FLAGS + 4) {
            return false;
        }
        Pointer initOut = iov.getPointer(IOVEC_SIZE);
        initOut.putInt(INIT_OUT_FLAGS, initOut.getInt(INIT_OUT_FLAGS) | flags);
        return true;
    }
}
