package dev.distill.sbom.catalog.python;

import dev.distill.sbom.catalog.CatalogContext;
import dev.distill.sbom.catalog.Cataloger;
import dev.distill.sbom.catalog.PackageBuilder;
import dev.distill.sbom.catalog.Purls;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.tree.FileEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Installed Python distributions wherever they are (site-packages, Debian's dist-packages, virtualenvs):
 * {@code *.dist-info/METADATA} with {@code RECORD}, and {@code *.egg-info} (directory with {@code PKG-INFO},
 * {@code requires.txt}, {@code installed-files.txt}, or a single file). {@code Requires-Dist} (and requires.txt)
 * become relationships to the installed distributions.
 */
public final class PythonCataloger implements Cataloger {
    private static final List<String> METADATA = List.of("**/*.dist-info/METADATA", "**/*.egg-info/PKG-INFO",
            "**/*.egg-info");

    /** Trove license classifiers whose SPDX identifier is unambiguous. */
    private static final Map<String, String> CLASSIFIERS = Map.ofEntries(
            Map.entry("License :: OSI Approved :: MIT License", "MIT"),
            Map.entry("License :: OSI Approved :: Apache Software License", "Apache-2.0"),
            Map.entry("License :: OSI Approved :: ISC License (ISCL)", "ISC"),
            Map.entry("License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"),
            Map.entry("License :: OSI Approved :: Python Software Foundation License", "PSF-2.0"),
            Map.entry("License :: OSI Approved :: GNU General Public License v2 (GPLv2)", "GPL-2.0-only"),
            Map.entry("License :: OSI Approved :: GNU General Public License v3 (GPLv3)", "GPL-3.0-only"),
            Map.entry("License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)", "LGPL-3.0-only"),
            Map.entry("License :: OSI Approved :: The Unlicense (Unlicense)", "Unlicense"),
            Map.entry("License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication", "CC0-1.0"));

    /** License field spellings seen in the wild, mapped to SPDX. */
    private static final Map<String, String> LICENSE_NAMES = Map.ofEntries(
            Map.entry("mit", "MIT"), Map.entry("mit license", "MIT"),
            Map.entry("apache 2.0", "Apache-2.0"), Map.entry("apache-2.0", "Apache-2.0"),
            Map.entry("apache license 2.0", "Apache-2.0"), Map.entry("apache software license", "Apache-2.0"),
            Map.entry("bsd-3-clause", "BSD-3-Clause"), Map.entry("bsd-2-clause", "BSD-2-Clause"),
            Map.entry("isc", "ISC"), Map.entry("mpl-2.0", "MPL-2.0"), Map.entry("psf", "PSF-2.0"),
            Map.entry("lgpl-3.0", "LGPL-3.0-only"), Map.entry("gpl-2.0", "GPL-2.0-only"));

    @Override
    public String name() {
        return "python";
    }

    @Override
    public Set<Tag> tags() {
        return Set.of(Tag.LANGUAGE);
    }

    @Override
    public List<String> globs() {
        return List.of("**/*.dist-info/METADATA", "**/*.dist-info/RECORD", "**/*.egg-info/PKG-INFO",
                "**/*.egg-info/requires.txt", "**/*.egg-info/installed-files.txt", "**/*.egg-info");
    }

    private record Dist(Package pkg, List<String> requires) {
    }

    @Override
    public void catalog(CatalogContext ctx) throws IOException {
        List<Dist> dists = new ArrayList<>();
        for (FileEntry e : ctx.tree().find(METADATA)) {
            if (!e.isFile()) {
                continue;
            }
            Optional<String> text;
            try {
                text = ctx.strictText(e);
            } catch (java.nio.charset.CharacterCodingException notUtf8) {
                ctx.unknown(e.path(), name(), "metadata is not valid UTF-8");
                continue;
            }
            if (text.isEmpty()) {
                continue;
            }
            Map<String, List<String>> headers = headers(text.get());
            String name = one(headers, "Name");
            String version = one(headers, "Version");
            if (name == null || version == null) {
                ctx.unknown(e.path(), name(), "no Name or Version in the metadata");
                continue;
            }
            boolean distInfo = e.path().endsWith(".dist-info/METADATA");
            String infoDir = e.path().endsWith("/PKG-INFO") || distInfo
                    ? e.path().substring(0, e.path().lastIndexOf('/')) : e.path();
            List<String> requires = new ArrayList<>();
            for (String r : headers.getOrDefault("Requires-Dist", List.of())) {
                if (!r.contains("extra ==") && !r.contains("extra==")) {
                    requires.add(requirementName(r));
                }
            }
            Map<String, String> recorded = new HashMap<>();
            List<String> files = new ArrayList<>();
            if (distInfo) {
                record(ctx, infoDir, files, recorded);
            } else {
                eggInfo(ctx, infoDir, files, requires);
            }
            String normalized = normalize(name);
            Package p = new PackageBuilder("pypi", name, version)
                    .purl(Purls.of("pypi", null, normalized, version, Map.of()))
                    .license(license(headers))
                    .supplier(first(one(headers, "Author"), one(headers, "Maintainer")))
                    .description(one(headers, "Summary"))
                    .foundBy(name(), e.path())
                    .layer(ctx.layer(e.layer()))
                    .files(ctx.ownedFiles(files, recorded))
                    .property("python:homepage", one(headers, "Home-page"))
                    .build();
            dists.add(new Dist(p, requires));
        }
        Map<String, Package> byName = new HashMap<>();
        for (Dist d : dists) {
            byName.putIfAbsent(normalize(d.pkg().name()), d.pkg());
        }
        for (Dist d : dists) {
            ctx.add(d.pkg());
            for (String r : d.requires()) {
                Package target = byName.get(normalize(r));
                if (target != null && !target.id().equals(d.pkg().id())) {
                    ctx.relate(new Relationship(d.pkg().id(), Relationship.Type.DEPENDS_ON, target.id()));
                }
            }
        }
    }

    /** RECORD: {@code path,sha256=<urlsafe base64>,size}, paths relative to the directory holding the dist-info. */
    private static void record(CatalogContext ctx, String infoDir, List<String> files, Map<String, String> recorded)
            throws IOException {
        Optional<FileEntry> rec = ctx.tree().entry(infoDir + "/RECORD");
        if (rec.isEmpty()) {
            return;
        }
        String site = infoDir.substring(0, infoDir.lastIndexOf('/'));
        for (String line : ctx.text(rec.get()).orElse("").split("\n")) {
            String[] cols = line.split(",");
            if (cols.length == 0 || cols[0].isBlank()) {
                continue;
            }
            String path = resolve(site, cols[0].replace("\"", ""));
            if (path == null) {
                continue;
            }
            files.add(path);
            if (cols.length > 1 && cols[1].startsWith("sha256=")) {
                try {
                    recorded.put(path, "sha256:" + HexFormat.of().formatHex(
                            Base64.getUrlDecoder().decode(cols[1].substring(7))));
                } catch (IllegalArgumentException malformed) {
                    // a hash we cannot read is simply not recorded
                }
            }
        }
    }

    /** egg-info: requires.txt up to its first [extra] section; installed-files.txt relative to the egg-info dir. */
    private static void eggInfo(CatalogContext ctx, String infoDir, List<String> files, List<String> requires)
            throws IOException {
        Optional<FileEntry> req = ctx.tree().entry(infoDir + "/requires.txt");
        if (req.isPresent()) {
            for (String line : ctx.text(req.get()).orElse("").split("\n")) {
                String l = line.strip();
                if (l.startsWith("[")) {
                    break;
                }
                if (!l.isEmpty() && !l.startsWith("#")) {
                    requires.add(requirementName(l));
                }
            }
        }
        Optional<FileEntry> installed = ctx.tree().entry(infoDir + "/installed-files.txt");
        if (installed.isPresent()) {
            for (String line : ctx.text(installed.get()).orElse("").split("\n")) {
                String path = line.isBlank() ? null : resolve(infoDir, line.strip());
                if (path != null) {
                    files.add(path);
                }
            }
        }
    }

    /** Joins a relative path onto a directory, normalising '..'; null when it climbs above the root. */
    static String resolve(String dir, String relative) {
        List<String> parts = new ArrayList<>(relative.startsWith("/") ? List.of() : List.of(dir.substring(1)
                .split("/")));
        for (String p : relative.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (parts.isEmpty()) {
                    return null;
                }
                parts.remove(parts.size() - 1);
            } else {
                parts.add(p);
            }
        }
        return "/" + String.join("/", parts);
    }

    /** PEP 503 normalisation: lower case, runs of '-', '_', '.' become '-'. */
    static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[-_.]+", "-");
    }

    /** The distribution name at the start of a requirement: "urllib3 (<1.27,>=1.21.1)" → "urllib3". */
    static String requirementName(String requirement) {
        String r = requirement.strip();
        int cut = r.length();
        for (int i = 0; i < r.length(); i++) {
            char c = r.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.')) {
                cut = i;
                break;
            }
        }
        return r.substring(0, cut);
    }

    /** Email-style headers up to the first blank line; repeated headers kept in order. */
    static Map<String, List<String>> headers(String text) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        String last = null;
        for (String line : text.split("\r?\n", -1)) {
            if (line.isEmpty()) {
                break;
            }
            if ((line.startsWith(" ") || line.startsWith("\t")) && last != null) {
                List<String> values = out.get(last);
                values.set(values.size() - 1, values.get(values.size() - 1) + "\n" + line.strip());
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            last = line.substring(0, colon).strip();
            out.computeIfAbsent(last, k -> new ArrayList<>()).add(line.substring(colon + 1).strip());
        }
        return out;
    }

    private static String one(Map<String, List<String>> headers, String key) {
        List<String> v = headers.get(key);
        return v == null || v.isEmpty() || v.get(0).isBlank() || v.get(0).equals("UNKNOWN") ? null : v.get(0);
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }

    /** License-Expression (PEP 639), else a License field we can map, else unambiguous classifiers. */
    static String license(Map<String, List<String>> headers) {
        String expression = one(headers, "License-Expression");
        if (expression != null) {
            return expression;
        }
        String field = one(headers, "License");
        if (field != null && LICENSE_NAMES.containsKey(field.toLowerCase(Locale.ROOT))) {
            return LICENSE_NAMES.get(field.toLowerCase(Locale.ROOT));
        }
        List<String> ids = new ArrayList<>();
        for (String c : headers.getOrDefault("Classifier", List.of())) {
            if (CLASSIFIERS.containsKey(c) && !ids.contains(CLASSIFIERS.get(c))) {
                ids.add(CLASSIFIERS.get(c));
            }
        }
        if (!ids.isEmpty()) {
            return String.join(" OR ", ids);
        }
        if (field != null && field.length() <= 40 && !field.contains("\n")) {
            return "LicenseRef-" + field.replaceAll("[^A-Za-z0-9.-]+", "-").replaceAll("^-+|-+$", "");
        }
        return null;
    }
}
