package org.quillfs.mount;

import jnr.ffi.Pointer;

/**
 * What the request a worker is serving says that libfuse 2's high-level API does not pass on to
 * the callbacks, and the one reply to the kernel a callback may add before its own.
 *
 * <p>Whether the caller lacks CAP_FSETID, so that the change must clear set-ID bits: the kernel
 * says so in a WRITE ({@code FUSE_WRITE_KILL_SUIDGID} in {@code write_flags}) and in a SETATTR
 * that changes the size or the owner ({@code FATTR_KILL_SUIDGID} in {@code valid}), always once
 * {@link InitReply} has negotiated {@code FUSE_HANDLE_KILLPRIV_V2}, and for writes through a
 * direct-I/O handle even without it.
 *
 * <p>{@link #invalidateKernelAttributes}: after a write clears set-ID bits the kernel still
 * caches the old mode (a WRITE's reply carries no attributes, and the kernel does not expect a
 * write to change the mode) until the attribute timeout; an exec meanwhile would still honour
 * set-user-ID. A FUSE_NOTIFY_INVAL_INODE for the request's node, sent before the reply, makes
 * the kernel fetch the attributes again before its next permission check or stat.
 *
 * <p>{@link FuseLoop} notes each request before libfuse processes it; libfuse runs the
 * callback on the same thread, so the note is kept per thread.
 */
final class CurrentRequest {

    static final int FUSE_SETATTR = 4;
    static final int FUSE_WRITE = 16;
    static final int FUSE_WRITE_KILL_SUIDGID = 1 << 2;
    static final int FATTR_KILL_SUIDGID = 1 << 11;
    /** fuse_in_header: u32 len, u32 opcode, u64 unique, u64 nodeid, ... (40 bytes). */
    private static final int IN_HEADER_NODEID = 16;
    /** After the header: fuse_setattr_in starts with u32 valid. */
    private static final int SETATTR_VALID = 40;
    /** fuse_write_in: u64 fh, u64 offset, u32 size, u32 write_flags, ... */
    private static final int WRITE_FLAGS = 40 + 20;

    /** What is noted of one request; one per worker thread, reused. */
    private static final class Note {
        boolean clearSetId;
        long nodeId;
        Pointer channel;
    }

    private static final ThreadLocal<Note> NOTE = ThreadLocal.withInitial(Note::new);

    private CurrentRequest() {
    }

    /**
     * Notes what {@code request} (a whole request as read from {@code /dev/fuse}, arrived on
     * {@code channel}) asks, for this thread.
     */
    static void note(Pointer request, Pointer channel) {
        Note note = NOTE.get();
        note.clearSetId = clearsSetId(request);
        note.nodeId = request.getLong(IN_HEADER_NODEID);
        note.channel = channel;
    }

    /** Whether the request this thread serves asks that set-ID bits be cleared. */
    static boolean clearSetId() {
        return NOTE.get().clearSetId;
    }

    /**
     * Makes the kernel drop the attributes it caches of the node the request this thread serves
     * is about (not its cached pages); nothing outside a request served by {@link FuseLoop}.
     */
    static void invalidateKernelAttributes() {
        Note note = NOTE.get();
        if (note.channel != null) {
            FuseLoop.invalidateAttributes(note.channel, note.nodeId);
        }
    }

    static boolean clearsSetId(Pointer request) {
        switch (request.getInt(FuseLoop.IN_HEADER_OPCODE)) {
            case FUSE_WRITE:
                return (request.getInt(WRITE_FLAGS) & FUSE_WRITE_KILL_SUIDGID) != 0;
            case FUSE_SETATTR:
                return (request.getInt(SETATTR_VALID) & FATTR_KILL_SUIDGID) != 0;
            default:
                return false;
        }
    }
}
