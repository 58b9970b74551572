package dev.distill.sbom.catalog.dpkg;

import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Licenses of a copyright file that is not machine-readable (libc6's, gcc's, libselinux's...), from the two forms
 * such files state them in: the GNU grant sentence ("under the terms of the GNU Lesser General Public License as
 * published by the Free Software Foundation; either version 2.1 of the License, or (at your option) any later
 * version") and a reference to the text in {@code /usr/share/common-licenses/NAME}. A reference whose license
 * family a grant already names adds nothing (the grant says which version and whether later ones apply), nor does
 * "version N" of a license also granted as "version N or later"; other
 * prose (permissive notices, "public domain") is left alone, since a guess there is where false alarms come from.
 */
final class ProseCopyright {
    /** "GNU [Lesser] General Public License[ as published by the Free Software Foundation;] [either] version N". */
    private static final Pattern GRANT = Pattern.compile("GNU (Affero |Lesser |Library )?General Public License"
            + "(?: \\((?:L?GPL)\\))?[;,]?(?: as published by the Free Software Foundation[;,]?)?(?: either)?"
            + " version (\\d(?:\\.\\d)?)(\\+)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern FDL = Pattern.compile("GNU Free Documentation License(?: \\(GFDL\\))?,? "
            + "\\(?(?:version |v|FDL )(\\d\\.\\d)(\\+)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern LATER = Pattern.compile("^(?: of (?:the|this) License)?,? ?\\(?,? ?or\\b[^.;]{0,40}?"
            + "\\blater", Pattern.CASE_INSENSITIVE);
    private static final Pattern REFERENCE = Pattern.compile("/usr/share/common-licenses/([A-Za-z][A-Za-z0-9.+-]*)");
    private static final Pattern GCC_EXCEPTION = Pattern.compile("GCC Runtime Library Exception",
            Pattern.CASE_INSENSITIVE);

    private ProseCopyright() {
    }

    /** The licenses the file states, sorted; empty when it states none in these forms. */
    static Set<String> licenses(String text) {
        String t = text.replaceAll("(?m)^\\s*[*#]\\s?", " ").replaceAll("[`'\"]", "").replaceAll("\\s+", " ");
        Set<String> out = new TreeSet<>();
        Set<String> families = new HashSet<>();
        Matcher g = GRANT.matcher(t);
        while (g.find()) {
            String family = g.group(1) == null ? "GPL" : g.group(1).strip().equalsIgnoreCase("Affero") ? "AGPL"
                    : "LGPL";
            boolean later = g.group(3) != null || LATER.matcher(t.substring(g.end())).lookingAt();
            gnu(family, g.group(2), later).ifPresent(id -> {
                out.add(id);
                families.add(family);
            });
        }
        Matcher f = FDL.matcher(t);
        while (f.find()) {
            boolean later = f.group(2) != null || LATER.matcher(t.substring(f.end())).lookingAt();
            gnu("GFDL", f.group(1), later).ifPresent(id -> {
                out.add(id);
                families.add("GFDL");
            });
        }
        Matcher r = REFERENCE.matcher(t);
        while (r.find()) {
            String name = r.group(1).replaceAll("[.]+$", "");
            String family = name.replaceAll("-.*", "").toUpperCase(Locale.ROOT);
            if (!families.contains(family)) {
                DebianLicenseNames.listed(name).ifPresent(out::add);
            }
        }
        // "version 3" beside "version 3, or any later version" of the same license is the same grant read short
        // (a heading, a sentence pointing at the text), not a second license.
        out.removeIf(id -> id.endsWith("-only") && out.contains(id.replace("-only", "-or-later")));
        // gcc's runtime libraries (libgcc, libstdc++) are GPL-3+ with the runtime library exception.
        if (GCC_EXCEPTION.matcher(t).find() && out.contains("GPL-3.0-or-later")) {
            out.add("GPL-3.0-or-later WITH GCC-exception-3.1");
        }
        return out;
    }

    private static Optional<String> gnu(String family, String version, boolean later) {
        return DebianLicenseNames.listed(family + "-" + version + (later ? "+" : ""));
    }
}
