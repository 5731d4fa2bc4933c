package org.quillfs.errno;

/**
 * A filesystem operation failed with an errno: the operation has been (or must be) rolled back,
 * and the caller reports {@link #errno()} — to FUSE as a negative number, to a user as a line.
 */
public final class FsException extends RuntimeException {

    private final Errno errno;

    public FsException(Errno errno, String message) {
        super(message);
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
