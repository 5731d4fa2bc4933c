package org.quillfs.errno;

/**
 * A filesystem operation failed with an errno: the operation has been (or must be) rolled back,
 * and the caller reports {@link #errno()} — to FUSE as a negative number, to a user as a line.
 *
 * <p>It carries no stack trace: ENOENT and ENODATA are everyday answers (a lookup of a name that
 * is not there, the kernel asking for {@code security.capability} before each write), and
 * filling in a trace for each showed in profiles. The message says what and where.
 *
 * <p>{@link #damaged} makes the EIO of metadata found damaged on the device (a checksum that
 * fails, a structure that cannot be): the filesystem must stop changing, as ext4 stops on
 * {@code ext4_error}. Every other failure is the caller's alone.
 */
public final class FsException extends RuntimeException {

    private final Errno errno;
    private final boolean damage;

    public FsException(Errno errno, String message) {
        this(errno, message, false);
    }

    private FsException(Errno errno, String message, boolean damage) {
        super(message, null, false, false);
        this.errno = errno;
        this.damage = damage;
    }

    /** EIO for metadata found damaged on the device: {@code message} says which block and what is wrong. */
    public static FsException damaged(String message) {
        return new FsException(Errno.EIO, message, true);
    }

    public Errno errno() {
        return errno;
    }

    /** Whether this is damaged metadata ({@link #damaged}). */
    public boolean damage() {
        return damage;
    }

    @Override
    public String getMessage() {
        return errno + ": " + super.getMessage();
    }
}
