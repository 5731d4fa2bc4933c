package org.quillfs.mount;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The kernel's table of mounts as this process sees it ({@code /proc/self/mountinfo}). */
final class MountTable {

    static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    /**
     * One line of mountinfo: where, what type, from what source, on which device
     * ({@code MAJOR:MINOR}). Names are strings decoded as Java decodes file names, so that they
     * compare equal to {@code Path.toString()} even where the locale cannot represent them as a
     * {@code Path}.
     */
    record Mount(String mountPoint, String type, String source, String device) {
    }

    private MountTable() {
    }

    static List<Mount> read() {
        try {
            return parse(Files.readAllBytes(MOUNTINFO), NativeNames.fileNameEncoding());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MOUNTINFO, e);
        }
    }

    /** The mount whose mount point is {@code dir} (the last one, if several are stacked). */
    static Optional<Mount> at(Path dir) {
        Optional<Mount> found = Optional.empty();
        for (Mount m : read()) {
            if (m.mountPoint().equals(dir.toString())) {
                found = Optional.of(m);
            }
        }
        return found;
    }

    /**
     * The quillfs mounts of {@code image} (its real path, as mount.quillfs names the source; a
     * volume's source is its members' real paths joined by commas).
     */
    static List<Mount> quillfsMountsOf(Path image) {
        List<Mount> mounts = new ArrayList<>();
        for (Mount m : read()) {
            if (m.type().equals("fuse.quillfs") && (m.source().equals(image.toString())
                    || List.of(m.source().split(",")).contains(image.toString()))) {
                mounts.add(m);
            }
        }
        return mounts;
    }

    /**
     * Parses mountinfo (proc(5)): {@code id parent major:minor root mount-point options
     * [optional fields] - type source super-options}, with space, tab, newline and backslash in
     * names written as octal escapes.
     */
    static List<Mount> parse(byte[] mountinfo, Charset names) {
        List<Mount> mounts = new ArrayList<>();
        String text = new String(mountinfo, java.nio.charset.StandardCharsets.ISO_8859_1);
        for (String line : text.split("\n")) {
            String[] f = line.split(" ");
            int dash = -1;
            for (int i = 6; i < f.length; i++) {
                if (f[i].equals("-")) {
                    dash = i;
                    break;
                }
            }
            if (f.length < 7 || dash < 0 || dash + 2 >= f.length) {
                continue;
            }
            mounts.add(new Mount(unescape(f[4], names), unescape(f[dash + 1], names), unescape(f[dash + 2], names),
                    f[2]));
        }
        return mounts;
    }

    /** Undoes the kernel's octal escapes; {@code field} holds one char per byte. */
    static String unescape(String field, Charset names) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.write(Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.write(c);
            }
        }
        return new String(out.toByteArray(), names);
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
