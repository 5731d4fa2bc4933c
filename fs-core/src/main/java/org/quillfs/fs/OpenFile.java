package org.quillfs.fs;

/** A file just created and opened: its attributes and the handle. */
public record OpenFile(Attributes attributes, long handle) {
}
