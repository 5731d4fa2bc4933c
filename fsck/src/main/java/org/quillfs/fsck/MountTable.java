package org.quillfs.fsck;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which quillfs mounts the kernel lists for an image ({@code /proc/self/mounts}): mount.quillfs
 * names the image's real path as the mount's source (a volume's: its members' real paths, joined
 * by commas) and {@code fuse.quillfs} as its type. The
 * lock the mount holds on the image says the same for mounts in other mount namespaces; this
 * names the mount point.
 */
final class MountTable {

    static final Path MOUNTS = Path.of("/proc/self/mounts");

    private MountTable() {
    }

    /** The mount points where {@code image} is mounted as fuse.quillfs; empty when none, or when it cannot be told. */
    static List<String> quillfsMountsOf(Path image) {
        List<String> points = new ArrayList<>();
        try {
            String real = image.toRealPath().toString();
            for (String line : new String(Files.readAllBytes(MOUNTS), StandardCharsets.ISO_8859_1).split("\n")) {
                String[] f = line.split(" ");
                if (f.length >= 3 && f[2].equals("fuse.quillfs") && (unescape(f[0]).equals(real) || List.of(unescape(f[0]).split(",")).contains(real))) {
                    points.add(unescape(f[1]));
                }
            }
        } catch (IOException | RuntimeException e) {
            return points;
        }
        return points;
    }

    /** Undoes the kernel's octal escapes ({@code \040} for a space); the result decoded as UTF-8. */
    static String unescape(String field) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < field.length(); i++) {
            char ch = field.charAt(i);
            if (ch == '\\' && i + 3 < field.length() + 0 && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                bytes.write(Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                bytes.write(ch);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
