package org.quillfs.format;

import java.time.Instant;

/**
 * An inode time (docs/FORMAT.md, "Inodes"): i64 seconds since the Unix epoch and u32
 * nanoseconds, 0–999,999,999 when written by quillfs. {@code nanos} holds the field's 32 bits,
 * so a damaged inode may decode to a value outside that range.
 */
public record Timestamp(long seconds, int nanos) {

    public static Timestamp of(Instant instant) {
        return new Timestamp(instant.getEpochSecond(), instant.getNano());
    }

    /**
     * The instant this time stands for; nanoseconds of a second or more (from a damaged inode)
     * carry into the seconds.
     *
     * @throws java.time.DateTimeException if the time is beyond the range of {@link Instant}
     */
    public Instant toInstant() {
        return Instant.ofEpochSecond(seconds, Integer.toUnsignedLong(nanos));
    }
}
