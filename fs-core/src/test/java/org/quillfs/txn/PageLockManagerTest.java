package org.quillfs.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PageLockManagerTest {

    static final long A = 10;
    static final long B = 20;
    static final long C = 30;

    /** Every wait in these tests is bounded: a request that wrongly waits fails after 5 s. */
    final PageLockManager locks = new PageLockManager(Duration.ofSeconds(5));

    /** A lock request made on a thread of its own, so that the test can watch it wait. */
    static final class LockAttempt {
        private final String what;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final Thread thread;

        LockAttempt(String what, Runnable request) {
            this.what = what;
            this.thread = new Thread(() -> {
                try {
                    request.run();
                    done.complete(null);
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            }, what);
            thread.setDaemon(true);
            thread.start();
        }

        /** Returns once the request waits for its lock; fails if it ends instead, or does not wait within 5 s. */
        LockAttempt waits() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (thread.getState() != Thread.State.TIMED_WAITING) {
                assertThat(done).as(what + " should wait for its lock").isNotDone();
                if (System.nanoTime() > deadline) {
                    fail(what + " did not start waiting within 5 s");
                }
                Thread.yield();
            }
            return this;
        }

        /** Returns once the request has its lock; fails if it failed, or is still waiting after 5 s. */
        void getsIt() {
            assertThat(done).as(what).succeedsWithin(Duration.ofSeconds(5));
        }
    }

    static LockAttempt attempt(String what, Runnable request) {
        return new LockAttempt(what, request);
    }

    @Test
    void sharedLocksCoexist() {
        locks.lockShared(1, A);
        locks.lockShared(2, A);

        assertThat(locks.holdsShared(1, A)).isTrue();
        assertThat(locks.holdsShared(2, A)).isTrue();
        assertThat(locks.holdsExclusive(1, A)).isFalse();
        assertThat(locks.holdsExclusive(2, A)).isFalse();
    }

    @Test
    void exclusiveLockKeepsEveryoneElseOutUntilReleased() {
        locks.lockExclusive(1, A);
        LockAttempt reader = attempt("txn 2 shared A", () -> locks.lockShared(2, A)).waits();
        LockAttempt writer = attempt("txn 3 exclusive A", () -> locks.lockExclusive(3, A)).waits();

        locks.releaseAll(1);
        reader.getsIt();
        assertThat(locks.holdsShared(2, A)).isTrue();
        assertThat(locks.holdsShared(3, A)).isFalse();

        locks.releaseAll(2);
        writer.getsIt();
        assertThat(locks.holdsExclusive(3, A)).isTrue();
    }

    @Test
    void locksOnDifferentBlocksDoNotExcludeEachOther() {
        locks.lockExclusive(1, A);
        locks.lockExclusive(2, B);

        assertThat(locks.holdsExclusive(1, A)).isTrue();
        assertThat(locks.holdsExclusive(2, B)).isTrue();
    }

    @Test
    void exclusiveImpliesSharedAndRelockingIsANoOp() {
        locks.lockExclusive(1, A);
        locks.lockShared(1, A);
        locks.lockExclusive(1, A);

        assertThat(locks.holdsExclusive(1, A)).isTrue();
        assertThat(locks.holdsShared(1, A)).isTrue();

        locks.releaseAll(1);
        assertThat(locks.holdsShared(1, A)).isFalse();
    }

    @Test
    void soleSharedHolderUpgradesAtOnce() {
        locks.lockShared(1, A);
        locks.lockExclusive(1, A);

        assertThat(locks.holdsExclusive(1, A)).isTrue();
        LockAttempt reader = attempt("txn 2 shared A", () -> locks.lockShared(2, A)).waits();

        locks.releaseAll(1);
        reader.getsIt();
    }

    @Test
    void upgradeWaitsForTheOtherSharedHolders() {
        locks.lockShared(1, A);
        locks.lockShared(2, A);
        LockAttempt upgrade = attempt("txn 1 upgrades A", () -> locks.lockExclusive(1, A)).waits();
        assertThat(locks.holdsShared(1, A)).isTrue();
        assertThat(locks.holdsExclusive(1, A)).isFalse();

        locks.releaseAll(2);
        upgrade.getsIt();
        assertThat(locks.holdsExclusive(1, A)).isTrue();
    }

    @Test
    void upgradeQueuesAheadOfTransactionsThatDoNotHoldTheBlock() {
        locks.lockShared(1, A);
        locks.lockShared(2, A);
        LockAttempt outsider = attempt("txn 3 exclusive A", () -> locks.lockExclusive(3, A)).waits();
        LockAttempt upgrade = attempt("txn 1 upgrades A", () -> locks.lockExclusive(1, A)).waits();

        locks.releaseAll(2);
        upgrade.getsIt();
        assertThat(locks.holdsShared(3, A)).isFalse();

        locks.releaseAll(1);
        outsider.getsIt();
    }

    @Test
    void soleHolderUpgradesPastAQueuedWriter() {
        locks.lockShared(1, A);
        LockAttempt writer = attempt("txn 2 exclusive A", () -> locks.lockExclusive(2, A)).waits();

        locks.lockExclusive(1, A);
        assertThat(locks.holdsExclusive(1, A)).isTrue();

        locks.releaseAll(1);
        writer.getsIt();
    }

    @Test
    void holderRelocksWithoutQueueingBehindAWaitingWriter() {
        locks.lockShared(1, A);
        LockAttempt writer = attempt("txn 2 exclusive A", () -> locks.lockExclusive(2, A)).waits();

        locks.lockShared(1, A);

        locks.releaseAll(1);
        writer.getsIt();
    }

    @Test
    void newReadersQueueBehindAWaitingWriterSoItIsNotStarved() {
        locks.lockShared(1, A);
        LockAttempt writer = attempt("txn 2 exclusive A", () -> locks.lockExclusive(2, A)).waits();
        List<LockAttempt> readers = new ArrayList<>();
        for (long txn = 3; txn < 8; txn++) {
            long reader = txn;
            readers.add(attempt("txn " + reader + " shared A", () -> locks.lockShared(reader, A)).waits());
        }

        locks.releaseAll(1);
        writer.getsIt();
        for (long txn = 3; txn < 8; txn++) {
            assertThat(locks.holdsShared(txn, A)).as("txn %d went ahead of the writer", txn).isFalse();
        }

        locks.releaseAll(2);
        readers.forEach(LockAttempt::getsIt);
    }

    @Test
    void twoTransactionCycleFailsTheRequesterThatClosesIt() {
        locks.lockExclusive(1, A);
        locks.lockExclusive(2, B);
        LockAttempt first = attempt("txn 1 exclusive B", () -> locks.lockExclusive(1, B)).waits();

        assertThatThrownBy(() -> locks.lockExclusive(2, A))
                .isInstanceOf(DeadlockException.class)
                .hasMessageContaining("transaction 2 would deadlock waiting for block " + A + " (exclusive)")
                .hasMessageContaining("2 -> 1 -> 2");
        assertThat(locks.holdsExclusive(2, B)).as("the victim keeps its locks").isTrue();
        assertThat(locks.holdsShared(2, A)).isFalse();
        first.waits();

        locks.releaseAll(2);
        first.getsIt();
        assertThat(locks.holdsExclusive(1, B)).isTrue();
    }

    @Test
    void threeTransactionCycleFailsOnlyTheRequesterThatClosesIt() {
        locks.lockExclusive(1, A);
        locks.lockExclusive(2, B);
        locks.lockShared(3, C);
        LockAttempt first = attempt("txn 1 exclusive B", () -> locks.lockExclusive(1, B)).waits();
        LockAttempt second = attempt("txn 2 exclusive C", () -> locks.lockExclusive(2, C)).waits();

        assertThatThrownBy(() -> locks.lockShared(3, A))
                .isInstanceOf(DeadlockException.class)
                .hasMessageContaining("transaction 3 would deadlock waiting for block " + A + " (shared)")
                .hasMessageContaining("3 -> 1 -> 2 -> 3");
        assertThat(locks.holdsShared(3, C)).isTrue();
        first.waits();
        second.waits();

        locks.releaseAll(3);
        second.getsIt();
        first.waits();
        locks.releaseAll(2);
        first.getsIt();
    }

    @Test
    void twoUpgradersDeadlockAndTheSecondIsTheVictim() {
        locks.lockShared(1, A);
        locks.lockShared(2, A);
        LockAttempt first = attempt("txn 1 upgrades A", () -> locks.lockExclusive(1, A)).waits();

        assertThatThrownBy(() -> locks.lockExclusive(2, A))
                .isInstanceOf(DeadlockException.class)
                .hasMessageContaining("transaction 2 would deadlock waiting for block " + A + " (exclusive)");
        assertThat(locks.holdsShared(2, A)).isTrue();
        assertThat(locks.holdsExclusive(2, A)).isFalse();

        locks.releaseAll(2);
        first.getsIt();
        assertThat(locks.holdsExclusive(1, A)).isTrue();
    }

    @Test
    void waitingBehindAQueuedRequestCountsInTheCycle() {
        locks.lockShared(1, A);
        locks.lockExclusive(3, B);
        LockAttempt writer = attempt("txn 2 exclusive A", () -> locks.lockExclusive(2, A)).waits();
        LockAttempt reader = attempt("txn 1 shared B", () -> locks.lockShared(1, B)).waits();

        // Txn 3 would queue behind txn 2, which waits for txn 1, which waits for txn 3.
        assertThatThrownBy(() -> locks.lockShared(3, A))
                .isInstanceOf(DeadlockException.class)
                .hasMessageContaining("3 -> 2 -> 1 -> 3");

        locks.releaseAll(3);
        reader.getsIt();
        locks.releaseAll(1);
        writer.getsIt();
    }

    @Test
    void watchdogNamesTheBlockAndItsHolders() {
        PageLockManager impatient = new PageLockManager(Duration.ofMillis(200));
        impatient.lockShared(1, A);
        impatient.lockShared(2, A);

        assertThatThrownBy(() -> impatient.lockExclusive(3, A))
                .isInstanceOf(LockTimeoutException.class)
                .hasMessageContaining("transaction 3 waited 200 ms for block " + A + " (exclusive)")
                .hasMessageContaining("held by transactions 1 (shared), 2 (shared)");
        assertThat(impatient.holdsShared(3, A)).isFalse();

        impatient.releaseAll(1);
        impatient.releaseAll(2);
        assertThat(impatient.blocksTracked()).as("the timed-out request left nothing behind").isZero();
    }

    @Test
    void lockTableEmptiesWhenEveryTransactionHasReleased() {
        for (long txn = 1; txn <= 20; txn++) {
            for (long block = 0; block < 10; block++) {
                locks.lockShared(txn, block);
            }
            locks.lockExclusive(txn, 100 + txn);
        }
        assertThat(locks.blocksTracked()).isEqualTo(30);

        locks.lockExclusive(21, 200);
        LockAttempt waiter = attempt("txn 22 shared 200", () -> locks.lockShared(22, 200)).waits();
        locks.releaseAll(21);
        waiter.getsIt();
        for (long txn = 1; txn <= 22; txn++) {
            locks.releaseAll(txn);
        }
        assertThat(locks.blocksTracked()).isZero();
    }

    @Test
    void lockTableDoesNotGrowWithBlocksNobodyHolds() {
        for (long txn = 1; txn <= 10 * PageLockManager.SWEEP_MIN; txn++) {
            locks.lockShared(txn, txn);
            locks.lockExclusive(txn, txn + 1);
            locks.releaseAll(txn);
            assertThat(locks.tableSize()).isLessThanOrEqualTo(PageLockManager.SWEEP_MIN + 2);
        }
        assertThat(locks.blocksTracked()).isZero();
    }

    @Test
    void aSweepKeepsTheLocksStillHeld() {
        locks.lockExclusive(1, A);
        for (long txn = 2; txn <= 3 * PageLockManager.SWEEP_MIN; txn++) {
            locks.lockShared(txn, 1000 + txn);
            locks.releaseAll(txn);
        }
        assertThat(locks.tableSize()).as("swept").isLessThan(2 * PageLockManager.SWEEP_MIN);

        assertThat(locks.holdsExclusive(1, A)).isTrue();
        LockAttempt reader = attempt("txn 0 shared A", () -> locks.lockShared(0, A)).waits();
        locks.releaseAll(1);
        reader.getsIt();
    }

    @Test
    void releaseAllOfATransactionWithoutLocksDoesNothing() {
        locks.lockShared(1, A);
        locks.releaseAll(2);

        assertThat(locks.holdsShared(1, A)).isTrue();
    }

    @Test
    void aTransactionWaitsForOneBlockAtATime() {
        locks.lockExclusive(1, A);
        locks.lockExclusive(1, B);
        LockAttempt reader = attempt("txn 2 shared A", () -> locks.lockShared(2, A)).waits();

        assertThatThrownBy(() -> locks.lockShared(2, B))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a transaction waits for one block at a time");
        locks.releaseAll(1);
        reader.getsIt();
    }

    @Test
    void waitLimitMustBePositive() {
        assertThatThrownBy(() -> new PageLockManager(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
