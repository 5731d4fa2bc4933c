package org.quillfs.journal;

/** Bytes in the log that are not a well-formed record: recovery treats the log as ending there. */
public final class CorruptRecordException extends RuntimeException {

    public CorruptRecordException(String message) {
        super(message);
    }
}
