package dev.distill.sbom.catalog.apk;

import dev.distill.oci.ImageException;
import dev.distill.sbom.catalog.CatalogContext;
import dev.distill.sbom.catalog.Cataloger;
import dev.distill.sbom.catalog.Cpes;
import dev.distill.sbom.catalog.PackageBuilder;
import dev.distill.sbom.catalog.Purls;
import dev.distill.sbom.model.Distro;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.tree.FileEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Alpine, Wolfi and Chainguard packages from apk-tools' database: one paragraph per package of {@code K:value}
 * lines, files as {@code F:} directories followed by their {@code R:} files and {@code Z:} checksums (Q1 + base64
 * SHA-1). {@code D:} dependencies are resolved through names and {@code p:} provides into relationships.
 *
 * <p>apk-tools keeps the database in {@code lib/apk/db/installed}; apko (since 2025, on a usr-merged root where
 * {@code lib -> usr/lib}) writes {@code usr/lib/apk/db/installed}. Both are looked up through symlinks and a
 * database reached by both paths is read once.
 */
public final class ApkCataloger implements Cataloger {
    static final List<String> DBS = List.of("/lib/apk/db/installed", "/usr/lib/apk/db/installed");

    @Override
    public String name() {
        return "apk";
    }

    @Override
    public Set<Tag> tags() {
        return Set.of(Tag.OS);
    }

    @Override
    public List<String> globs() {
        List<String> globs = new ArrayList<>(DBS);
        globs.add(MelangeSbomReader.GLOB);
        return globs;
    }

    /** One package paragraph. */
    record Record(Map<String, String> fields, List<String> depends, List<String> provides, List<String> files,
                  Map<String, String> checksums) {
        String get(String key) {
            return fields.get(key);
        }
    }

    @Override
    public void catalog(CatalogContext ctx) throws IOException {
        Set<String> read = new java.util.HashSet<>();
        Map<String, Package> byName = new HashMap<>();
        Map<String, MelangeSbom> melange = null;
        for (String path : DBS) {
            Optional<FileEntry> db;
            try {
                db = ctx.tree().resolve(path);
            } catch (ImageException loop) {
                ctx.unknown(path, name(), loop.getMessage());
                continue;
            }
            if (db.isPresent() && db.get().isFile() && read.add(db.get().path())) {
                if (melange == null) {
                    melange = MelangeSbomReader.read(ctx, name());
                }
                catalog(ctx, db.get(), byName, melange);
            }
        }
        // The database decides what is installed: a melange document of another package adds nothing.
        for (MelangeSbom orphan : melange == null ? List.<MelangeSbom>of() : melange.values()) {
            ctx.unknown(orphan.path(), name(), "an SBOM of " + orphan.name() + " " + orphan.version()
                    + ", which the apk database does not list as installed; ignored");
        }
    }

    /** One database; packages already read from another copy (by name) are not repeated. */
    private void catalog(CatalogContext ctx, FileEntry db, Map<String, Package> byName,
                         Map<String, MelangeSbom> melange) throws IOException {
        String path = db.path();
        Optional<String> text = ctx.text(db);
        if (text.isEmpty()) {
            return;
        }
        List<Record> records;
        try {
            records = parse(text.get());
        } catch (IllegalArgumentException e) {
            ctx.unknown(path, name(), e.getMessage());
            return;
        }
        Map<String, Integer> firstLayer = ctx.firstLayers(path, v -> parse(ctx.text(v).orElse("")).stream()
                .map(r -> r.get("P") + " " + r.get("V")).toList());
        String namespace = namespace(ctx.distro(), records);
        Map<String, Package> byProvides = new HashMap<>();
        List<Package> packages = new ArrayList<>();
        List<Record> kept = new ArrayList<>();
        for (Record r : records) {
            if (isBlank(r.get("P")) || isBlank(r.get("V"))) {
                ctx.unknown(path, name(), "a package without P: or V:");
                continue;
            }
            if (byName.containsKey(r.get("P"))) {
                continue;
            }
            Integer layer = firstLayer.get(r.get("P") + " " + r.get("V"));
            MelangeSbom doc = melange.remove(r.get("P") + "-" + r.get("V"));
            Package p = toPackage(ctx, r, namespace, path, layer == null ? db.layer() : layer, doc);
            byName.put(p.name(), p);
            packages.add(p);
            kept.add(r);
            for (String provided : r.provides()) {
                byProvides.putIfAbsent(stripVersion(provided), p);
            }
        }
        for (int i = 0; i < packages.size(); i++) {
            Package p = packages.get(i);
            ctx.add(p);
            for (String dep : kept.get(i).depends()) {
                if (dep.startsWith("!")) {
                    continue; // a conflict, not a dependency
                }
                String key = stripVersion(dep);
                Package target = byName.containsKey(key) ? byName.get(key) : byProvides.get(key);
                if (target != null && !target.id().equals(p.id())) {
                    ctx.relate(new Relationship(p.id(), Relationship.Type.DEPENDS_ON, target.id()));
                }
            }
        }
    }

    /**
     * The purl namespace: the distribution's id (os-release, else alpine-release); without one, Wolfi when its
     * base layout package is installed, else Alpine.
     */
    static String namespace(Distro d, List<Record> records) {
        if (d != null) {
            return d.id().toLowerCase(java.util.Locale.ROOT);
        }
        for (Record r : records) {
            if ("wolfi-baselayout".equals(r.get("P"))) {
                return "wolfi";
            }
        }
        return "alpine";
    }

    private Package toPackage(CatalogContext ctx, Record r, String namespace, String path, int layer,
                              MelangeSbom doc) {
        Distro d = ctx.distro();
        Map<String, String> q = new TreeMap<>();
        q.put("arch", r.get("A"));
        q.put("distro", d == null ? null : d.qualifier());
        String origin = r.get("o");
        if (origin != null && !origin.equals(r.get("P"))) {
            q.put("upstream", origin);
        }
        PackageBuilder b = new PackageBuilder("apk", r.get("P"), r.get("V"))
                .purl(Purls.of("apk", namespace, r.get("P"), r.get("V"), q))
                .cpe(Cpes.application(origin != null ? origin : r.get("P"), origin != null ? origin : r.get("P"),
                        upstreamVersion(r.get("V"))))
                .license(!isBlank(r.get("L")) ? r.get("L") : doc == null ? null : doc.license())
                .supplier(!isBlank(r.get("m")) ? r.get("m") : doc == null ? null : doc.supplier())
                .architecture(r.get("A"))
                .description(r.get("T"))
                .foundBy(name(), path)
                .layer(ctx.layer(layer))
                .files(ctx.ownedFiles(r.files(), r.checksums()))
                .property("apk:origin", origin)
                .property("apk:commit", r.get("c"))
                .property("apk:url", r.get("U"))
                .property("apk:buildTime", r.get("t"))
                .property("apk:installedSize", r.get("I"));
        if (doc != null) {
            doc.enrich(b, r.get("L"));
        }
        return b.build();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** The version without its {@code -rN} package release. */
    static String upstreamVersion(String v) {
        int r = v.lastIndexOf("-r");
        return r > 0 ? v.substring(0, r) : v;
    }

    /** {@code name>=1.2}, {@code so:libc.so=1}, {@code name~1} → the name or provided key. */
    static String stripVersion(String dep) {
        int cut = dep.length();
        for (char c : new char[] {'=', '<', '>', '~'}) {
            int i = dep.indexOf(c);
            if (i > 0 && i < cut) {
                cut = i;
            }
        }
        return dep.substring(0, cut);
    }

    /** Parses the database; throws IllegalArgumentException naming the line when it is not apk's format. */
    static List<Record> parse(String text) {
        List<Record> out = new ArrayList<>();
        Record cur = null;
        String dir = "";
        String lastFile = null;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) {
                if (cur != null) {
                    out.add(cur);
                }
                cur = null;
                dir = "";
                lastFile = null;
                continue;
            }
            if (line.length() < 2 || line.charAt(1) != ':') {
                throw new IllegalArgumentException("line " + lineNo + ": expected 'K:value'");
            }
            if (cur == null) {
                cur = new Record(new HashMap<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                        new HashMap<>());
            }
            char key = line.charAt(0);
            String value = line.substring(2);
            switch (key) {
                case 'D' -> cur.depends().addAll(words(value));
                case 'p' -> cur.provides().addAll(words(value));
                case 'F' -> {
                    dir = value;
                    lastFile = null;
                }
                case 'R' -> {
                    lastFile = "/" + (dir.isEmpty() ? "" : dir + "/") + value;
                    cur.files().add(lastFile);
                }
                case 'Z' -> {
                    if (lastFile != null) {
                        cur.checksums().put(lastFile, checksum(value));
                    }
                }
                default -> cur.fields().putIfAbsent(String.valueOf(key), value);
            }
        }
        if (cur != null) {
            out.add(cur);
        }
        return out;
    }

    private static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        for (String w : s.strip().split("\\s+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    /** {@code Q1<base64 sha1>} as {@code sha1:<hex>}; other forms are kept as written. */
    static String checksum(String z) {
        if (z.startsWith("Q1")) {
            try {
                return "sha1:" + HexFormat.of().formatHex(Base64.getDecoder().decode(z.substring(2)));
            } catch (IllegalArgumentException e) {
                return z;
            }
        }
        return z;
    }
}
