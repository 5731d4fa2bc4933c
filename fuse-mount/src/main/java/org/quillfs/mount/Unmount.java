package org.quillfs.mount;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Unmounting a FUSE mount from inside its own daemon, as the first tool found can. */
final class Unmount {

    private static final Logger log = LoggerFactory.getLogger(Unmount.class);
    private static final long TIMEOUT_SECONDS = 10;

    private Unmount() {
    }

    /**
     * Detaches {@code mountPoint} now even if busy ({@code fusermount3 -u -z}, else
     * {@code fusermount -u -z}, else {@code umount -l}); the kernel ends the FUSE session when
     * its last user leaves. Failures are logged.
     */
    static void lazily(Path mountPoint) {
        for (List<String> command : List.of(
                List.of("fusermount3", "-u", "-z", mountPoint.toString()),
                List.of("fusermount", "-u", "-z", mountPoint.toString()),
                List.of("umount", "-l", mountPoint.toString()))) {
            Optional<Path> program = which(command.get(0));
            if (program.isEmpty()) {
                continue;
            }
            List<String> full = new ArrayList<>(command);
            full.set(0, program.get().toString());
            try {
                Process p = new ProcessBuilder(NativeNames.forProcessBuilder(full)).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                if (p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return;
                }
                log.warn("{} did not unmount {}", command.get(0), mountPoint);
            } catch (IOException e) {
                log.warn("cannot run {}: {}", command.get(0), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Where {@code program} is, on PATH or in the usual system directories. */
    static Optional<Path> which(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : (path + ":/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Optional.of(Path.of(dir, program));
            }
        }
        return Optional.empty();
    }
}
