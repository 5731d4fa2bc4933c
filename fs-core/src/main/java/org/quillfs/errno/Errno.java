package org.quillfs.errno;

/**
 * The POSIX error numbers quillfs reports, with their Linux values: what a failed operation
 * returns through FUSE, and what the commands turn into one-line messages.
 */
public enum Errno {
    EPERM(1), ENOENT(2), EIO(5), E2BIG(7), EBADF(9), EACCES(13), EBUSY(16), EEXIST(17), EXDEV(18), ENOTDIR(20),
    EISDIR(21), EINVAL(22), EFBIG(27), ENOSPC(28), EROFS(30), EMLINK(31), ERANGE(34), ENAMETOOLONG(36),
    ENOTEMPTY(39), ELOOP(40), ENODATA(61), EOVERFLOW(75), ENOTSUP(95);

    private final int number;

    Errno(int number) {
        this.number = number;
    }

    /** The Linux errno value. */
    public int number() {
        return number;
    }
}
