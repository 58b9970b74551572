package dev.distill.attest.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distill.sbom.format.SbomReader;
import dev.distill.sbom.model.Package;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the {@code sbom} deny rules match against, and how. Every package of an attested SBOM counts, the element
 * the document describes included (it may well be a package, not the image); in SPDX both the declared and the
 * concluded license count. A denied purl matches every version of the package (or the one version it names),
 * whatever its qualifiers and subpath, with the type compared case-insensitively (and the name too where the purl
 * specification says it is case-insensitive). License ids compare case-insensitively, with the deprecated GNU ids
 * read as their current ones ({@code GPL-2.0} as {@code GPL-2.0-only}, {@code GPL-2.0+} as
 * {@code GPL-2.0-or-later}), on both sides.
 */
final class DenyRules {
    /** A package as the deny rules see it. */
    record Entry(String name, String purl, List<String> licenses) {
    }

    /** A purl reduced to what a deny rule compares. */
    record Purl(String type, String name, String version) {
    }

    private static final Set<String> CASE_INSENSITIVE_NAMES = Set.of("bitbucket", "github", "pypi", "huggingface");
    private static final Pattern DEPRECATED_GNU = Pattern.compile("(?i)((?:A|L)?GPL|GFDL)-(\\d\\.\\d)(\\+?)");

    private DenyRules() {
    }

    /** The packages of one attested SBOM predicate (SPDX 2 JSON read as written; other formats via SbomReader). */
    static List<Entry> packages(JsonNode predicate) throws IOException {
        List<Entry> out = new ArrayList<>();
        if (predicate.has("spdxVersion")) {
            JsonNode packages = predicate.path("packages");
            if (!packages.isMissingNode() && !packages.isArray()) {
                throw new IOException("its 'packages' is not a list");
            }
            for (JsonNode p : packages) {
                String purl = null;
                for (JsonNode ref : p.path("externalRefs")) {
                    if ("purl".equals(ref.path("referenceType").asText())) {
                        purl = ref.path("referenceLocator").asText(null);
                    }
                }
                List<String> licenses = new ArrayList<>();
                for (String field : List.of("licenseDeclared", "licenseConcluded")) {
                    String l = p.path(field).asText("");
                    if (!l.isEmpty() && !l.equals("NOASSERTION") && !l.equals("NONE")) {
                        licenses.add(l);
                    }
                }
                out.add(new Entry(p.path("name").asText(""), purl, licenses));
            }
            return out;
        }
        byte[] bytes = predicate.toString().getBytes(StandardCharsets.UTF_8);
        for (Package p : SbomReader.read(bytes, "attested SBOM", Instant.EPOCH).packages()) {
            out.add(new Entry(p.name(), p.purl(), p.license() == null ? List.of() : List.of(p.license())));
        }
        JsonNode root = predicate.path("metadata").path("component");
        if (root.isObject()) {
            List<String> licenses = new ArrayList<>();
            for (JsonNode l : root.path("licenses")) {
                String text = l.path("expression").asText(l.path("license").path("id").asText(""));
                if (!text.isEmpty()) {
                    licenses.add(text);
                }
            }
            out.add(new Entry(root.path("name").asText(""), root.path("purl").asText(null), licenses));
        }
        return out;
    }

    /** Whether the package's purl is the denied one (see the class comment). */
    static boolean denies(String denied, String purl) {
        Purl d = parse(denied);
        Purl p = parse(purl);
        return d != null && p != null && d.type().equals(p.type()) && d.name().equals(p.name())
                && (d.version() == null || d.version().equals(p.version()));
    }

    /** A purl's type, namespace and name (percent-decoded), and version; null when it is not a purl. */
    static Purl parse(String purl) {
        if (purl == null || !purl.regionMatches(true, 0, "pkg:", 0, 4)) {
            return null;
        }
        String rest = purl.substring(4).replaceFirst("^/+", "");
        int cut = indexOfAny(rest, '?', '#');
        if (cut >= 0) {
            rest = rest.substring(0, cut);
        }
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            return null;
        }
        String type = rest.substring(0, slash).toLowerCase(Locale.ROOT);
        String path = rest.substring(slash + 1);
        String version = null;
        int at = path.lastIndexOf('@');
        if (at > path.lastIndexOf('/') && at > 0) {
            version = decode(path.substring(at + 1));
            path = path.substring(0, at);
        }
        String name = decode(path.replaceAll("/+$", ""));
        if (CASE_INSENSITIVE_NAMES.contains(type)) {
            name = name.toLowerCase(Locale.ROOT);
            if (type.equals("pypi")) {
                name = name.replace('_', '-');
            }
        }
        return name.isEmpty() ? null : new Purl(type, name, version);
    }

    /** The license ids an expression names (operators dropped), in their current upper-case spelling. */
    static Set<String> licenseIds(String expression) {
        Set<String> out = new LinkedHashSet<>();
        for (String token : expression.replace("(", " ").replace(")", " ").trim().split("\\s+")) {
            String t = token.toUpperCase(Locale.ROOT);
            if (t.isEmpty() || t.equals("AND") || t.equals("OR") || t.equals("WITH")) {
                continue;
            }
            out.add(currentId(token).toUpperCase(Locale.ROOT));
        }
        return out;
    }

    /** A deprecated GNU id as its current id; other ids unchanged. */
    static String currentId(String id) {
        Matcher m = DEPRECATED_GNU.matcher(id);
        if (m.matches()) {
            return m.group(1) + "-" + m.group(2) + (m.group(3).isEmpty() ? "-only" : "-or-later");
        }
        return id;
    }

    private static int indexOfAny(String s, char a, char b) {
        int i = s.indexOf(a);
        int j = s.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }

    /** Percent-decoding of %XX only ('+' is a plus in a purl). */
    private static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && Character.digit(s.charAt(i + 1), 16) >= 0 && Character.digit(s.charAt(i + 2), 16) >= 0) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
