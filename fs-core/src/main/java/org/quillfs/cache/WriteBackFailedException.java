package org.quillfs.cache;

/**
 * Metadata blocks could not be written home (the device failed the write or its flush). Their
 * changes are still in the log, but the log's tail can no longer move past them: the filesystem
 * must stop changing, as when the log itself cannot be written.
 */
public final class WriteBackFailedException extends RuntimeException {

    public WriteBackFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
