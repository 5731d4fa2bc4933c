package org.quillfs.errno;

/**
 * A filesystem operation failed with an errno: the operation has been (or must be) rolled back,
 * and the caller reports {@link #errno()} — to FUSE as a negative number, to a user as a line.
 *
 * <p>It carries no stack trace: ENOENT and ENODATA are everyday answers (a lookup of a name that
 * is not there, the kernel asking for {@code security.capability} before each write), and
 * filling in a trace for each showed in profiles. The message says what and where.
 */
public final class FsException extends RuntimeException {

    private final Errno errno;

    public FsException(Errno errno, String message) {
        super(message, null, false, false);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }

    @Override
    public String getMessage() {
        return errno + ": " + super.getMessage();
    }
}
