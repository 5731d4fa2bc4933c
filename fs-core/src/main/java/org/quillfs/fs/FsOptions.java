package org.quillfs.fs;

import org.quillfs.file.DataMode;
import org.quillfs.txn.MetadataStore;

/**
 * How a filesystem is opened: read-only or not, what updates access times, how file data is
 * written (ordered or through the journal, {@link DataMode}), and the tunables of the journal.
 */
public record FsOptions(boolean readOnly, AtimeMode atime, DataMode data, MetadataStore.Options store) {

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
        return new FsOptions(ro, atime, data, store);
    }

    public FsOptions withAtime(AtimeMode mode) {
        return new FsOptions(readOnly, mode, data, store);
    }

    public FsOptions withData(DataMode mode) {
        return new FsOptions(readOnly, atime, mode, store);
    }

    public FsOptions withStore(MetadataStore.Options options) {
        return new FsOptions(readOnly, atime, data, options);
    }
}
