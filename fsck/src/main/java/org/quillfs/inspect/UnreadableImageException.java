package org.quillfs.inspect;

/** The image cannot be read at all (missing, not quillfs, unreadable geometry): exit 8. */
final class UnreadableImageException extends RuntimeException {

    UnreadableImageException(String message) {
        super(message);
    }
}
