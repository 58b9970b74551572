package dev.distill.sbom.catalog.dpkg;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Licenses from a machine-readable Debian copyright file (DEP-5, copyright-format 1.0), as SPDX expressions. Files
 * that are not machine-readable give nothing: guessing from prose is how scanners raise false alarms.
 */
final class DebianCopyright {
    private static final Pattern OPERATOR = Pattern.compile("\\s+(or|and)\\s+|\\s*,\\s*", Pattern.CASE_INSENSITIVE);

    /** Debian short names whose SPDX identifiers differ from them. */
    private static final Map<String, String> DEBIAN_TO_SPDX = Map.ofEntries(
            Map.entry("expat", "MIT"),
            Map.entry("bsd-2-clause", "BSD-2-Clause"),
            Map.entry("bsd-3-clause", "BSD-3-Clause"),
            Map.entry("bsd-4-clause", "BSD-4-Clause"),
            Map.entry("artistic", "Artistic-1.0"),
            Map.entry("artistic-1.0", "Artistic-1.0"),
            Map.entry("artistic-2.0", "Artistic-2.0"),
            Map.entry("apache-2.0", "Apache-2.0"),
            Map.entry("mpl-1.1", "MPL-1.1"),
            Map.entry("mpl-2.0", "MPL-2.0"),
            Map.entry("isc", "ISC"),
            Map.entry("zlib", "Zlib"),
            Map.entry("cc0-1.0", "CC0-1.0"),
            Map.entry("cc-by-4.0", "CC-BY-4.0"),
            Map.entry("cc-by-sa-3.0", "CC-BY-SA-3.0"),
            Map.entry("cc-by-sa-4.0", "CC-BY-SA-4.0"),
            Map.entry("openssl", "OpenSSL"),
            Map.entry("ssleay", "SSLeay-standalone"),
            Map.entry("python-2.0", "Python-2.0"),
            Map.entry("psf-2", "PSF-2.0"),
            Map.entry("bsl-1.0", "BSL-1.0"),
            Map.entry("curl", "curl"),
            Map.entry("x11", "X11"),
            Map.entry("mit", "MIT"),
            Map.entry("fsfap", "FSFAP"),
            Map.entry("fsful", "FSFUL"),
            Map.entry("fsfullr", "FSFULLR"),
            Map.entry("unicode-dfs-2016", "Unicode-DFS-2016"),
            Map.entry("0bsd", "0BSD"),
            Map.entry("wtfpl", "WTFPL"),
            Map.entry("ofl-1.1", "OFL-1.1"),
            Map.entry("unlicense", "Unlicense"),
            Map.entry("tcl", "TCL"),
            Map.entry("libpng", "Libpng"),
            Map.entry("ijg", "IJG"),
            Map.entry("ntp", "NTP"),
            Map.entry("postgresql", "PostgreSQL"),
            Map.entry("bzip2-1.0.6", "bzip2-1.0.6"),
            Map.entry("gpl", "GPL-1.0-or-later"),
            Map.entry("lgpl", "LGPL-2.0-or-later"));

    private static final Pattern GNU = Pattern.compile("(a?gpl|lgpl|gfdl)-(\\d(?:\\.\\d)?)(\\+?)",
            Pattern.CASE_INSENSITIVE);

    private DebianCopyright() {
    }

    /** True for copyright-format 1.0 files. */
    static boolean isMachineReadable(String text) {
        String head = text.lines().findFirst().orElse("");
        return head.regionMatches(true, 0, "Format:", 0, 7) && head.contains("copyright-format/1.0");
    }

    /**
     * The distinct license expressions of the file's Files paragraphs (and header), sorted; empty when the file is
     * not machine-readable or cannot be parsed.
     */
    static List<String> licenses(String text) {
        if (!isMachineReadable(text)) {
            return List.of();
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
            String shortName = license.lines().findFirst().orElse("").strip();
            if (!shortName.isEmpty()) {
                out.add(expression(shortName));
            }
        }
        return new ArrayList<>(out);
    }

    /** Combines the file's expressions into one: each term kept, all required. */
    static String combine(List<String> expressions) {
        if (expressions.isEmpty()) {
            return null;
        }
        if (expressions.size() == 1) {
            return expressions.get(0);
        }
        List<String> terms = new ArrayList<>();
        for (String e : expressions) {
            terms.add(e.contains(" OR ") ? "(" + e + ")" : e);
        }
        return String.join(" AND ", terms);
    }

    /** One DEP-5 short-name expression ("GPL-2+ or Artistic") as an SPDX expression. */
    static String expression(String shortName) {
        StringBuilder out = new StringBuilder();
        var m = OPERATOR.matcher(shortName);
        int last = 0;
        while (m.find()) {
            out.append(term(shortName.substring(last, m.start())));
            String op = m.group(1);
            out.append(op == null || op.equalsIgnoreCase("or") ? " OR " : " AND ");
            last = m.end();
        }
        out.append(term(shortName.substring(last)));
        return out.toString();
    }

    static String term(String name) {
        String n = name.strip();
        var gnu = GNU.matcher(n);
        if (gnu.matches()) {
            String family = gnu.group(1).toUpperCase(Locale.ROOT);
            String version = gnu.group(2).contains(".") ? gnu.group(2) : gnu.group(2) + ".0";
            return family + "-" + version + (gnu.group(3).isEmpty() ? "-only" : "-or-later");
        }
        String mapped = DEBIAN_TO_SPDX.get(n.toLowerCase(Locale.ROOT));
        if (mapped != null) {
            return mapped;
        }
        return "LicenseRef-" + n.replaceAll("[^A-Za-z0-9.-]+", "-").replaceAll("^-+|-+$", "");
    }
}
