package org.quillfs.mount;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;

/**
 * Sets how far the kernel reads ahead in the files of this mount: the {@code read_ahead_kb}
 * of the mount's backing device, {@code /sys/class/bdi/MAJOR:MINOR/} (gcsfuse's
 * {@code --max-read-ahead-kb} does the same).
 *
 * <p>Why: libfuse 2 cannot ask for more than the kernel's default 128 KiB in its INIT reply, and
 * a FUSE read request is at most 128 KiB too, so a sequential read reached the daemon as one
 * request at a time, each waiting for the one before: the device's speed never mattered, the
 * round trip did. With 1 MiB of readahead the kernel has up to eight requests out at once, and
 * the workers serve them together (docs/MOUNT.md, "Readahead").
 *
 * <p>Writing the file needs root; without it the kernel's 128 KiB stays, and a line in the
 * log says so — a slower mount, not a failed one.
 */
final class KernelReadahead {

    private static final Path BDI = Path.of("/sys/class/bdi");
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private KernelReadahead() {
    }

    /**
     * Sets the readahead of the mount at {@code mountPoint} to {@code kib} KiB. Call it once the
     * daemon serves requests: it first asks the mount for its root's attributes.
     *
     * @return what went wrong, empty when it was set
     */
    static Optional<String> set(Path mountPoint, long kib) {
        try {
            // The kernel sets the readahead from the INIT reply, which the daemon sends after its
            // init callback has run: a value written before would be overwritten. A request
            // waits until the reply is in, so once this stat returns, the next write sticks.
            Files.readAttributes(mountPoint, BasicFileAttributes.class);
            Optional<String> device = deviceOf(mountPoint, Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8));
            if (device.isEmpty()) {
                return Optional.of(mountPoint + " is not in " + MOUNTINFO);
            }
            Files.writeString(BDI.resolve(device.get()).resolve("read_ahead_kb"), Long.toString(kib));
            return Optional.empty();
        } catch (IOException | SecurityException e) {
            return Optional.of(e.toString());
        }
    }

    /**
     * The {@code MAJOR:MINOR} of the last mount on {@code mountPoint} in {@code mountinfo} (the
     * lines of {@code /proc/self/mountinfo}: field 3 is the device, field 5 the mount point,
     * with space, tab, newline and backslash written as octal escapes).
     */
    static Optional<String> deviceOf(Path mountPoint, List<String> mountinfo) {
        String wanted = mountPoint.toString();
        String found = null;
        for (String line : mountinfo) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && unescape(fields[4]).equals(wanted)) {
                found = fields[2];
            }
        }
        return Optional.ofNullable(found);
    }

    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
