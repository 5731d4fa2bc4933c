package org.quillfs.fs;

/**
 * Who asks for an operation: the owner and group a new inode gets. Permission checks are the
 * kernel's (the mount uses {@code default_permissions}), so the facade needs nothing more.
 */
public record Caller(long uid, long gid) {
}
