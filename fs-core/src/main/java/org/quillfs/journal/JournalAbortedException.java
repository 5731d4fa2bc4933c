package org.quillfs.journal;

/**
 * The log could not be written, so nothing appended since the last good flush can be made
 * durable, and nothing more may be appended: the filesystem must stop changing until it is
 * unmounted and recovered (as ext4 aborts its journal).
 */
public final class JournalAbortedException extends IllegalStateException {

    public JournalAbortedException(String message, Throwable cause) {
        super(message, cause);
    }
}
