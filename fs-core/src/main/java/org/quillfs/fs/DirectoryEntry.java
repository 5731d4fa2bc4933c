package org.quillfs.fs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One {@code readdir} result: a name, its inode and {@code DT_*} type, and the offset to pass to
 * the next {@code readdir} to continue after it (stable while the directory changes).
 */
public record DirectoryEntry(byte[] name, long inode, int type, long nextOffset) {

    public DirectoryEntry {
        name = name.clone();
    }

    @Override
    public byte[] name() {
        return name.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DirectoryEntry e
                && Arrays.equals(name, e.name) && inode == e.inode && type == e.type && nextOffset == e.nextOffset;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(name), inode, type, nextOffset);
    }

    @Override
    public String toString() {
        return "DirectoryEntry[" + new String(name, StandardCharsets.UTF_8) + " -> " + inode
                + ", type " + type + ", next " + nextOffset + "]";
    }
}
