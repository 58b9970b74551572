package dev.distill.sbom.catalog.dpkg;

import dev.distill.sbom.model.LicenseExpressions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Licenses from a Debian copyright file as one SPDX expression: from the {@code License:} fields of a
 * machine-readable file (DEP-5, copyright-format 1.0), else from the grants and common-licenses references of a
 * prose file ({@link ProseCopyright}). Names become SPDX ids through {@link DebianLicenseNames}.
 */
final class DebianCopyright {
    private DebianCopyright() {
    }

    /** True for copyright-format 1.0 files. */
    static boolean isMachineReadable(String text) {
        String head = text.lines().findFirst().orElse("");
        return head.regionMatches(true, 0, "Format:", 0, 7) && head.contains("copyright-format/1.0");
    }

    /**
     * The distinct license expressions of the file, sorted: those of a DEP-5 file's Files paragraphs (and header),
     * or those a prose file states; empty when there are none or a DEP-5 file cannot be parsed.
     */
    static List<String> licenses(String text) {
        if (!isMachineReadable(text)) {
            return new ArrayList<>(ProseCopyright.licenses(text));
        }
        List<Map<String, String>> paragraphs;
        try {
            paragraphs = DebControl.parse(text);
        } catch (DebControl.MalformedControlException e) {
            return List.of();
        }
        TreeSet<String> out = new TreeSet<>();
        for (int i = 0; i < paragraphs.size(); i++) {
            Map<String, String> p = paragraphs.get(i);
            String license = DebControl.get(p, "License");
            if (license == null || (i > 0 && DebControl.get(p, "Files") == null)) {
                continue; // standalone License paragraphs only hold texts
            }
            String e = DebianLicenseNames.expression(license.lines().findFirst().orElse(""));
            if (e != null) {
                out.add(LicenseExpressions.canonical(e));
            }
        }
        return new ArrayList<>(out);
    }

    /** Combines the file's expressions into one: each term kept once, all required. */
    static String combine(List<String> expressions) {
        if (expressions.isEmpty()) {
            return null;
        }
        List<String> terms = new ArrayList<>();
        for (String e : expressions) {
            terms.add("(" + e + ")");
        }
        return LicenseExpressions.canonical(String.join(" AND ", terms));
    }

    /** One DEP-5 short-name expression ("GPL-2+ or Artistic") as an SPDX expression. */
    static String expression(String shortName) {
        return LicenseExpressions.canonical(DebianLicenseNames.expression(shortName));
    }

    static String term(String name) {
        return DebianLicenseNames.term(name);
    }
}
