package org.quillfs.fs;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.quillfs.errno.Errno;
import org.quillfs.errno.FsException;

/**
 * The handles of open files and how many are open on each inode.
 *
 * <p>An inode whose last name is removed while it is open stays allocated (on the orphan list)
 * until its last handle is released, so the open count must not change between the moment an
 * unlink looks at it and its commit. Both sides therefore change or read the count while their
 * transaction holds the inode's page lock: {@link #opened} under at least a shared lock,
 * {@link #isOpen} and {@link #closed} under the exclusive lock.
 */
final class OpenFiles {

    /** One open file: its inode and the {@code open(2)} flags it was opened with. */
    record Handle(long inode, int flags) {
        boolean readable() {
            return (flags & OpenFlags.ACCMODE) != OpenFlags.O_WRONLY;
        }

        boolean writable() {
            return (flags & OpenFlags.ACCMODE) != OpenFlags.O_RDONLY;
        }

        boolean appends() {
            return (flags & OpenFlags.O_APPEND) != 0;
        }
    }

    private final ConcurrentHashMap<Long, Handle> handles = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Integer> openCounts = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);

    /** Records a new handle on {@code inode}; returns its number. */
    long opened(long inode, int flags) {
        openCounts.merge(inode, 1, Integer::sum);
        long number = nextHandle.getAndIncrement();
        handles.put(number, new Handle(inode, flags));
        return number;
    }

    /**
     * The handle numbered {@code number}.
     *
     * @throws FsException EBADF if there is none
     */
    Handle get(long number) {
        Handle h = handles.get(number);
        if (h == null) {
            throw new FsException(Errno.EBADF, "no open file has handle " + number);
        }
        return h;
    }

    /** Forgets handle {@code number}; returns it. */
    Handle remove(long number) {
        Handle h = handles.remove(number);
        if (h == null) {
            throw new FsException(Errno.EBADF, "no open file has handle " + number);
        }
        return h;
    }

    /** Counts one handle of {@code inode} closed; returns whether it was the last. */
    boolean closed(long inode) {
        return openCounts.compute(inode, (k, n) -> n == null || n <= 1 ? null : n - 1) == null;
    }

    boolean isOpen(long inode) {
        return openCounts.containsKey(inode);
    }

    int handleCount() {
        return handles.size();
    }
}
