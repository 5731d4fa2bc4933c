package org.quillfs.stress;

import java.util.List;
import java.util.function.Consumer;
import org.quillfs.fs.DirectoryEntry;
import org.quillfs.fs.FileSystem;

/** Listing a directory whole, page by page, as readdir(3) does: how the stress test lists. */
final class Listings {

    private Listings() {
    }

    /** Calls {@code action} for each entry of {@code dir}, asking readdir for {@code page} at a time. */
    static void forEachEntry(FileSystem fs, long dir, int page, Consumer<DirectoryEntry> action) {
        long offset = 0;
        List<DirectoryEntry> entries;
        while (!(entries = fs.readdir(dir, offset, page)).isEmpty()) {
            entries.forEach(action);
            offset = entries.get(entries.size() - 1).nextOffset();
        }
    }
}
