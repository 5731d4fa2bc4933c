package org.quillfs.journal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Makes the log, and the file data written around it so far, durable every commit interval
 * (default 5 s), bounding what a crash can lose of work nobody fsync'd, as ext4's
 * {@code commit=} does. A failed force has aborted the journal; it is reported to
 * {@code onFailure}, and nothing more is forced. Its thread also runs the
 * log's write-behind ({@link #execute}, {@link LogWriter#writeBehindOn}).
 */
public final class IntervalFlusher implements AutoCloseable {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "quillfs-log-flusher");
        t.setDaemon(true);
        return t;
    });

    private final Consumer<RuntimeException> onFailure;

    public IntervalFlusher(LogWriter writer, Duration interval, Consumer<RuntimeException> onFailure) {
        this.onFailure = onFailure;
        long millis = interval.toMillis();
        timer.scheduleWithFixedDelay(() -> {
            if (writer.aborted()) {
                return;
            }
            try {
                writer.forceAll();
            } catch (RuntimeException e) {
                onFailure.accept(e);
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} on the flusher's thread, after what is queued there; a failure goes where a force's would. */
    public void execute(Runnable task) {
        timer.execute(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                onFailure.accept(e);
            }
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
