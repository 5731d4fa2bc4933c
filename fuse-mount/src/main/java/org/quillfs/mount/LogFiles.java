package org.quillfs.mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a daemon's log goes: {@code $QUILLFS_LOG_DIR/IMAGE-NAME.log}, by default in
 * {@code /var/log/quillfs}; when that cannot be written, in {@code $TMPDIR/quillfs-USER}.
 */
final class LogFiles {

    static final Path DEFAULT_DIR = Path.of("/var/log/quillfs");

    private LogFiles() {
    }

    static Path forImage(Path image) {
        String name = image.getFileName() == null ? "quillfs" : image.getFileName().toString();
        String configured = System.getenv("QUILLFS_LOG_DIR");
        Path first = configured == null || configured.isEmpty() ? DEFAULT_DIR : Path.of(configured);
        Path fallback = Path.of(System.getProperty("java.io.tmpdir"), "quillfs-" + System.getProperty("user.name"));
        for (Path dir : new Path[] {first, fallback}) {
            Path file = dir.resolve(name + ".log");
            if (writable(dir, file)) {
                return file;
            }
        }
        throw new MountException(MountCommand.EXIT_SYSTEM, "cannot write a log file in " + first + " or "
                + fallback + " (set QUILLFS_LOG_DIR to a writable directory)");
    }

    private static boolean writable(Path dir, Path file) {
        try {
            Files.createDirectories(dir);
            if (!Files.exists(file)) {
                Files.createFile(file);
            }
            return Files.isWritable(file);
        } catch (IOException | SecurityException e) {
            return false;
        }
    }
}
