package org.quillfs.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.quillfs.concurrent.ProcessBarrier;
import org.quillfs.txn.CheckpointGate.Mode;

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

    @Test
    void readersRunNoFenceWhereLinuxOffersMembarrier() {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        boolean ci = "true".equals(System.getenv("CI"));
        boolean linux = os.equals("Linux") && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"));
        // the CI machine is Linux on x86_64: there the test must run, and fail if the barrier is off
        assumeTrue(ci || linux, "membarrier is Linux-only (" + os + ", " + arch + ")");
        assertThat(ProcessBarrier.available()).as(ProcessBarrier.unavailableReason()).isTrue();
        assertThat(gate.mode()).isEqualTo(Mode.MEMBARRIER);
    }

    @Test
    void aPauseWaitsForAReaderCountingOnASharedSlot() throws Exception {
        CheckpointGate oneSlot = new CheckpointGate(1, gate.mode());
        oneSlot.enter(); // this thread owns the only slot; the reader below shares it
        oneSlot.exit();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch leave = new CountDownLatch(1);
        threads.submit(() -> {
            oneSlot.enter();
            entered.countDown();
            leave.await();
            oneSlot.exit();
            return null;
        });
        entered.await();
        Future<?> pause = threads.submit(oneSlot::pause);
        Thread.sleep(100);
        assertThat(pause.isDone()).as("paused while a reader is inside").isFalse();
        leave.countDown();
        pause.get(10, TimeUnit.SECONDS);
        AtomicBoolean inside = new AtomicBoolean();
        Future<?> late = threads.submit(() -> {
            oneSlot.enter();
            inside.set(true);
            oneSlot.exit();
        });
        Thread.sleep(100);
        assertThat(inside).as("entered during a pause").isFalse();
        oneSlot.resume();
        late.get(10, TimeUnit.SECONDS);
        assertThat(inside).isTrue();
    }

    static Stream<Arguments> modesAndSlots() {
        List<Arguments> cases = new ArrayList<>();
        for (Mode mode : Mode.values()) {
            if (mode == Mode.MEMBARRIER && !ProcessBarrier.available()) {
                continue; // readersRunNoFenceWhereLinuxOffersMembarrier says whether that is expected
            }
            // 256 slots: every thread owns its own; 2: most threads share a slot with another
            cases.add(Arguments.of(mode, CheckpointGate.SLOTS));
            cases.add(Arguments.of(mode, 2));
        }
        return cases.stream();
    }

    /*
     * A reader inside during a pause shows as a non-zero `inside` or as work done while the pause
     * lasts. The window a broken ordering opens is a few nanoseconds wide: with the barrier taken
     * out of pause() (readers still unfenced), 20,000 pauses caught it in two of four runs on the
     * two-core development machine, so a failure here, even a rare one, is a real bug.
     */
    @ParameterizedTest(name = "{0}, {1} slots")
    @MethodSource("modesAndSlots")
    void noReaderIsInsideWhileAPauseLasts(Mode mode, int slots) throws Exception {
        CheckpointGate stressed = new CheckpointGate(slots, mode);
        int readerCount = 4;
        AtomicInteger inside = new AtomicInteger();
        long[] work = new long[readerCount * 16]; // a plain counter per reader, on its own line
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> readers = new ArrayList<>();
        for (int r = 0; r < readerCount; r++) {
            int mine = r * 16;
            readers.add(threads.submit(() -> {
                while (!stop.get()) {
                    stressed.enter();
                    inside.incrementAndGet();
                    work[mine]++;
                    inside.decrementAndGet();
                    stressed.exit();
                }
            }));
        }
        int readersSeen = 0;
        int readersMoved = 0;
        long before = 0;
        for (int pause = 0; pause < 20_000; pause++) {
            stressed.pause();
            try {
                readersSeen += inside.get();
                long sum = sumOf(work);
                for (int spin = 0; spin < 200; spin++) {
                    Thread.onSpinWait();
                }
                readersSeen += inside.get();
                readersMoved += sumOf(work) == sum ? 0 : 1;
                assertThat(sum).as("work done between pauses").isGreaterThanOrEqualTo(before);
                before = sum;
            } finally {
                stressed.resume();
            }
            if (pause % 64 == 0) {
                Thread.yield(); // let the readers run between some pauses on a two-core machine
            }
        }
        stop.set(true);
        for (Future<?> reader : readers) {
            reader.get(10, TimeUnit.SECONDS);
        }
        assertThat(readersSeen).as("readers seen inside during a pause").isZero();
        assertThat(readersMoved).as("pauses during which a reader did work").isZero();
        assertThat(sumOf(work)).as("readers went on between pauses").isPositive();
    }

    private static long sumOf(long[] work) {
        long sum = 0;
        for (int i = 0; i < work.length; i += 16) {
            sum += work[i];
        }
        return sum;
    }
}
