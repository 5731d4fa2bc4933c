package org.quillfs.mkfs;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as people type them: a whole number with an optional K, M, G or T suffix (powers of 1024). */
final class Sizes {

    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})(?:([KMGT])(?:I?B)?)?", Pattern.CASE_INSENSITIVE);

    private Sizes() {
    }

    /** Whether {@code text} has the form of a size (it may still be too large). */
    static boolean looksLikeSize(String text) {
        return SIZE.matcher(text.trim()).matches();
    }

    /**
     * Parses {@code text}; a number without a suffix counts {@code unitWithoutSuffix} bytes.
     *
     * @throws UsageException naming {@code what} when the text is not a size
     */
    static long parse(String text, long unitWithoutSuffix, String what) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new UsageException(what + " '" + text + "' is not a size (a number with an optional K, M, G or T suffix)");
        }
        long unit = switch (m.group(2) == null ? "" : m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 1L << 10;
            case "M" -> 1L << 20;
            case "G" -> 1L << 30;
            case "T" -> 1L << 40;
            default -> unitWithoutSuffix;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new UsageException(what + " '" + text + "' is too large");
        }
    }

    /** {@code bytes} the way mkfs prints it: "1.0 GiB", "512 KiB", "1023 bytes". */
    static String human(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return value == Math.rint(value)
                ? String.format(Locale.ROOT, "%d %s", (long) value, units[unit])
                : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
