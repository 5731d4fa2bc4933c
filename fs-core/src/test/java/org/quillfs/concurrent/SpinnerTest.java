package org.quillfs.concurrent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SpinnerTest {

    @Test
    void spinsUntilTheAttemptSucceeds() {
        AtomicInteger attempts = new AtomicInteger();
        boolean succeeded = new Spinner(TimeUnit.SECONDS.toNanos(10)).spinUntil(() -> attempts.incrementAndGet() == 100);

        assertThat(succeeded).isTrue();
        assertThat(attempts).hasValue(100);
    }

    @Test
    void givesUpWhenTheBudgetIsSpent() {
        long budget = TimeUnit.MILLISECONDS.toNanos(20);
        long start = System.nanoTime();
        boolean succeeded = new Spinner(budget).spinUntil(() -> false);

        assertThat(succeeded).isFalse();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(budget);
    }

    /**
     * One processor is always left for the thread being waited for: the next waiter sleeps at
     * once, also when it waits on another spinner (another lock).
     */
    @Test
    void noMoreSpinnersThanProcessorsLessOne() throws InterruptedException {
        int processors = Runtime.getRuntime().availableProcessors();
        Spinner spinner = new Spinner(TimeUnit.SECONDS.toNanos(30));
        AtomicBoolean release = new AtomicBoolean();
        CountDownLatch spinning = new CountDownLatch(processors - 1);
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < processors - 1; i++) {
            AtomicBoolean counted = new AtomicBoolean();
            spinners.add(startThread(() -> spinner.spinUntil(() -> {
                if (counted.compareAndSet(false, true)) {
                    spinning.countDown();
                }
                return release.get();
            })));
        }
        try {
            assertThat(spinning.await(10, TimeUnit.SECONDS)).as("the other spinners started").isTrue();
            AtomicBoolean attempted = new AtomicBoolean();

            boolean succeeded = new Spinner(TimeUnit.SECONDS.toNanos(30)).spinUntil(() -> attempted.getAndSet(true));

            assertThat(succeeded).isFalse();
            assertThat(attempted).as("no attempt made").isFalse();
        } finally {
            release.set(true);
            for (Thread t : spinners) {
                t.join();
            }
        }
    }

    private static Thread startThread(Runnable body) {
        Thread thread = new Thread(body, "spinner");
        thread.start();
        return thread;
    }
}
