package dev.distill.sbom.format;

import dev.distill.sbom.model.Distro;
import dev.distill.sbom.model.Hashes;
import dev.distill.sbom.model.LayerInfo;
import dev.distill.sbom.model.LicenseExpressions;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.PackageFile;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Sbom;
import dev.distill.sbom.model.SourceInfo;
import dev.distill.sbom.model.ToolInfo;
import dev.distill.sbom.model.Unknown;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.spdx.core.InvalidSPDXAnalysisException;
import org.spdx.jacksonstore.MultiFormatStore;
import org.spdx.library.SpdxModelFactory;
import org.spdx.library.model.v2.Checksum;
import org.spdx.library.model.v2.ExternalRef;
import org.spdx.library.model.v2.SpdxConstantsCompatV2;
import org.spdx.library.model.v2.SpdxDocument;
import org.spdx.library.model.v2.SpdxElement;
import org.spdx.library.model.v2.SpdxFile;
import org.spdx.library.model.v2.SpdxPackage;
import org.spdx.library.model.v2.enumerations.ChecksumAlgorithm;
import org.spdx.library.model.v2.enumerations.Purpose;
import org.spdx.library.model.v2.enumerations.ReferenceCategory;
import org.spdx.library.model.v2.enumerations.RelationshipType;
import org.spdx.storage.IModelStore;
import org.spdx.storage.simple.InMemSpdxStore;
import org.spdx.tagvaluestore.TagValueStore;

/** SPDX 2.x (JSON or tag-value) back into the model, through spdx-java-library's stores. */
final class SpdxReader {
    static final Pattern SOURCE_INFO = Pattern.compile("acquired package info from (\\S+) database: (.+)");
    static final Pattern LAYER = Pattern.compile("introduced in layer (\\d+) \\((\\S+)\\)");
    private static final Pattern TOOL = Pattern.compile("Tool: (.+?)-(\\d.*)");

    static {
        System.setProperty("org.spdx.useJARLicenseInfoOnly", "true");
        SpdxModelFactory.init();
    }

    private SpdxReader() {
    }

    static Sbom read(byte[] data, SpdxWriter.Kind kind, String name) throws SbomFormatException {
        try {
            InMemSpdxStore base = new InMemSpdxStore();
            IModelStore store;
            SpdxDocument doc;
            if (kind == SpdxWriter.Kind.JSON) {
                MultiFormatStore s = new MultiFormatStore(base, MultiFormatStore.Format.JSON);
                doc = s.deSerialize(new ByteArrayInputStream(data), false);
                store = s;
            } else {
                TagValueStore s = new TagValueStore(base);
                doc = s.deSerialize(new ByteArrayInputStream(data), false);
                store = s;
            }
            return toSbom(doc, store, name);
        } catch (InvalidSPDXAnalysisException | IOException | RuntimeException e) {
            throw new SbomFormatException(name + " is not a readable SPDX document: " + e.getMessage(), e);
        }
    }

    private static Sbom toSbom(SpdxDocument doc, IModelStore store, String name)
            throws InvalidSPDXAnalysisException, SbomFormatException {
        Instant created;
        try {
            created = Instant.parse(doc.getCreationInfo().getCreated());
        } catch (DateTimeParseException | NullPointerException e) {
            throw new SbomFormatException(name + ": creationInfo.created is missing or not a timestamp");
        }
        ToolInfo tool = new ToolInfo("unknown", "");
        for (String creator : doc.getCreationInfo().getCreators()) {
            Matcher m = TOOL.matcher(creator);
            if (m.matches()) {
                tool = new ToolInfo(m.group(1), m.group(2));
                break;
            }
        }
        SpdxPackage root = null;
        for (SpdxElement e : doc.getDocumentDescribes()) {
            if (e instanceof SpdxPackage p && isSubject(p)) {
                root = p;
                break;
            }
        }
        List<SpdxPackage> all = new ArrayList<>();
        SpdxModelFactory.getSpdxObjects(store, null, SpdxConstantsCompatV2.CLASS_SPDX_PACKAGE, null, null)
                .forEach(o -> all.add((SpdxPackage) o));
        all.sort(Comparator.comparing(SpdxPackage::getId));
        Distro distro = null;
        Map<String, String> idBySpdxId = new HashMap<>();
        Map<String, SpdxPackage> bySpdxId = new LinkedHashMap<>();
        java.util.Set<String> ids = new java.util.HashSet<>();
        List<Package> packages = new ArrayList<>();
        for (SpdxPackage p : all) {
            if (root != null && p.getId().equals(root.getId())) {
                continue;
            }
            if (p.getPrimaryPurpose().orElse(null) == Purpose.OPERATING_SYSTEM) {
                distro = new Distro(p.getName().orElse(""), p.getVersionInfo().orElse(null), null,
                        p.getDescription().orElse(null), ref(p, ReferenceCategory.SECURITY, "cpe23Type"), List.of(),
                        null);
                continue;
            }
            if (isScanTarget(p)) {
                continue;
            }
            Package pkg = pkg(p, ids);
            bySpdxId.put(p.getId(), p);
            idBySpdxId.put(p.getId(), pkg.id());
            // The same package listed twice (one purl at two paths) is one package of the model.
            if (ids.add(pkg.id())) {
                packages.add(pkg);
            }
        }
        packages.sort(Comparator.comparing(Package::type).thenComparing(Package::name)
                .thenComparing(Package::version).thenComparing(Package::id));
        java.util.TreeSet<Relationship> relationships = new java.util.TreeSet<>();
        for (Map.Entry<String, SpdxPackage> e : bySpdxId.entrySet()) {
            for (org.spdx.library.model.v2.Relationship r : e.getValue().getRelationships()) {
                Optional<SpdxElement> to = r.getRelatedSpdxElement();
                Relationship.Type type = r.getRelationshipType() == RelationshipType.DEPENDS_ON
                        ? Relationship.Type.DEPENDS_ON
                        : r.getRelationshipType() == RelationshipType.CONTAINS ? Relationship.Type.CONTAINS : null;
                if (type != null && to.isPresent() && idBySpdxId.containsKey(to.get().getId())) {
                    String from = idBySpdxId.get(e.getKey());
                    String target = idBySpdxId.get(to.get().getId());
                    if (!from.equals(target)) {
                        relationships.add(new Relationship(from, type, target));
                    }
                }
            }
        }
        return new Sbom(source(root, doc, name), distro, packages, new ArrayList<>(relationships), unknowns(doc), tool,
                created);
    }

    private static SourceInfo source(SpdxPackage root, SpdxDocument doc, String name)
            throws InvalidSPDXAnalysisException {
        if (root == null) {
            return new SourceInfo(name, "sbom", doc.getName().orElse(name), null, null, null, null, null, List.of(),
                    null);
        }
        String version = root.getVersionInfo().orElse(null);
        String purl = ref(root, ReferenceCategory.PACKAGE_MANAGER, "purl");
        String digest = version != null && version.matches("sha(256|512):[a-f0-9]+") ? version
                : PackageTypes.digestOfOciPurl(purl);
        return new SourceInfo(name, "sbom", root.getName().orElse(name), null, digest, null, null, null, List.of(),
                digest == null ? null : purl);
    }

    private static List<Unknown> unknowns(SpdxDocument doc) throws InvalidSPDXAnalysisException {
        return unknowns(doc.getComment().orElse(""));
    }

    /** The unknowns of a document comment distill wrote (SPDX 2 and 3 alike). */
    static List<Unknown> unknowns(String comment) {
        List<Unknown> out = new ArrayList<>();
        if (comment.startsWith("Files distill could not read:")) {
            comment.lines().skip(1).forEach(line -> {
                String[] parts = line.split(": ", 3);
                if (parts.length == 3) {
                    out.add(new Unknown(parts[1], parts[0], parts[2]));
                }
            });
        }
        return out;
    }

    /**
     * Whether a package the document describes is what the SBOM is of (an image, a directory, a source tree) rather
     * than a package in it: a document of one library describes that library.
     */
    private static boolean isSubject(SpdxPackage p) throws InvalidSPDXAnalysisException {
        Purpose purpose = p.getPrimaryPurpose().orElse(null);
        if (purpose != null) {
            return purpose == Purpose.CONTAINER || purpose == Purpose.FILE || purpose == Purpose.SOURCE;
        }
        return ref(p, ReferenceCategory.PACKAGE_MANAGER, "purl") == null;
    }

    /** trivy lists each file it scanned (a jar, a lock file) as an application package marked "Class: …". */
    private static boolean isScanTarget(SpdxPackage p) throws InvalidSPDXAnalysisException {
        return p.getPrimaryPurpose().orElse(null) == Purpose.APPLICATION
                && p.getAnnotations().stream().anyMatch(a -> comment(a).startsWith("Class: "));
    }

    private static String comment(org.spdx.library.model.v2.Annotation a) {
        try {
            String c = a.getComment();
            return c == null ? "" : c;
        } catch (InvalidSPDXAnalysisException e) {
            return "";
        }
    }

    /** The package type trivy annotates ("PkgType: jar"), or null. */
    private static String trivyType(SpdxPackage p) throws InvalidSPDXAnalysisException {
        return p.getAnnotations().stream().map(SpdxReader::comment).filter(c -> c.startsWith("PkgType: "))
                .map(c -> PackageTypes.ofToolType(c.substring("PkgType: ".length()))).filter(t -> t != null)
                .findFirst().orElse(null);
    }

    private static Package pkg(SpdxPackage p, java.util.Set<String> taken) throws InvalidSPDXAnalysisException {
        String purl = ref(p, ReferenceCategory.PACKAGE_MANAGER, "purl");
        List<String> cpes = new ArrayList<>();
        for (ExternalRef r : p.getExternalRefs()) {
            if (r.getReferenceCategory() == ReferenceCategory.SECURITY
                    && r.getReferenceType().getIndividualURI().endsWith("cpe23Type")) {
                cpes.add(r.getReferenceLocator());
            }
        }
        cpes.sort(Comparator.naturalOrder());
        String pkgName = p.getName().orElse("");
        String type = PackageTypes.ofPurl(purl);
        if (type == null) {
            type = PackageTypes.ofSpdxId(p.getId(), pkgName);
        }
        if (type == null) {
            type = trivyType(p);
        }
        if (type == null) {
            type = PackageTypes.UNKNOWN;
        }
        String license = LicenseExpressions.canonical(p.getLicenseDeclared().toString());
        if (license.equals("NOASSERTION") || license.equals("NONE")) {
            license = null;
        }
        String supplier = p.getSupplier().orElse(null);
        if (supplier != null) {
            supplier = supplier.equals("NOASSERTION") ? null : supplier.replaceFirst("^(Person|Organization): ", "");
        }
        String foundBy = null;
        String dbPath = null;
        Matcher source = SOURCE_INFO.matcher(p.getSourceInfo().orElse(""));
        if (source.matches()) {
            foundBy = source.group(1);
            dbPath = source.group(2);
        }
        LayerInfo layer = layer(p.getComment().orElse(""));
        List<PackageFile> files = new ArrayList<>();
        for (org.spdx.library.model.v2.Relationship r : p.getRelationships()) {
            if (r.getRelationshipType() == RelationshipType.CONTAINS && r.getRelatedSpdxElement().isPresent()
                    && r.getRelatedSpdxElement().get() instanceof SpdxFile f) {
                String sha1 = null;
                String sha256 = null;
                for (Checksum c : f.getChecksums()) {
                    if (c.getAlgorithm() == ChecksumAlgorithm.SHA1) {
                        sha1 = c.getValue();
                    } else if (c.getAlgorithm() == ChecksumAlgorithm.SHA256) {
                        sha256 = c.getValue();
                    }
                }
                files.add(new PackageFile(f.getName().orElse(""), sha256, sha1, null));
            }
        }
        files.sort(Comparator.comparing(PackageFile::path));
        String version = p.getVersionInfo().orElse("");
        // Without a purl, the id catalogers give (TYPE:NAME@VERSION), unless another package has it already.
        String modelId = PackageTypes.modelId(type, pkgName, version);
        String id = purl != null ? purl : type.equals(PackageTypes.UNKNOWN) || taken.contains(modelId) ? p.getId()
                : modelId;
        String download = p.getDownloadLocation().orElse("NOASSERTION");
        Map<String, String> properties = download.equals("NOASSERTION") || download.equals("NONE") ? Map.of()
                : Map.of(Package.DOWNLOAD_LOCATION, download);
        return new Package(id, pkgName, version, type, purl, cpes, license, supplier, null,
                p.getSummary().orElse(null), foundBy, dbPath, layer, hashes(p), files, properties);
    }

    /** The layer a package comment distill wrote names, or null. */
    static LayerInfo layer(String comment) {
        Matcher l = LAYER.matcher(comment);
        return l.matches() ? new LayerInfo(Integer.parseInt(l.group(1)) - 1, l.group(2), null) : null;
    }

    /** The package's own SHA-256 and SHA-1 (an archive's), when it lists them. */
    private static Hashes hashes(SpdxPackage p) throws InvalidSPDXAnalysisException {
        String sha256 = null;
        String sha1 = null;
        for (Checksum c : p.getChecksums()) {
            if (c.getAlgorithm() == ChecksumAlgorithm.SHA256) {
                sha256 = c.getValue();
            } else if (c.getAlgorithm() == ChecksumAlgorithm.SHA1) {
                sha1 = c.getValue();
            }
        }
        return sha256 == null && sha1 == null ? null : new Hashes(sha256, sha1);
    }

    private static String ref(SpdxPackage p, ReferenceCategory category, String type)
            throws InvalidSPDXAnalysisException {
        for (ExternalRef r : p.getExternalRefs()) {
            if (r.getReferenceCategory() == category && r.getReferenceType().getIndividualURI().endsWith(type)) {
                return r.getReferenceLocator();
            }
        }
        return null;
    }
}
