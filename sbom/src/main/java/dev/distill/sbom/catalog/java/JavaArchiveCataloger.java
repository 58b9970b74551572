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
 * {@code pom.properties}, else from the file name, the manifest and the POMs of the image's other jars as
 * {@link #identify} says, each package recording where its coordinates came from ({@code java:metadataSource},
 * {@code java:groupIdSource}) and how sure they are ({@code java:confidence}: high, medium, low). A fat or
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
        // Every archive is read before any is named: a POM in one can name the group of another.
        Map<FileEntry, ArchiveScanner.Archive> archives = new LinkedHashMap<>();
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
            archives.put(e, archive);
        }
        DeclaredGroups declared = DeclaredGroups.of(List.copyOf(archives.values()));
        archives.forEach((e, archive) -> add(ctx, e, archive, null, declared));
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
    private Package add(CatalogContext ctx, FileEntry top, ArchiveScanner.Archive a, Package parent,
                        DeclaredGroups declared) {
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
                ? maven(ctx, top, new Identity(primary.getProperty("groupId"), primary.getProperty("artifactId"),
                        primary.getProperty("version"), "pom.properties", null, HIGH), a.manifest(), files)
                : identify(a.manifest(), stem, declared).map(id -> maven(ctx, top, id, a.manifest(), files))
                        .orElse(null);
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
            Package shaded = maven(ctx, top, new Identity(p.getProperty("groupId"), p.getProperty("artifactId"),
                    p.getProperty("version"), "pom.properties (embedded)", null, HIGH), null, files);
            if (shaded != null) {
                ctx.add(shaded);
                if (owner != null) {
                    ctx.relate(new Relationship(owner.id(), Relationship.Type.CONTAINS, shaded.id()));
                }
            }
        }
        for (ArchiveScanner.Archive nested : a.nested()) {
            add(ctx, top, nested, owner, declared);
        }
        return self;
    }

    private static Package withHashes(Package p, String sha256, String sha1) {
        return new Package(p.id(), p.name(), p.version(), p.type(), p.purl(), p.cpes(), p.license(), p.supplier(),
                p.architecture(), p.description(), p.foundBy(), p.dbPath(), p.layer(),
                new Hashes(sha256, sha1), p.files(), p.properties());
    }

    private Package maven(CatalogContext ctx, FileEntry top, Identity id, Manifest mf, List<PackageFile> files) {
        if (id.artifactId() == null || id.version() == null || id.artifactId().isBlank() || id.version().isBlank()) {
            return null;
        }
        String group = id.groupId() == null || id.groupId().isBlank() ? null : id.groupId();
        Attributes main = mf == null ? new Attributes() : mf.getMainAttributes();
        // A Maven purl needs the group; without one (a jar named only by its file) there is no honest purl.
        return new PackageBuilder("maven", id.artifactId(), id.version())
                .purl(group == null ? null : Purls.of("maven", group, id.artifactId(), id.version(), Map.of()))
                .cpe(Cpes.application(group == null ? id.artifactId() : lastElement(group), id.artifactId(),
                        id.version()))
                .supplier(main.getValue("Implementation-Vendor"))
                .description(main.getValue("Implementation-Title"))
                .license(license(main.getValue("Bundle-License")))
                .foundBy(name(), top.path())
                .layer(ctx.layer(top.layer()))
                .files(files)
                .property("maven:groupId", group)
                .property("java:metadataSource", id.source())
                .property("java:groupIdSource", group == null ? null : id.groupSource())
                .property("java:confidence", group == null ? LOW : id.confidence())
                .build();
    }

    /** Maven coordinates and the evidence for them: where each came from, and how sure that makes us. */
    record Identity(String groupId, String artifactId, String version, String source, String groupSource,
                    String confidence) {
    }

    static final String HIGH = "high";
    static final String MEDIUM = "medium";
    static final String LOW = "low";
    private static final List<String> MANIFEST_VERSIONS = List.of("Implementation-Version", "Bundle-Version",
            "Specification-Version");

    /**
     * A jar without {@code pom.properties}. Its artifact and version: the file name {@code ARTIFACT-VERSION.jar}
     * (Maven's and Gradle's naming) when a manifest version field says the same version; else the manifest's
     * title and version; else the file name alone. Its group, only from evidence that names one: the manifest's
     * {@code Implementation-Vendor-Id} (what Maven's archiver writes the group into), or the one group that the
     * POMs of the image's other jars declare for this artifact. A module or bundle name is a Java package, not a
     * group ({@code io.grpc.internal} is in {@code io.grpc:grpc-core}), so it is never taken for one.
     */
    static Optional<Identity> identify(Manifest mf, String stem, DeclaredGroups declared) {
        Attributes main = mf == null ? new Attributes() : mf.getMainAttributes();
        Matcher m = FILE_NAME.matcher(stem);
        String fileArtifact = m.matches() ? m.group(1) : null;
        String fileVersion = m.matches() ? m.group(2) : null;
        String confirmedBy = null;
        for (String field : MANIFEST_VERSIONS) {
            String v = main.getValue(field);
            if (fileVersion != null && v != null && v.strip().equals(fileVersion)) {
                confirmedBy = field;
                break;
            }
        }
        String title = first(main.getValue("Implementation-Title"), symbolicName(main.getValue("Bundle-SymbolicName")));
        String manifestVersion = first(main.getValue("Implementation-Version"), main.getValue("Bundle-Version"));
        String artifact;
        String version;
        String source;
        if (confirmedBy != null) {
            artifact = fileArtifact;
            version = fileVersion;
            source = "file name, version confirmed by MANIFEST.MF " + confirmedBy;
        } else if (title != null && manifestVersion != null) {
            artifact = title.strip().replaceAll("\\s+", "-");
            version = manifestVersion.strip();
            source = "MANIFEST.MF";
        } else if (fileArtifact != null) {
            artifact = fileArtifact;
            version = fileVersion;
            source = "file name";
        } else {
            return Optional.empty();
        }
        String vendorId = main.getValue("Implementation-Vendor-Id");
        if (vendorId != null && !vendorId.isBlank()) {
            return Optional.of(new Identity(vendorId.strip(), artifact, version, source,
                    "MANIFEST.MF Implementation-Vendor-Id", MEDIUM));
        }
        // A manifest title is not a Maven artifact id; a file name is, and a bare one needs the version declared too.
        boolean confirmed = confirmedBy != null;
        Optional<DeclaredGroups.Evidence> evidence = source.equals("MANIFEST.MF") ? Optional.empty()
                : declared.groupOf(artifact, version).filter(e -> confirmed || e.versionDeclared());
        return Optional.of(evidence.map(e -> new Identity(e.groupId(), artifact, version, source,
                "declared in the pom.xml of " + String.join(", ", e.declaredBy()), MEDIUM))
                .orElse(new Identity(null, artifact, version, source, null, LOW)));
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
