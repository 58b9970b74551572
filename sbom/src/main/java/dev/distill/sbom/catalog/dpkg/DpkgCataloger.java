package dev.distill.sbom.catalog.dpkg;

import dev.distill.oci.ImageException;
import dev.distill.sbom.catalog.CatalogContext;
import dev.distill.sbom.catalog.Cataloger;
import dev.distill.sbom.catalog.Cpes;
import dev.distill.sbom.catalog.PackageBuilder;
import dev.distill.sbom.catalog.Purls;
import dev.distill.sbom.model.Distro;
import dev.distill.sbom.model.LayerInfo;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.tree.FileEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Debian packages: {@code var/lib/dpkg/status} with {@code info/*.list} and {@code info/*.md5sums}, and the
 * distroless layout {@code var/lib/dpkg/status.d/NAME} with {@code NAME.md5sums}. Licenses come from
 * machine-readable {@code usr/share/doc/NAME/copyright} files; {@code Depends} and {@code Pre-Depends} become
 * relationships to the installed packages (or the ones that provide the name).
 */
public final class DpkgCataloger implements Cataloger {
    static final String STATUS = "/var/lib/dpkg/status";
    static final String STATUS_D = "/var/lib/dpkg/status.d/";
    static final String INFO = "/var/lib/dpkg/info/";
    /** The status words of packages whose files are on disk (dpkg-query lists these). */
    private static final Set<String> PRESENT = Set.of("installed", "half-installed", "unpacked", "half-configured",
            "triggers-awaited", "triggers-pending");

    @Override
    public String name() {
        return "dpkg";
    }

    @Override
    public Set<Tag> tags() {
        return Set.of(Tag.OS);
    }

    @Override
    public List<String> globs() {
        return List.of(STATUS, STATUS_D + "*", INFO + "*.list", INFO + "*.md5sums", "/usr/share/doc/*/copyright");
    }

    /** A parsed paragraph with where it came from. */
    private record Found(Map<String, String> fields, String dbPath, LayerInfo layer, List<String> files,
                         Map<String, String> md5) {
    }

    @Override
    public void catalog(CatalogContext ctx) throws IOException {
        List<Found> found = new ArrayList<>();
        Optional<FileEntry> status = ctx.tree().entry(STATUS);
        if (status.isPresent() && status.get().isFile()) {
            readStatus(ctx, status.get(), found);
        }
        for (FileEntry e : ctx.tree().find(List.of(STATUS_D + "*"))) {
            if (e.isFile() && !e.name().endsWith(".md5sums") && !e.name().startsWith(".")) {
                readStatusD(ctx, e, found);
            }
        }
        List<Package> packages = new ArrayList<>();
        Map<String, Package> byName = new HashMap<>();
        Map<String, Package> byProvides = new HashMap<>();
        Map<String, Map<String, String>> fieldsById = new LinkedHashMap<>();
        for (Found f : found) {
            Package p = toPackage(ctx, f);
            if (fieldsById.containsKey(p.id())) {
                continue; // listed twice (status and status.d): keep the first
            }
            packages.add(p);
            fieldsById.put(p.id(), f.fields());
            byName.putIfAbsent(p.name(), p);
            String provides = DebControl.get(f.fields(), "Provides");
            if (provides != null) {
                for (String name : names(provides)) {
                    byProvides.putIfAbsent(name, p);
                }
            }
        }
        for (Package p : packages) {
            ctx.add(p);
            Map<String, String> fields = fieldsById.get(p.id());
            for (String field : List.of("Pre-Depends", "Depends")) {
                String value = DebControl.get(fields, field);
                if (value == null) {
                    continue;
                }
                for (String clause : value.split(",")) {
                    // "a | b": the first alternative that is installed satisfies the dependency.
                    for (String alternative : clause.split("\\|")) {
                        String dep = packageName(alternative);
                        Package target = byName.containsKey(dep) ? byName.get(dep) : byProvides.get(dep);
                        if (target != null) {
                            if (!target.id().equals(p.id())) {
                                ctx.relate(new Relationship(p.id(), Relationship.Type.DEPENDS_ON, target.id()));
                            }
                            break;
                        }
                    }
                }
            }
        }
    }

    private void readStatus(CatalogContext ctx, FileEntry status, List<Found> found) throws IOException {
        Map<String, Integer> firstLayer = ctx.firstLayers(STATUS, v -> keys(ctx, v));
        List<Map<String, String>> paragraphs = parse(ctx, status);
        if (paragraphs == null) {
            return;
        }
        for (Map<String, String> p : paragraphs) {
            String name = DebControl.get(p, "Package");
            String st = DebControl.get(p, "Status");
            if (name == null || st == null || !PRESENT.contains(st.substring(st.lastIndexOf(' ') + 1))) {
                continue;
            }
            String arch = DebControl.get(p, "Architecture");
            List<String> files = new ArrayList<>();
            Map<String, String> md5 = new HashMap<>();
            for (String base : List.of(name, name + ":" + arch)) {
                ctx.tree().entry(INFO + base + ".list").ifPresent(e -> lines(ctx, e, files));
                ctx.tree().entry(INFO + base + ".md5sums").ifPresent(e -> md5sums(ctx, e, md5, files, false));
            }
            Integer layer = firstLayer.get(name + " " + DebControl.get(p, "Version"));
            found.add(new Found(p, STATUS, ctx.layer(layer == null ? status.layer() : layer), files, md5));
        }
    }

    private void readStatusD(CatalogContext ctx, FileEntry entry, List<Found> found) throws IOException {
        Map<String, Integer> firstLayer = ctx.firstLayers(entry.path(), v -> keys(ctx, v));
        List<Map<String, String>> paragraphs = parse(ctx, entry);
        if (paragraphs == null) {
            return;
        }
        for (Map<String, String> p : paragraphs) {
            String name = DebControl.get(p, "Package");
            if (name == null) {
                ctx.unknown(entry.path(), name(), "paragraph without a Package field");
                continue;
            }
            List<String> files = new ArrayList<>();
            Map<String, String> md5 = new HashMap<>();
            ctx.tree().entry(STATUS_D + entry.name() + ".md5sums")
                    .ifPresent(e -> md5sums(ctx, e, md5, files, true));
            Integer layer = firstLayer.get(name + " " + DebControl.get(p, "Version"));
            found.add(new Found(p, entry.path(), ctx.layer(layer == null ? entry.layer() : layer), files, md5));
        }
    }

    /** The "name version" keys of one version of a dpkg database file. */
    private static List<String> keys(CatalogContext ctx, FileEntry version) throws Exception {
        List<String> keys = new ArrayList<>();
        for (Map<String, String> p : DebControl.parse(ctx.text(version).orElse(""))) {
            keys.add(DebControl.get(p, "Package") + " " + DebControl.get(p, "Version"));
        }
        return keys;
    }

    private List<Map<String, String>> parse(CatalogContext ctx, FileEntry e) throws IOException {
        Optional<String> text = ctx.text(e);
        if (text.isEmpty()) {
            return null;
        }
        try {
            return DebControl.parse(text.get());
        } catch (DebControl.MalformedControlException ex) {
            ctx.unknown(e.path(), name(), ex.getMessage());
            return null;
        }
    }

    private static void lines(CatalogContext ctx, FileEntry e, List<String> files) {
        try {
            ctx.text(e).ifPresent(t -> t.lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.equals("/.")).forEach(files::add));
        } catch (IOException ex) {
            ctx.unknown(e.path(), "dpkg", ex.getMessage());
        }
    }

    /** {@code md5  path} lines; paths are relative to the root. Adds files not already listed. */
    private static void md5sums(CatalogContext ctx, FileEntry e, Map<String, String> md5, List<String> files,
                                boolean listsFiles) {
        try {
            ctx.text(e).ifPresent(t -> t.lines().forEach(line -> {
                int sep = line.indexOf("  ");
                if (sep == 32) {
                    String path = "/" + line.substring(34).strip();
                    md5.put(path, "md5:" + line.substring(0, 32));
                    if (listsFiles) {
                        files.add(path);
                    }
                }
            }));
        } catch (IOException ex) {
            ctx.unknown(e.path(), "dpkg", ex.getMessage());
        }
    }

    private Package toPackage(CatalogContext ctx, Found f) throws IOException {
        Map<String, String> p = f.fields();
        String name = DebControl.get(p, "Package");
        String version = DebControl.get(p, "Version");
        String arch = DebControl.get(p, "Architecture");
        String source = DebControl.get(p, "Source");
        String sourceName = name;
        String sourceVersion = version;
        if (source != null && !source.isBlank()) {
            int paren = source.indexOf('(');
            sourceName = (paren > 0 ? source.substring(0, paren) : source).strip();
            if (paren > 0 && source.endsWith(")")) {
                sourceVersion = source.substring(paren + 1, source.length() - 1).strip();
            }
        }
        Distro d = ctx.distro();
        Map<String, String> q = new TreeMap<>();
        q.put("arch", arch);
        q.put("distro", d == null ? null : d.qualifier());
        if (!sourceName.equals(name)) {
            q.put("upstream", sourceVersion.equals(version) ? sourceName : sourceName + "@" + sourceVersion);
        }
        String namespace = d != null && (d.id().equals("ubuntu") || d.id().equals("debian")) ? d.id() : "debian";
        PackageBuilder b = new PackageBuilder("deb", name, version)
                .purl(Purls.of("deb", namespace, name, version, q))
                .cpe(Cpes.application(sourceName, sourceName, upstreamVersion(sourceVersion)))
                .supplier(DebControl.get(p, "Maintainer"))
                .architecture(arch)
                .description(firstLine(DebControl.get(p, "Description")))
                .foundBy(name(), f.dbPath())
                .layer(f.layer())
                .files(ctx.ownedFiles(f.files(), f.md5()))
                .property("dpkg:source", sourceName.equals(name) ? null : sourceName)
                .property("dpkg:sourceVersion", sourceVersion.equals(version) ? null : sourceVersion)
                .property("dpkg:installedSize", DebControl.get(p, "Installed-Size"));
        Optional<FileEntry> copyright;
        try {
            // Through symlinks inside the root: libgcc-s1's doc directory is a link to gcc-12-base's.
            copyright = ctx.tree().resolve("/usr/share/doc/" + name + "/copyright");
        } catch (ImageException loop) {
            copyright = Optional.empty();
        }
        if (copyright.isPresent() && copyright.get().isFile()) {
            Optional<String> text = ctx.text(copyright.get());
            if (text.isPresent()) {
                b.license(DebianCopyright.combine(DebianCopyright.licenses(text.get())));
            }
        }
        return b.build();
    }

    /** The upstream part of a Debian version: no epoch, no Debian revision. */
    static String upstreamVersion(String version) {
        String v = version;
        int colon = v.indexOf(':');
        if (colon >= 0) {
            v = v.substring(colon + 1);
        }
        int dash = v.lastIndexOf('-');
        if (dash > 0) {
            v = v.substring(0, dash);
        }
        return v;
    }

    private static String firstLine(String s) {
        return s == null ? null : s.lines().findFirst().orElse("");
    }

    /** Package names of a relation field, without versions and architecture qualifiers. */
    private static List<String> names(String field) {
        List<String> out = new ArrayList<>();
        for (String clause : field.split("[,|]")) {
            String n = packageName(clause);
            if (!n.isEmpty()) {
                out.add(n);
            }
        }
        return out;
    }

    static String packageName(String relation) {
        String n = relation.strip();
        int cut = n.length();
        for (char c : new char[] {' ', '(', ':', '['}) {
            int i = n.indexOf(c);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        return n.substring(0, cut);
    }
}
