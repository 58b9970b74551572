package dev.distill.sbom.catalog.dpkg;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses deb822 control data (dpkg's status file, status.d entries): paragraphs separated by blank lines,
 * {@code Field: value} lines, continuation lines starting with a space or tab. Field names compare
 * case-insensitively, as deb822 says; they are stored as first written.
 */
final class DebControl {
    private DebControl() {
    }

    /** The paragraphs, each a map from field name to value (continuations joined with newlines). */
    static List<Map<String, String>> parse(String text) throws MalformedControlException {
        List<Map<String, String>> paragraphs = new ArrayList<>();
        Map<String, String> current = new LinkedHashMap<>();
        String lastField = null;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isBlank()) {
                if (!current.isEmpty()) {
                    paragraphs.add(current);
                    current = new LinkedHashMap<>();
                }
                lastField = null;
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            if (line.startsWith(" ") || line.startsWith("\t")) {
                if (lastField == null) {
                    throw new MalformedControlException("line " + lineNo + ": continuation line without a field");
                }
                current.put(lastField, current.get(lastField) + "\n" + line.substring(1));
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedControlException("line " + lineNo + ": expected 'Field: value'");
            }
            lastField = canonical(current, line.substring(0, colon));
            current.put(lastField, line.substring(colon + 1).strip());
        }
        if (!current.isEmpty()) {
            paragraphs.add(current);
        }
        return paragraphs;
    }

    private static String canonical(Map<String, String> paragraph, String field) {
        for (String k : paragraph.keySet()) {
            if (k.equalsIgnoreCase(field)) {
                return k;
            }
        }
        return field;
    }

    /** A field by case-insensitive name, or null. */
    static String get(Map<String, String> paragraph, String field) {
        for (Map.Entry<String, String> e : paragraph.entrySet()) {
            if (e.getKey().equalsIgnoreCase(field)) {
                return e.getValue();
            }
        }
        return null;
    }

    static final class MalformedControlException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedControlException(String message) {
            super(message);
        }
    }
}
