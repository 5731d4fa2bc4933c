package org.quillfs.fsck;

/** The device cannot be checked at all: exit 8 with this one-line message. */
final class UnreadableException extends RuntimeException {

    UnreadableException(String message) {
        super(message, null, false, false);
    }
}
