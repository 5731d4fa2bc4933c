package org.quillfs.stress;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Notices an operation that takes too long — a deadlock, a lost wake-up — and keeps a dump of
 * every thread from that moment, so the failure shows where each one waited.
 *
 * <p>Each worker marks the start of each operation ({@link #started}) and its end
 * ({@link #finished}); a daemon thread looks every 100 ms for one running past the limit.
 */
final class Watchdog implements AutoCloseable {

    private final Duration limit;
    private final AtomicLongArray startedAt;
    private final AtomicReference<String> report = new AtomicReference<>();
    private final Thread thread;

    Watchdog(int workers, Duration limit) {
        this.limit = limit;
        this.startedAt = new AtomicLongArray(workers);
        this.thread = new Thread(this::watch, "stress-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    void started(int worker) {
        startedAt.set(worker, System.nanoTime());
    }

    void finished(int worker) {
        startedAt.set(worker, 0);
    }

    /** What the watchdog saw, or null if every operation ended in time. */
    String report() {
        return report.get();
    }

    boolean fired() {
        return report.get() != null;
    }

    private void watch() {
        while (!Thread.currentThread().isInterrupted() && report.get() == null) {
            long now = System.nanoTime();
            for (int w = 0; w < startedAt.length(); w++) {
                long started = startedAt.get(w);
                if (started != 0 && now - started > limit.toNanos()) {
                    report.compareAndSet(null, "worker " + w + " has been in one operation for more than "
                            + limit.toSeconds() + " s; every thread:\n" + dumpAllThreads());
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    static String dumpAllThreads() {
        StringBuilder dump = new StringBuilder();
        for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            dump.append(info.getThreadName()).append(" ").append(info.getThreadState());
            if (info.getLockName() != null) {
                dump.append(" on ").append(info.getLockName());
            }
            if (info.getLockOwnerName() != null) {
                dump.append(" owned by ").append(info.getLockOwnerName());
            }
            dump.append('\n');
            for (StackTraceElement frame : info.getStackTrace()) {
                dump.append("    at ").append(frame).append('\n');
            }
        }
        return dump.toString();
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
