package org.quillfs.mkfs;

/** A bad argument: the message says what is wrong and what to do; mkfs exits 16. */
final class UsageException extends RuntimeException {

    UsageException(String message) {
        super(message);
    }
}
