package org.quillfs.mount;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;

/**
 * The few C library calls the mount needs that Java has no API for: an open-file-description
 * lock ({@link ImageLock}), a new session and moving a descriptor (daemonising), polling
 * {@code /dev/fuse} ({@link RequestPoll}), writing a reply to it ({@link InitReply}). Strings pass
 * through jnr's default charset (see {@link NativeNames}).
 */
public interface LibC {

    LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");

    int open(String path, int flags, int mode);

    int fcntl(int fd, int cmd, Pointer flock);

    int close(int fd);

    int dup2(int oldFd, int newFd);

    int setsid();

    int getpid();

    /** {@code fds} points at {@code nfds} {@code struct pollfd}s (int fd; short events; short revents). */
    int poll(Pointer fds, long nfds, int timeoutMillis);

    /** {@code iov} points at {@code count} {@code struct iovec}s (void *iov_base; size_t iov_len). */
    long writev(int fd, Pointer iov, int count);
}
