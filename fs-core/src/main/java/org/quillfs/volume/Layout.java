package org.quillfs.volume;

/** How a volume lays the filesystem's blocks over its members (docs/FORMAT.md "Volume label"). */
public enum Layout {
    /** Members in sequence: capacity is the sum of the members' data areas. */
    CONCAT(1, "concat"),
    /** RAID 0: stripe units of {@code u} blocks dealt round-robin over the members. */
    STRIPE(2, "stripe");

    private final int code;
    private final String word;

    Layout(int code, String word) {
        this.code = code;
        this.word = word;
    }

    /** The number stored in the label. */
    public int code() {
        return code;
    }

    /** The word the commands take and print: {@code concat} or {@code stripe}. */
    public String word() {
        return word;
    }

    /** The layout stored as {@code code}, or null for a code no layout has. */
    static Layout ofCode(int code) {
        for (Layout layout : values()) {
            if (layout.code == code) {
                return layout;
            }
        }
        return null;
    }

    /** The layout called {@code word} on a command line, or null. */
    public static Layout ofWord(String word) {
        for (Layout layout : values()) {
            if (layout.word.equals(word)) {
                return layout;
            }
        }
        return null;
    }
}
