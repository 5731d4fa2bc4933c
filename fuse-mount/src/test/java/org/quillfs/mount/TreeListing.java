package org.quillfs.mount;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What {@code find -printf} says of every entry under a directory, one sorted line each, for
 * comparing two trees: relative path, type, mode, owner, group, link count, symlink target,
 * size (not for directories: their sizes are the filesystem's own business) and, when asked,
 * mtime to the nanosecond and inode number.
 */
final class TreeListing {

    private TreeListing() {
    }

    /**
     * The listing of {@code dir} (lost+found left out).
     *
     * @param withTimes include mtime (nanoseconds)
     * @param withInodes include inode numbers (only comparable within one filesystem)
     */
    static List<String> of(Path dir, boolean withTimes, boolean withInodes) {
        String format = "%P|%y|%#m|%U|%G|%n|%l|%s" + (withTimes ? "|%T@" : "") + (withInodes ? "|%i" : "") + "\\n";
        MountedImage.Result r = MountedImage.run(List.of("find", ".", "-mindepth", "1", "-path", "./lost+found",
                "-prune", "-o", "-printf", format), dir, java.util.Map.of());
        r.assertSucceeded("find " + dir);
        List<String> lines = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\|", -1);
            if (f[1].equals("d")) {
                f[7] = "-"; // directory sizes differ between filesystems
            }
            lines.add(String.join("|", Arrays.asList(f)));
        }
        lines.sort(null);
        return lines;
    }
}
