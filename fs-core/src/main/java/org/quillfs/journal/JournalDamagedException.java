package org.quillfs.journal;

/** The journal's fixed blocks (header, both master copies) cannot be read: recovery cannot start. */
public final class JournalDamagedException extends RuntimeException {

    public JournalDamagedException(String message) {
        super(message);
    }
}
