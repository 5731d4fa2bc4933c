package org.quillfs.txn;

/**
 * A page lock request that would close a cycle of transactions waiting for each other. The
 * requesting transaction is the victim: it did not get the lock, still holds every lock it had,
 * and its caller aborts it (which releases them) and replays the operation.
 */
public final class DeadlockException extends RuntimeException {

    DeadlockException(String message) {
        super(message);
    }
}
