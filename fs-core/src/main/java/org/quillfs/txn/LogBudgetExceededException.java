package org.quillfs.txn;

/**
 * A transaction tried to log more update bytes than it reserved at begin. Its changes so far
 * are intact and can be aborted (the reservation covers their compensation records); the
 * operation can then run again in a transaction with a larger budget.
 */
public final class LogBudgetExceededException extends IllegalStateException {

    private final long needed;

    public LogBudgetExceededException(String message, long needed) {
        super(message);
        this.needed = needed;
    }

    /** Update bytes the transaction would have needed at least. */
    public long needed() {
        return needed;
    }
}
