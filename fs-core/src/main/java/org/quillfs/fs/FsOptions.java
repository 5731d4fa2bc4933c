package org.quillfs.fs;

import java.time.Clock;
import org.quillfs.file.DataMode;
import org.quillfs.txn.MetadataStore;

/**
 * How a filesystem is opened: read-only or not, what updates access times, how file data is
 * written (ordered or through the journal, {@link DataMode}), the tunables of the journal, and
 * the clock that the times the filesystem sets come from (the system's; a test may set its own).
 */
public record FsOptions(boolean readOnly, AtimeMode atime, DataMode data, MetadataStore.Options store, Clock clock) {

    /** The system's clock. */
    public FsOptions(boolean readOnly, AtimeMode atime, DataMode data, MetadataStore.Options store) {
        this(readOnly, atime, data, store, Clock.systemUTC());
    }

    /** When reads update a file's access time (as the Linux mount options of the same names). */
    public enum AtimeMode {
        /** Never. */
        NOATIME,
        /** When the access time is older than the modification or change time, or a day old. */
        RELATIME,
        /** On every read. */
        STRICTATIME
    }

    public static FsOptions defaults() {
        return new FsOptions(false, AtimeMode.RELATIME, DataMode.ORDERED, MetadataStore.Options.defaults());
    }

    public FsOptions withReadOnly(boolean ro) {
        return new FsOptions(ro, atime, data, store, clock);
    }

    public FsOptions withAtime(AtimeMode mode) {
        return new FsOptions(readOnly, mode, data, store, clock);
    }

    public FsOptions withData(DataMode mode) {
        return new FsOptions(readOnly, atime, mode, store, clock);
    }

    public FsOptions withStore(MetadataStore.Options options) {
        return new FsOptions(readOnly, atime, data, options, clock);
    }

    public FsOptions withClock(Clock c) {
        return new FsOptions(readOnly, atime, data, store, c);
    }
}
