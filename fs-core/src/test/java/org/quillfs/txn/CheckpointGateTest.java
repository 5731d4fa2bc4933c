package org.quillfs.txn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CheckpointGateTest {

    final CheckpointGate gate = new CheckpointGate();
    final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aPauseWaitsForTheReaderInFlight() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        threads.submit(() -> {
            gate.enter();
            entered.countDown();
            leave.await();
            gate.exit();
            return null;
        });
        entered.await();
        Future<?> pause = threads.submit(gate::pause);
        Thread.sleep(100);
        assertThat(pause.isDone()).as("paused while a reader is inside").isFalse();
        leave.countDown();
        pause.get(10, TimeUnit.SECONDS);
        gate.resume();
    }

    @Test
    void aReaderArrivingDuringAPauseWaitsForTheResume() throws Exception {
        gate.pause();
        AtomicBoolean inside = new AtomicBoolean();
        Future<?> reader = threads.submit(() -> {
            gate.enter();
            inside.set(true);
            gate.exit();
        });
        Thread.sleep(100);
        assertThat(inside).as("entered during a pause").isFalse();
        gate.resume();
        reader.get(10, TimeUnit.SECONDS);
        assertThat(inside).isTrue();
    }

    @Test
    void aPauseSeesEveryReadersChangeWholeOrNotAtAll() throws Exception {
        // each reader changes a and then b inside the gate; a pause must never see them differ
        AtomicLong a = new AtomicLong();
        AtomicLong b = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> readers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            readers.add(threads.submit(() -> {
                while (!stop.get()) {
                    gate.enter();
                    try {
                        a.incrementAndGet();
                        b.incrementAndGet();
                    } finally {
                        gate.exit();
                    }
                }
            }));
        }
        int torn = 0;
        for (int pause = 0; pause < 2_000; pause++) {
            gate.pause();
            try {
                torn += a.get() == b.get() ? 0 : 1;
            } finally {
                gate.resume();
            }
        }
        stop.set(true);
        for (Future<?> reader : readers) {
            reader.get(10, TimeUnit.SECONDS);
        }
        assertThat(torn).as("pauses that saw a change half made").isZero();
        assertThat(a.get()).as("readers went on between pauses").isPositive();
    }

    @Test
    void anInterruptedReaderStillWaitsForTheResumeAndKeepsItsInterrupt() throws Exception {
        gate.pause();
        AtomicBoolean interruptKept = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            started.countDown();
            gate.enter();
            interruptKept.set(Thread.currentThread().isInterrupted());
            gate.exit();
        });
        reader.start();
        started.await();
        Thread.sleep(50);
        reader.interrupt();
        Thread.sleep(50);
        assertThat(reader.isAlive()).as("the interrupt ended the wait").isTrue();
        gate.resume();
        reader.join(10_000);
        assertThat(interruptKept).isTrue();
    }
}
