package org.quillfs.format;

import java.time.Instant;
import java.util.Random;
import java.util.UUID;

/** Deterministic {@link FormatOptions} for tests: fixed UUID, time and random seed. */
public final class TestFormats {

    public static final UUID UUID = java.util.UUID.fromString("7b1e4c2a-9d3f-4e8b-a6c5-0f1e2d3c4b5a");
    public static final Instant TIME = Instant.parse("2026-11-23T12:00:00.123456789Z");

    private TestFormats() {
    }

    /** A filesystem of {@code bytes} with blocks of {@code blockSize} and every other choice at its default. */
    public static FormatOptions options(int blockSize, long bytes) {
        return new FormatOptions(blockSize, bytes / blockSize, 0, 0, Limits.DEFAULT_BYTES_PER_INODE, "test",
                UUID, 1000, 1000, TIME, new Random(42));
    }
}
