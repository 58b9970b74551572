package dev.distill.sbom.catalog.dpkg;

import dev.distill.sbom.model.SpdxLicenseList;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's license short names (DEP-5 {@code License:} fields, {@code /usr/share/common-licenses} file names) as
 * SPDX expressions: {@code and}, {@code or}, {@code and/or} and commas are operators, {@code X with Y exception}
 * becomes {@code X WITH id} when the SPDX exception list has Y; a name is an SPDX id when the license list has it
 * (in any case), and {@code LicenseRef-} only otherwise.
 */
final class DebianLicenseNames {
    /** Debian short names whose SPDX identifiers are spelled otherwise. */
    private static final Map<String, String> DEBIAN_TO_SPDX = Map.ofEntries(
            Map.entry("expat", "MIT"),
            Map.entry("apache-2", "Apache-2.0"),
            // Debian's Artistic is Perl's (base-files' copyright says so).
            Map.entry("artistic", "Artistic-1.0-Perl"),
            Map.entry("artistic-1", "Artistic-1.0-Perl"),
            Map.entry("artistic-2", "Artistic-2.0"),
            Map.entry("bsd", "BSD-3-Clause"),
            Map.entry("mpl-1", "MPL-1.0"),
            Map.entry("mpl-2", "MPL-2.0"),
            Map.entry("cc0", "CC0-1.0"),
            Map.entry("ssleay", "SSLeay-standalone"),
            Map.entry("psf-2", "PSF-2.0"),
            Map.entry("python", "Python-2.0"),
            Map.entry("gpl", "GPL-1.0-or-later"),
            Map.entry("lgpl", "LGPL-2.0-or-later"),
            Map.entry("gfdl", "GFDL-1.1-or-later"),
            Map.entry("gfdl-niv", "GFDL-1.1-no-invariants-or-later"));

    /** Exceptions Debian names without the version SPDX's id carries. */
    private static final Map<String, String> EXCEPTIONS = Map.of(
            "bison", "Bison-exception-2.2",
            "bison-2.2", "Bison-exception-2.2",
            "texinfo", "Texinfo-exception",
            "linux-syscall-note", "Linux-syscall-note",
            "classpath", "Classpath-exception-2.0",
            "font", "Font-exception-2.0",
            "openssl", "");

    private static final Pattern GNU = Pattern.compile(
            "(a?gpl|lgpl|gfdl)(-niv)?-?v?(\\d(?:\\.\\d)?)(\\+)?(-no-invariants?)?(\\+)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern WITH = Pattern.compile("(.+?)[\\s-]+with[\\s-]+(.+?)(?:[\\s-]+exception)?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern GROUP = Pattern.compile("\\s*,\\s*(?:(and|or)\\s+)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern OPERATOR = Pattern.compile("\\s+(and/or|and|or)\\s+", Pattern.CASE_INSENSITIVE);

    private DebianLicenseNames() {
    }

    /**
     * A {@code License:} field's first line as an SPDX expression. A comma binds loosest (DEP-5: "GPL-1+ or
     * Artistic, and Expat" is (GPL-1+ or Artistic) and Expat); inside a group {@code and} binds tighter than
     * {@code or}, as in SPDX. Null for an empty field.
     */
    static String expression(String field) {
        String f = field.strip();
        if (f.isEmpty()) {
            return null;
        }
        List<String> groups = new ArrayList<>();
        List<String> joins = new ArrayList<>();
        Matcher m = GROUP.matcher(f);
        int last = 0;
        while (m.find()) {
            groups.add(f.substring(last, m.start()));
            joins.add(m.group(1) != null && m.group(1).equalsIgnoreCase("or") ? " OR " : " AND ");
            last = m.end();
        }
        groups.add(f.substring(last));
        StringBuilder out = new StringBuilder(group(groups.get(0)));
        for (int i = 1; i < groups.size(); i++) {
            String g = group(groups.get(i));
            out.insert(0, '(').append(')').append(joins.get(i - 1)).append('(').append(g).append(')');
        }
        return out.toString();
    }

    private static String group(String g) {
        StringBuilder out = new StringBuilder();
        Matcher m = OPERATOR.matcher(g);
        int last = 0;
        while (m.find()) {
            out.append(term(g.substring(last, m.start())));
            // "and/or": either license suffices, so the choice is what a licensee has.
            out.append(m.group(1).equalsIgnoreCase("and") ? " AND " : " OR ");
            last = m.end();
        }
        return out.append(term(g.substring(last))).toString();
    }

    /** One short name, possibly with an exception ("GPL-3+ with Bison exception"). */
    static String term(String name) {
        String n = name.strip();
        Matcher with = WITH.matcher(n);
        if (with.matches()) {
            Optional<String> exception = exception(with.group(2), with.group(1));
            Optional<String> base = listed(with.group(1).strip());
            if (exception.isPresent() && base.isPresent()) {
                return base.get() + " WITH " + exception.get();
            }
            return ref(n); // an exception the list lacks: the whole name, so nothing reads as plain GPL
        }
        return listed(n).orElseGet(() -> ref(n));
    }

    /** The SPDX id of a Debian name, if the list has one. */
    static Optional<String> listed(String n) {
        Matcher gnu = GNU.matcher(n);
        if (gnu.matches() && (gnu.group(2) == null || gnu.group(1).equalsIgnoreCase("gfdl"))) {
            String family = gnu.group(1).toUpperCase(Locale.ROOT);
            String version = gnu.group(3).contains(".") ? gnu.group(3) : gnu.group(3) + ".0";
            boolean niv = gnu.group(2) != null || gnu.group(5) != null;
            boolean later = gnu.group(4) != null || gnu.group(6) != null;
            String id = family + "-" + version + (niv ? "-no-invariants" : "") + (later ? "-or-later" : "-only");
            return SpdxLicenseList.license(id);
        }
        String mapped = DEBIAN_TO_SPDX.get(n.toLowerCase(Locale.ROOT));
        return mapped != null ? Optional.of(mapped) : SpdxLicenseList.license(n);
    }

    private static Optional<String> exception(String name, String base) {
        String key = name.strip().toLowerCase(Locale.ROOT).replaceAll("\\s+", "-");
        if (key.equals("autoconf")) {
            return Optional.of(base.contains("3") ? "Autoconf-exception-3.0" : "Autoconf-exception-2.0");
        }
        if (key.equals("gcc")) {
            return Optional.of(base.contains("3") ? "GCC-exception-3.1" : "GCC-exception-2.0");
        }
        String known = EXCEPTIONS.get(key);
        if (known != null) {
            return known.isEmpty() ? Optional.empty() : Optional.of(known);
        }
        Optional<String> listed = SpdxLicenseList.exception(key);
        return listed.isPresent() ? listed : SpdxLicenseList.exception(key + "-exception");
    }

    static String ref(String n) {
        return "LicenseRef-" + n.replaceAll("[^A-Za-z0-9.-]+", "-").replaceAll("^-+|-+$", "");
    }
}
