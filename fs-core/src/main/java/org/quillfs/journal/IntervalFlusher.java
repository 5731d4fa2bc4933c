package org.quillfs.journal;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the log durable every commit interval (default 5 s), bounding what a crash can lose of
 * work nobody fsync'd, as ext4's {@code commit=} does.
 */
public final class IntervalFlusher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IntervalFlusher.class);

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "quillfs-log-flusher");
        t.setDaemon(true);
        return t;
    });

    public IntervalFlusher(LogWriter writer, Duration interval) {
        long millis = interval.toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                writer.forceAll();
            } catch (RuntimeException e) {
                log.error("flushing the log failed: {}", e.toString());
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
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
