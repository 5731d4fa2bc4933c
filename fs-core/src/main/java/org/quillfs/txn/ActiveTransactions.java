package org.quillfs.txn;

import com.google.common.collect.Iterables;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The read-write transactions that have begun and not ended: the active-transaction table a
 * checkpoint copies.
 *
 * <h2>Overview</h2>
 * {@link #add} and {@link #remove} run at every transaction's begin and end, on the thread
 * that runs it; iterating and {@link #size} are for checkpoints and unmount, rare.
 *
 * <h2>Implementation notes</h2>
 * Striped by thread: a transaction goes into the set its thread's id picks, so threads running
 * transactions side by side write sets of their own and no cache line moves between their
 * processors at begin and end (one set shared by all was, with two threads creating files,
 * among what grew most in a create's cost: docs/BENCHMARKS.md, "Concurrency"). Consecutive
 * thread ids pick stripes {@value #SPREAD} apart, not neighbours, because the sets' objects,
 * allocated one after another, lie side by side in memory, and each add and remove writes its
 * set's count. A transaction ended on another thread than the one that began it is looked for
 * in every set.
 */
final class ActiveTransactions implements Iterable<Transaction> {

    /** Stripes; a power of two, well above the threads FUSE runs. */
    private static final int STRIPES = 64;
    /** Odd, so that every stripe is used; far enough apart that neighbouring ids share no line. */
    private static final int SPREAD = 17;

    private final Set<Transaction>[] stripes;

    @SuppressWarnings("unchecked")
    ActiveTransactions() {
        stripes = new Set[STRIPES];
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = ConcurrentHashMap.newKeySet();
        }
    }

    void add(Transaction txn) {
        stripes[ownStripe()].add(txn);
    }

    void remove(Transaction txn) {
        if (stripes[ownStripe()].remove(txn)) {
            return;
        }
        for (Set<Transaction> stripe : stripes) {
            if (stripe.remove(txn)) {
                return;
            }
        }
    }

    /** Every active transaction; exact only while nothing begins or ends (under the gate's write side). */
    @Override
    public Iterator<Transaction> iterator() {
        return Iterables.concat(Arrays.asList(stripes)).iterator();
    }

    int size() {
        int size = 0;
        for (Set<Transaction> stripe : stripes) {
            size += stripe.size();
        }
        return size;
    }

    private static int ownStripe() {
        return (int) (Thread.currentThread().getId() * SPREAD) & (STRIPES - 1);
    }
}
