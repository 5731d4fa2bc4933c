package org.quillfs.fsck;

import java.io.PrintWriter;

/**
 * The progress bar of {@code -C}: one line per pass, redrawn in place with a carriage return at
 * most every tenth of a second, and wiped before any other line is printed. Off, it does nothing.
 */
final class Progress {

    private static final int WIDTH = 40;
    private static final long INTERVAL_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final boolean on;
    private String label = "";
    private long lastDraw;
    private boolean drawn;

    Progress(PrintWriter out, boolean on) {
        this.out = out;
        this.on = on;
    }

    static Progress off() {
        return new Progress(null, false);
    }

    void start(String passLabel) {
        label = passLabel;
        lastDraw = 0;
    }

    /** {@code done} of {@code total} units of the current pass are finished. */
    void update(long done, long total) {
        if (!on || total <= 0) {
            return;
        }
        long now = System.nanoTime();
        if (drawn && now - lastDraw < INTERVAL_NANOS && done < total) {
            return;
        }
        lastDraw = now;
        int filled = (int) Math.min(WIDTH, done * WIDTH / total);
        out.print("\r" + label + " |" + "=".repeat(filled) + " ".repeat(WIDTH - filled) + "| "
                + Math.min(100, done * 100 / total) + "%");
        out.flush();
        drawn = true;
    }

    /** Wipes the bar so that the next line starts clean. */
    void clear() {
        if (on && drawn) {
            out.print("\r" + " ".repeat(label.length() + WIDTH + 8) + "\r");
            out.flush();
            drawn = false;
        }
    }
}
