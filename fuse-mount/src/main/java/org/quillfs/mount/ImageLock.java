package org.quillfs.mount;

import java.nio.file.Path;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The exclusive lock a mount holds on its image for as long as it is mounted, so that a second
 * mount, mkfs or fsck of the same image is refused.
 *
 * <p>It is an open-file-description lock ({@code F_OFD_SETLK}, Linux 3.15), not the
 * process-owned {@code F_SETLK} lock that {@code FileChannel.lock} takes. A process-owned lock
 * is dropped by the kernel when the process closes <em>any</em> descriptor of the file — and
 * {@code FileSystem.open} opens and closes the image once to read its block size, which would
 * silently release a {@code FileChannel} lock taken before it. An OFD lock belongs to this one
 * descriptor and lasts until it is closed. Both kinds conflict with each other, so mkfs's
 * {@code FileChannel.tryLock} still sees the image as in use.
 */
final class ImageLock implements AutoCloseable {

    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 02000000;
    private static final int F_OFD_SETLK = 37;
    private static final short F_WRLCK = 1;
    private static final int EACCES = 13;
    private static final int EAGAIN = 11;
    /** struct flock on 64-bit Linux: short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid. */
    private static final int FLOCK_SIZE = 32;

    private static final LibC LIBC = LibC.INSTANCE;

    private final int fd;

    private ImageLock(int fd) {
        this.fd = fd;
    }

    /** Why the lock could not be taken. */
    static final class LockException extends Exception {
        private final boolean held;

        LockException(boolean held, String message) {
            super(message);
            this.held = held;
        }

        /** Whether another process holds it (rather than the image not opening at all). */
        boolean heldByOther() {
            return held;
        }
    }

    /** Opens {@code image} for reading and writing and locks all of it, or fails at once. */
    static ImageLock tryLock(Path image) throws LockException {
        Runtime runtime = Runtime.getRuntime(LIBC);
        String nativePath = NativeNames.toNative(image.toString(), NativeNames.fileNameEncoding());
        int fd = LIBC.open(nativePath, O_RDWR | O_CLOEXEC, 0);
        if (fd < 0) {
            int errno = runtime.getLastError();
            throw new LockException(false, "cannot open " + image + ": " + strerror(errno));
        }
        Pointer flock = Memory.allocateDirect(runtime, FLOCK_SIZE, true);
        flock.putShort(0, F_WRLCK); // l_whence SEEK_SET, l_start 0, l_len 0 (to the end), l_pid 0
        if (LIBC.fcntl(fd, F_OFD_SETLK, flock) != 0) {
            int errno = runtime.getLastError();
            LIBC.close(fd);
            if (errno == EACCES || errno == EAGAIN) {
                throw new LockException(true, image + " is in use by another process");
            }
            throw new LockException(false, "cannot lock " + image + ": " + strerror(errno));
        }
        return new ImageLock(fd);
    }

    private static String strerror(int errno) {
        return jnr.constants.platform.Errno.valueOf(errno).description();
    }

    /** Releases the lock (closing the descriptor). */
    @Override
    public void close() {
        LIBC.close(fd);
    }
}
