package org.quillfs.inspect;

import com.google.gson.GsonBuilder;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What inspect found, as an ordered tree of named values (strings, numbers, booleans, lists,
 * nested sections), printed as indented text or as JSON. Problems are also collected in one
 * list so the command can tell whether everything shown was sound.
 */
final class Report {

    private final Map<String, Object> root = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    Map<String, Object> section(String name) {
        Map<String, Object> section = new LinkedHashMap<>();
        root.put(name, section);
        return section;
    }

    /** A section that is a list of items (each usually a map), such as the groups. */
    List<Object> listSection(String name) {
        List<Object> section = new ArrayList<>();
        root.put(name, section);
        return section;
    }

    /** Records {@code problem} of the structure described by {@code where}, in it and in the summary. */
    void problem(Map<String, Object> where, String what, String problem) {
        where.put("problem", problem);
        problems.add(what + ": " + problem);
    }

    boolean hasProblems() {
        return !problems.isEmpty();
    }

    void printJson(PrintWriter out) {
        Map<String, Object> document = new LinkedHashMap<>(root);
        document.put("problems", problems);
        out.println(new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create().toJson(document));
    }

    void printText(PrintWriter out) {
        printMap(out, root, "");
        if (!problems.isEmpty()) {
            out.println("Problems found:");
            problems.forEach(p -> out.println("  " + p));
        }
    }

    private static void printMap(PrintWriter out, Map<?, ?> map, String indent) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            printValue(out, indent, indent, e.getKey() + ":", e.getValue());
        }
    }

    /**
     * Prints {@code label} and {@code value} on a line starting with {@code prefix}; what is
     * nested in the value goes on the following lines, indented from {@code indent}.
     */
    private static void printValue(PrintWriter out, String prefix, String indent, String label, Object value) {
        if (value instanceof Map<?, ?> nested) {
            out.println(prefix + label);
            printMap(out, nested, indent + "  ");
        } else if (value instanceof List<?> list) {
            out.println(prefix + label + (list.isEmpty() ? " (none)" : ""));
            for (Object item : list) {
                printItem(out, indent + "  ", item);
            }
        } else {
            out.println(prefix + label + " " + value);
        }
    }

    /** A list item: "- " before its first line, the rest aligned under it. */
    private static void printItem(PrintWriter out, String indent, Object item) {
        if (item instanceof Map<?, ?> map && !map.isEmpty()) {
            String prefix = indent + "- ";
            for (Map.Entry<?, ?> e : map.entrySet()) {
                printValue(out, prefix, indent + "  ", e.getKey() + ":", e.getValue());
                prefix = indent + "  ";
            }
        } else {
            out.println(indent + "- " + item);
        }
    }
}
