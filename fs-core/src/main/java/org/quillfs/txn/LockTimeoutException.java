package org.quillfs.txn;

/**
 * A page lock wait that outlasted the {@link PageLockManager}'s watchdog limit. Never expected in
 * correct use: it means a lost wake-up, or a transaction that never ended and so never released
 * its locks. The request was withdrawn; the transaction keeps the locks it had.
 */
public final class LockTimeoutException extends RuntimeException {

    LockTimeoutException(String message) {
        super(message);
    }
}
