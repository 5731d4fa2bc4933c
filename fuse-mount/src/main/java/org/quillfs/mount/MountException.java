package org.quillfs.mount;

/** The mount is refused or failed: one line for the user and mount(8)'s exit code. */
final class MountException extends RuntimeException {

    private final int exitCode;

    MountException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
