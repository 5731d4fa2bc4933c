package org.quillfs.mount;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** A real tree of thousands of files on this machine to copy onto a mount. */
final class RealTree {

    static final int MIN_ENTRIES = 2000;
    private static final List<Path> CANDIDATES = List.of(Path.of("/usr/share/doc"), Path.of("/usr/share/locale"),
            Path.of("/usr/share/man"), Path.of("/usr/share/zoneinfo"), Path.of("/usr/lib/jvm"));

    private RealTree() {
    }

    /** The first of the usual system trees with at least {@value #MIN_ENTRIES} entries. */
    static Path pick() {
        for (Path candidate : CANDIDATES) {
            if (Files.isDirectory(candidate) && count(candidate) >= MIN_ENTRIES) {
                return candidate;
            }
        }
        throw new AssertionError("none of " + CANDIDATES + " holds " + MIN_ENTRIES + " files to copy");
    }

    private static long count(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.limit(MIN_ENTRIES).count();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }
}
