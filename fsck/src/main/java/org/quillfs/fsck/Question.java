package org.quillfs.fsck;

/** What fsck offers to do about a problem, as e2fsck asks it, and how preen mode reports it done. */
enum Question {
    FIX("Fix", "FIXED"),
    CLEAR("Clear", "CLEARED"),
    SALVAGE("Salvage", "SALVAGED"),
    CONNECT("Connect to /lost+found", "CONNECTED"),
    CLONE("Clone multiply-claimed blocks", "CLONED"),
    CREATE("Create", "CREATED"),
    ALLOCATE("Allocate", "ALLOCATED"),
    RECREATE("Recreate", "RECREATED"),
    UNLINK("Unlink", "UNLINKED");

    final String text;
    final String done;

    Question(String text, String done) {
        this.text = text;
        this.done = done;
    }
}
