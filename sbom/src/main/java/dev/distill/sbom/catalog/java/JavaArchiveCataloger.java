package dev.distill.sbom.catalog.java;

import dev.distill.sbom.catalog.CatalogContext;
import dev.distill.sbom.catalog.Cataloger;
import dev.distill.sbom.catalog.Cpes;
import dev.distill.sbom.catalog.PackageBuilder;
import dev.distill.sbom.catalog.Purls;
import dev.distill.sbom.model.Hashes;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.PackageFile;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.tree.FileContent;
import dev.distill.sbom.tree.FileEntry;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Java archives ({@code .jar .war .ear .jpi .hpi}), nested ones included: Maven coordinates from
 * {@code pom.properties}, else the manifest's Implementation-/Bundle- headers, else the file name. A fat or
 * shaded archive reports each embedded artifact with a {@code contains} relationship from the archive. Also JDK
 * and JRE installations, from their {@code release} file.
 */
public final class JavaArchiveCataloger implements Cataloger {
    private static final Pattern FILE_NAME = Pattern.compile("(.+?)-(\\d[\\w.+~-]*)");
    private static final List<String> RELEASE = List.of("/usr/lib/jvm/*/release", "/opt/java/*/release",
            "/opt/*/release");

    @Override
    public String name() {
        return "java-archive";
    }

    @Override
    public Set<Tag> tags() {
        return Set.of(Tag.LANGUAGE);
    }

    @Override
    public List<String> globs() {
        List<String> globs = new ArrayList<>(List.of("**/*.{jar,war,ear,jpi,hpi}"));
        globs.addAll(RELEASE);
        return globs;
    }

    @Override
    public void catalog(CatalogContext ctx) throws IOException {
        for (FileEntry e : ctx.tree().find(List.of("**/*.{jar,war,ear,jpi,hpi}"))) {
            Optional<FileContent> content = e.isFile() ? ctx.tree().content(e) : Optional.empty();
            if (content.isEmpty()) {
                continue;
            }
            ArchiveScanner.Archive archive;
            try (InputStream in = content.get().open()) {
                archive = new ArchiveScanner(inflationBudget(e.size())).scan(e.path(), in, e.sha1(), e.sha256());
            } catch (IOException | IllegalArgumentException ex) {
                ctx.unknown(e.path(), name(), "not a readable Java archive: " + ex.getMessage());
                continue;
            }
            add(ctx, e, archive, null);
        }
        for (FileEntry e : ctx.tree().find(RELEASE)) {
            jvm(ctx, e);
        }
    }

    /**
     * How many bytes an archive may inflate to: a hundred times its size (real jars stay under ten), plus room for
     * small archives, and never more than {@link ArchiveScanner#MAX_INFLATED}.
     */
    static long inflationBudget(long size) {
        return Math.min(ArchiveScanner.MAX_INFLATED, 100 * size + (16L << 20));
    }

    /** Adds the archive's own package (and the ones embedded in it); returns the archive's package. */
    private Package add(CatalogContext ctx, FileEntry top, ArchiveScanner.Archive a, Package parent) {
        String fileName = a.path().substring(Math.max(a.path().lastIndexOf('/'), a.path().lastIndexOf('!')) + 1);
        String stem = fileName.replaceFirst("\\.[A-Za-z]+$", "");
        Properties primary = null;
        for (Properties p : a.poms()) {
            String artifact = p.getProperty("artifactId");
            if (artifact != null && (stem.equals(artifact) || stem.startsWith(artifact + "-"))) {
                primary = p;
                break;
            }
        }
        if (primary == null && a.poms().size() == 1) {
            primary = a.poms().get(0);
        }
        List<PackageFile> files = List.of(new PackageFile(a.path(), a.sha256(), a.sha1(), null));
        Package self = primary != null
                ? maven(ctx, top, primary.getProperty("groupId"), primary.getProperty("artifactId"),
                        primary.getProperty("version"), a.manifest(), files, "pom.properties")
                : fromManifestOrName(ctx, top, a.manifest(), stem, files);
        if (self != null) {
            // The archive is this package (its shaded passengers are not): its digests are the package's.
            self = withHashes(self, a.sha256(), a.sha1());
        }
        if (self != null) {
            ctx.add(self);
            if (parent != null) {
                ctx.relate(new Relationship(parent.id(), Relationship.Type.CONTAINS, self.id()));
            }
        }
        Package owner = self != null ? self : parent;
        for (Properties p : a.poms()) {
            if (p == primary) {
                continue;
            }
            Package shaded = maven(ctx, top, p.getProperty("groupId"), p.getProperty("artifactId"),
                    p.getProperty("version"), null, files, "pom.properties (embedded)");
            if (shaded != null) {
                ctx.add(shaded);
                if (owner != null) {
                    ctx.relate(new Relationship(owner.id(), Relationship.Type.CONTAINS, shaded.id()));
                }
            }
        }
        for (ArchiveScanner.Archive nested : a.nested()) {
            add(ctx, top, nested, owner);
        }
        return self;
    }

    private static Package withHashes(Package p, String sha256, String sha1) {
        return new Package(p.id(), p.name(), p.version(), p.type(), p.purl(), p.cpes(), p.license(), p.supplier(),
                p.architecture(), p.description(), p.foundBy(), p.dbPath(), p.layer(),
                new Hashes(sha256, sha1), p.files(), p.properties());
    }

    private Package maven(CatalogContext ctx, FileEntry top, String group, String artifact, String version,
                          Manifest mf, List<PackageFile> files, String source) {
        if (artifact == null || version == null || artifact.isBlank() || version.isBlank()) {
            return null;
        }
        Attributes main = mf == null ? new Attributes() : mf.getMainAttributes();
        // A Maven purl needs the group; without one (a jar named only by its file) there is no honest purl.
        return new PackageBuilder("maven", artifact, version)
                .purl(group == null || group.isBlank() ? null : Purls.of("maven", group, artifact, version, Map.of()))
                .cpe(Cpes.application(group == null ? artifact : lastElement(group), artifact, version))
                .supplier(main.getValue("Implementation-Vendor"))
                .description(main.getValue("Implementation-Title"))
                .license(license(main.getValue("Bundle-License")))
                .foundBy(name(), top.path())
                .layer(ctx.layer(top.layer()))
                .files(files)
                .property("maven:groupId", group)
                .property("java:metadataSource", source)
                .build();
    }

    private Package fromManifestOrName(CatalogContext ctx, FileEntry top, Manifest mf, String stem,
                                       List<PackageFile> files) {
        Attributes main = mf == null ? new Attributes() : mf.getMainAttributes();
        String name = first(main.getValue("Implementation-Title"), symbolicName(main.getValue("Bundle-SymbolicName")));
        String version = first(main.getValue("Implementation-Version"), main.getValue("Bundle-Version"));
        String group = first(main.getValue("Implementation-Vendor-Id"), null);
        String source = "MANIFEST.MF";
        Matcher m = FILE_NAME.matcher(stem);
        if (name == null || version == null) {
            if (!m.matches()) {
                return null;
            }
            name = m.group(1);
            version = m.group(2);
            source = "file name";
        }
        name = name.strip().replaceAll("\\s+", "-");
        return maven(ctx, top, group, name, version.strip(), mf, files, source);
    }

    private static String symbolicName(String bsn) {
        return bsn == null ? null : bsn.split(";")[0].strip();
    }

    private static String first(String a, String b) {
        return a != null && !a.isBlank() ? a : b;
    }

    private static String lastElement(String group) {
        String[] parts = group.split("\\.");
        return parts.length > 1 ? parts[1] : parts[0];
    }

    /** Bundle-License holds an SPDX id or a URL; an id, or the URL of a license everyone links the same way. */
    private static String license(String bundleLicense) {
        if (bundleLicense == null) {
            return null;
        }
        String v = bundleLicense.split("[;,]")[0].strip();
        if (v.matches("https?://(www\\.)?apache\\.org/licenses/LICENSE-2\\.0(\\.txt|\\.html)?")) {
            return "Apache-2.0";
        }
        return v.matches("[A-Za-z0-9.+-]+") ? v : null;
    }

    /** A JDK or JRE from its {@code release} file (JAVA_VERSION, IMPLEMENTOR). */
    private void jvm(CatalogContext ctx, FileEntry release) throws IOException {
        Optional<String> text = ctx.text(release);
        if (text.isEmpty()) {
            return;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : text.get().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip().replaceAll("^\"|\"$", ""));
            }
        }
        String version = fields.get("JAVA_VERSION");
        if (version == null) {
            return;
        }
        String vendor = fields.getOrDefault("IMPLEMENTOR", "unknown");
        String product = fields.containsKey("JAVA_RUNTIME_VERSION") && !fields.containsKey("JDK_VERSION")
                ? "jre" : "jdk";
        String dir = release.path().substring(0, release.path().lastIndexOf('/'));
        ctx.add(new PackageBuilder("jvm", "openjdk", version)
                .purl(Purls.of("generic", vendor.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-"),
                        "openjdk", version, Map.of()))
                .cpe(Cpes.application("oracle", product, version))
                .supplier(vendor)
                .foundBy(name(), release.path())
                .layer(ctx.layer(release.layer()))
                .property("jvm:home", dir)
                .property("jvm:runtimeVersion", fields.get("JAVA_RUNTIME_VERSION"))
                .build());
    }
}
