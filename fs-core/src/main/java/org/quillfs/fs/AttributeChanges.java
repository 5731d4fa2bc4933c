package org.quillfs.fs;

import java.util.OptionalInt;
import java.util.OptionalLong;
import org.quillfs.format.Timestamp;

/**
 * What one {@code setattr} changes; an empty field is left as it is. Times are given as
 * {@link TimeChange}s so that {@code UTIME_NOW} and {@code UTIME_OMIT} have their meaning.
 */
public record AttributeChanges(
        OptionalInt mode,
        OptionalLong uid,
        OptionalLong gid,
        OptionalLong size,
        TimeChange atime,
        TimeChange mtime) {

    /** A new value for one time: leave it ({@code UTIME_OMIT}), now ({@code UTIME_NOW}) or a given time. */
    public sealed interface TimeChange {
        record Omit() implements TimeChange {
        }

        record Now() implements TimeChange {
        }

        record At(Timestamp time) implements TimeChange {
        }

        TimeChange OMIT = new Omit();
        TimeChange NOW = new Now();

        static TimeChange at(Timestamp time) {
            return new At(time);
        }
    }

    public static AttributeChanges none() {
        return new AttributeChanges(OptionalInt.empty(), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), TimeChange.OMIT, TimeChange.OMIT);
    }

    /** chmod: the permission bits (07777) of {@code mode}. */
    public static AttributeChanges mode(int mode) {
        return none().withMode(mode);
    }

    /** chown: -1 for either leaves it. */
    public static AttributeChanges owner(long uid, long gid) {
        AttributeChanges c = none();
        return new AttributeChanges(c.mode, uid < 0 ? OptionalLong.empty() : OptionalLong.of(uid),
                gid < 0 ? OptionalLong.empty() : OptionalLong.of(gid), c.size, c.atime, c.mtime);
    }

    /** truncate. */
    public static AttributeChanges size(long size) {
        AttributeChanges c = none();
        return new AttributeChanges(c.mode, c.uid, c.gid, OptionalLong.of(size), c.atime, c.mtime);
    }

    /** utimensat. */
    public static AttributeChanges times(TimeChange atime, TimeChange mtime) {
        AttributeChanges c = none();
        return new AttributeChanges(c.mode, c.uid, c.gid, c.size, atime, mtime);
    }

    public AttributeChanges withMode(int newMode) {
        return new AttributeChanges(OptionalInt.of(newMode), uid, gid, size, atime, mtime);
    }

    boolean changesTimes() {
        return !(atime instanceof TimeChange.Omit) || !(mtime instanceof TimeChange.Omit);
    }
}
