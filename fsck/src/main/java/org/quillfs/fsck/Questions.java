package org.quillfs.fsck;

import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * Asks what to do about each problem and prints it, one line each, the way e2fsck does:
 * {@code <what is wrong and where>.  <Question>? yes}. How the answer comes depends on the mode:
 *
 * <ul>
 * <li>{@code -n}: every answer is no; nothing is changed.
 * <li>{@code -y}: every answer is yes.
 * <li>{@code -p}: yes to what is safe to repair without a human ({@code preenOk}), printed as
 *     {@code <device>: <what>  FIXED.}; anything else stops the run ({@link PreenStop}, exit 4).
 * <li>interactive: the question is asked on the terminal; {@code y}, {@code n}, {@code a} (yes to
 *     all from now on) or {@code q} / end of input ({@link Cancelled}, exit 32).
 * </ul>
 *
 * Counts what was answered yes and no: the exit code follows from them.
 */
final class Questions {

    enum Mode { NO, YES, PREEN, ASK }

    /** -p met a problem that needs a human. */
    static final class PreenStop extends RuntimeException {
        PreenStop() {
            super("unexpected inconsistency", null, false, false);
        }
    }

    /** The user asked to stop. */
    static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    private Mode mode;
    private final PrintWriter out;
    private final String device;
    private final Supplier<String> answers;
    private final Progress progress;
    private int fixed;
    private int unfixed;

    /** {@code answers} gives one line of the user's input per call, null at the end (interactive mode only). */
    Questions(Mode mode, PrintWriter out, String device, Supplier<String> answers, Progress progress) {
        this.mode = mode;
        this.out = out;
        this.device = device;
        this.answers = answers;
        this.progress = progress;
    }

    Mode mode() {
        return mode;
    }

    boolean readOnly() {
        return mode == Mode.NO;
    }

    /** Problems repaired so far. */
    int fixed() {
        return fixed;
    }

    /** Problems found and left as they were. */
    int unfixed() {
        return unfixed;
    }

    /** Counts a problem left as it is without a question (what -n leaves undone, such as journal replay). */
    void leftUndone() {
        unfixed++;
    }

    /** Counts a problem that could not be repaired although the answer was yes. */
    void failed(String message) {
        line(message);
        unfixed++;
    }

    /** Reports {@code problem} and asks whether to do {@code question}; true means do it. */
    boolean ask(String problem, Question question, boolean preenOk) {
        progress.clear();
        switch (mode) {
            case NO -> {
                out.println(problem + "  " + question.text + "? no");
                unfixed++;
                return false;
            }
            case YES -> {
                out.println(problem + "  " + question.text + "? yes");
                fixed++;
                return true;
            }
            case PREEN -> {
                if (!preenOk) {
                    out.println(device + ": " + problem);
                    out.println();
                    out.println(device + ": UNEXPECTED INCONSISTENCY; RUN fsck MANUALLY.");
                    out.println("\t(i.e., without -a or -p options)");
                    out.flush();
                    unfixed++;
                    throw new PreenStop();
                }
                out.println(device + ": " + problem + "  " + question.done + ".");
                fixed++;
                return true;
            }
            default -> {
                return interactive(problem, question);
            }
        }
    }

    private boolean interactive(String problem, Question question) {
        while (true) {
            out.print(problem + "  " + question.text + "<y>? ");
            out.flush();
            String line = answers.get();
            if (line == null) {
                out.println();
                throw new Cancelled();
            }
            switch (line.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "", "y", "yes" -> {
                    fixed++;
                    return true;
                }
                case "n", "no" -> {
                    unfixed++;
                    return false;
                }
                case "a", "all" -> {
                    mode = Mode.YES;
                    fixed++;
                    return true;
                }
                case "q", "quit" -> throw new Cancelled();
                default -> out.println("Answer y (yes), n (no), a (yes to all) or q (quit).");
            }
        }
    }

    /** An informational line. */
    void line(String text) {
        progress.clear();
        out.println(mode == Mode.PREEN && !text.isEmpty() ? device + ": " + text : text);
    }

    /** A line about the device as a whole, always starting with its name. */
    void deviceLine(String text) {
        progress.clear();
        out.println(device + ": " + text);
    }

    /** A line printed only outside preen mode (pass headers and the like, which -p keeps quiet). */
    void header(String text) {
        if (mode != Mode.PREEN) {
            progress.clear();
            out.println(text);
        }
    }

    void flush() {
        out.flush();
    }
}
