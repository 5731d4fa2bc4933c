package org.quillfs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReaderRoleTest {

    private static final long TICK = TimeUnit.MILLISECONDS.toNanos(1);
    /** Long enough for a wrongly woken waiter to have returned many times over. */
    private static final Duration QUIET = Duration.ofMillis(200);

    private final ReaderRole role = new ReaderRole();
    private Thread watchdog;

    @AfterEach
    void close() throws InterruptedException {
        role.close();
        if (watchdog != null) {
            watchdog.join(5_000);
            assertThat(watchdog.isAlive()).as("watchdog ends on close").isFalse();
        }
    }

    private CompletableFuture<Boolean> takeOnAnotherThread() {
        return CompletableFuture.supplyAsync(() -> role.take(), r -> {
            Thread t = new Thread(r, "waiting-worker");
            t.setDaemon(true);
            t.start();
        });
    }

    private void startWatchdog() {
        watchdog = new Thread(() -> role.watch(TICK), "watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    @Test
    void onlyOneWorkerReadsAtATime() {
        assertThat(role.take()).isTrue();
        CompletableFuture<Boolean> second = takeOnAnotherThread();

        assertThat(second.completeOnTimeout(null, QUIET.toMillis(), TimeUnit.MILLISECONDS).join()).isNull();
        assertThat(role.readers()).isEqualTo(1);
    }

    @Test
    void aReaderThatReceivedTakesTheRoleAgainWithoutWakingTheOthers() {
        assertThat(role.take()).isTrue();
        CompletableFuture<Boolean> waiter = takeOnAnotherThread();
        awaitWaiting(waiter);
        role.received(false, false);

        assertThat(takeOnAnotherThread().orTimeout(5, TimeUnit.SECONDS).join())
                .as("the worker that served first reads next, at once").isTrue();
        assertThat(waiter.completeOnTimeout(null, QUIET.toMillis(), TimeUnit.MILLISECONDS).join())
                .as("nobody woke the waiter").isNull();
    }

    @Test
    void moreRequestsQueuedWakeAWaitingWorker() {
        assertThat(role.take()).isTrue();
        CompletableFuture<Boolean> waiter = takeOnAnotherThread();
        awaitWaiting(waiter);

        role.received(true, false);

        assertThat(waiter.orTimeout(5, TimeUnit.SECONDS).join()).isTrue();
        assertThat(role.readers()).isEqualTo(1);
    }

    @Test
    void theWatchdogLetsAnotherWorkerReadWhileTheOnlyReaderServesASlowRequest() {
        startWatchdog();
        assertThat(role.take()).isTrue();
        CompletableFuture<Boolean> waiter = takeOnAnotherThread();
        awaitWaiting(waiter);

        role.received(false, false); // and then serves for longer than a tick: never takes the role again

        assertThat(waiter.orTimeout(5, TimeUnit.SECONDS).join()).isTrue();
    }

    @Test
    void theWatchdogWakesNobodyWhileSomeoneReads() {
        startWatchdog();
        assertThat(role.take()).isTrue(); // a reader waiting in read(2) for the next request
        CompletableFuture<Boolean> waiter = takeOnAnotherThread();

        assertThat(waiter.completeOnTimeout(null, QUIET.toMillis(), TimeUnit.MILLISECONDS).join()).isNull();
    }

    @Test
    void theWatchdogSleepsWhenIdleAndStillWakesAWorkerAfterTheNextRequest() {
        startWatchdog();
        assertThat(role.take()).isTrue();
        CompletableFuture<Boolean> waiter = takeOnAnotherThread();
        awaitWaiting(waiter);
        sleep(Duration.ofNanos(TICK * ReaderRole.IDLE_TICKS * 3)); // idle: the watchdog went to sleep

        role.received(false, false); // a request after the idle spell, and a slow one

        assertThat(waiter.orTimeout(5, TimeUnit.SECONDS).join()).isTrue();
    }

    @Test
    void whileRequestsComeSeveralAtATimeEveryWorkerReads() {
        assertThat(role.take()).isTrue();
        CompletableFuture<Boolean> waiter = takeOnAnotherThread();
        awaitWaiting(waiter);

        role.received(false, true);

        assertThat(waiter.orTimeout(5, TimeUnit.SECONDS).join()).as("the waiting worker was woken").isTrue();
        assertThat(takeOnAnotherThread().orTimeout(5, TimeUnit.SECONDS).join()).as("and the next takes it beside it").isTrue();
        assertThat(role.readers()).isEqualTo(2);
    }

    @Test
    void closeReleasesEveryWaitingWorker() {
        assertThat(role.take()).isTrue();
        CompletableFuture<Boolean> waiter = takeOnAnotherThread();
        awaitWaiting(waiter);

        role.close();

        assertThat(waiter.orTimeout(5, TimeUnit.SECONDS).join()).isFalse();
        assertThat(role.take()).isFalse();
    }

    /** Gives the other thread time to reach its wait (its take cannot complete before then). */
    private static void awaitWaiting(CompletableFuture<Boolean> waiter) {
        sleep(Duration.ofMillis(50));
        assertThat(waiter).isNotDone();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
