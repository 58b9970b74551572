package dev.distill.sbom.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.PackageFile;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Sbom;
import dev.distill.sbom.model.Unknown;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.spdx.core.InvalidSPDXAnalysisException;
import org.spdx.library.LicenseInfoFactory;
import org.spdx.library.ModelCopyManager;
import org.spdx.library.SpdxModelFactory;
import org.spdx.library.model.v2.SpdxConstantsCompatV2;
import org.spdx.library.model.v2.SpdxDocument;
import org.spdx.library.model.v2.SpdxElement;
import org.spdx.library.model.v2.SpdxFile;
import org.spdx.library.model.v2.SpdxPackage;
import org.spdx.library.model.v2.enumerations.ChecksumAlgorithm;
import org.spdx.library.model.v2.enumerations.Purpose;
import org.spdx.library.model.v2.enumerations.ReferenceCategory;
import org.spdx.library.model.v2.enumerations.RelationshipType;
import org.spdx.library.model.v2.license.AnyLicenseInfo;
import org.spdx.library.model.v2.license.ConjunctiveLicenseSet;
import org.spdx.library.model.v2.license.DisjunctiveLicenseSet;
import org.spdx.library.model.v2.license.ExtractedLicenseInfo;
import org.spdx.library.model.v2.license.InvalidLicenseExpression;
import org.spdx.library.model.v2.license.LicenseSet;
import org.spdx.library.referencetype.ListedReferenceTypes;
import org.spdx.storage.IModelStore;
import org.spdx.storage.simple.InMemSpdxStore;
import org.spdx.tagvaluestore.TagValueStore;

/**
 * SPDX 2.3 as JSON or tag-value through spdx-java-library. The image is the described package; it contains the
 * operating system and every package; packages contain the files they own (with SHA-1 and SHA-256 computed from
 * the image, and the package verification code the spec asks for) and depend on each other.
 */
public final class SpdxWriter implements SbomWriter {
    /** The medium of the document. */
    public enum Kind { JSON, TAG_VALUE }

    /** spdx-java-library's one-time set-up, on first use (or early, on another thread: {@link #prepare}). */
    private static final class Library {
        static {
            // Never download the license list: the copy inside the jar is enough and keeps output stable.
            System.setProperty("org.spdx.useJARLicenseInfoOnly", "true");
            SpdxModelFactory.init();
        }

        static void ready() {
            // the static initializer has run
        }
    }

    private final Kind kind;

    public SpdxWriter(Kind kind) {
        this.kind = kind;
    }

    @Override
    public void prepare() {
        try {
            renderLicense("MIT"); // loads the model and the license list
        } catch (InvalidSPDXAnalysisException | RuntimeException e) {
            // write() will meet and report whatever this met
        }
    }

    @Override
    public void write(Sbom sbom, OutputStream out) throws IOException {
        Library.ready();
        try {
            if (kind == Kind.JSON) {
                out.write(canonicalJson(SpdxJsonDocument.build(sbom)));
            } else {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                TagValueStore store = new TagValueStore(new InMemSpdxStore());
                SpdxDocument doc = build(sbom, store);
                store.serialize(buf, doc);
                String text = buf.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
                out.write(sortLicenses(text).getBytes(StandardCharsets.UTF_8));
            }
        } catch (InvalidSPDXAnalysisException e) {
            throw new IOException("cannot write SPDX: " + e.getMessage(), e);
        }
    }

    /** The document in spdx-java-library's model (tag-value is written from it; JSON is written directly). */
    static SpdxDocument build(Sbom sbom, IModelStore store) throws InvalidSPDXAnalysisException {
        Library.ready();
        String ns = SpdxIds.namespace(sbom);
        ModelCopyManager cm = new ModelCopyManager();
        SpdxDocument doc = new SpdxDocument(store, ns, cm, true);
        doc.setSpecVersion("SPDX-2.3");
        doc.setName(sbom.source().name());
        doc.setCreationInfo(doc.createCreationInfo(
                List.of("Tool: " + sbom.tool().name() + "-" + sbom.tool().version(), "Organization: distill"),
                sbom.created().toString()));
        doc.setDataLicense(license("CC0-1.0", store, ns, cm));
        if (!sbom.unknowns().isEmpty()) {
            doc.setComment(unknownsComment(sbom));
        }
        AnyLicenseInfo none = license("NOASSERTION", store, ns, cm);
        ListedReferenceTypes refTypes = ListedReferenceTypes.getListedReferenceTypes();

        SpdxPackage.SpdxPackageBuilder ib = doc.createPackage(SpdxIds.image(sbom), sbom.source().name(), none,
                        "NOASSERTION", none)
                .setDownloadLocation("NOASSERTION").setFilesAnalyzed(false)
                .setPrimaryPurpose(sbom.source().digest() != null ? Purpose.CONTAINER : Purpose.FILE)
                .setSupplier("NOASSERTION");
        if (sbom.source().digest() != null) {
            String digest = sbom.source().digest();
            ib.setVersionInfo(digest).addChecksum(
                    doc.createChecksum(ChecksumAlgorithm.SHA256, digest.substring(digest.indexOf(':') + 1)));
            // A document read from another tool may name the image's digest without a purl.
            if (sbom.source().purl() != null) {
                ib.addExternalRef(doc.createExternalRef(ReferenceCategory.PACKAGE_MANAGER,
                        refTypes.getListedReferenceTypeByName("purl"), sbom.source().purl(), null));
            }
        }
        SpdxPackage image = ib.build();
        doc.addRelationship(doc.createRelationship(image, RelationshipType.DESCRIBES, null));

        if (sbom.distro() != null) {
            var d = sbom.distro();
            SpdxPackage.SpdxPackageBuilder ob = doc.createPackage(SpdxIds.os(sbom), d.id(), none, "NOASSERTION", none)
                    .setDownloadLocation("NOASSERTION").setFilesAnalyzed(false)
                    .setPrimaryPurpose(Purpose.OPERATING_SYSTEM).setSupplier("NOASSERTION");
            if (d.prettyName() != null) {
                ob.setDescription(d.prettyName());
            }
            if (d.versionId() != null) {
                ob.setVersionInfo(d.versionId());
            }
            if (d.cpeName() != null && d.cpeName().startsWith("cpe:2.3:")) {
                ob.addExternalRef(doc.createExternalRef(ReferenceCategory.SECURITY,
                        refTypes.getListedReferenceTypeByName("cpe23Type"), d.cpeName(), null));
            }
            image.addRelationship(doc.createRelationship(ob.build(), RelationshipType.CONTAINS, null));
        }

        Map<String, SpdxFile> files = new TreeMap<>();
        Map<String, SpdxElement> byId = new LinkedHashMap<>();
        for (Package p : sbom.packages()) {
            SpdxPackage sp = pkg(doc, p, store, ns, cm, none, refTypes, files);
            byId.put(p.id(), sp);
            image.addRelationship(doc.createRelationship(sp, RelationshipType.CONTAINS, null));
        }
        for (Relationship r : sbom.relationships()) {
            SpdxElement from = byId.get(r.from());
            SpdxElement to = byId.get(r.to());
            if (from != null && to != null) {
                from.addRelationship(doc.createRelationship(to, r.type() == Relationship.Type.DEPENDS_ON
                        ? RelationshipType.DEPENDS_ON : RelationshipType.CONTAINS, null));
            }
        }
        declareLicenseRefs(doc, store, ns, cm);
        return doc;
    }

    private static SpdxPackage pkg(SpdxDocument doc, Package p, IModelStore store, String ns, ModelCopyManager cm,
                            AnyLicenseInfo none, ListedReferenceTypes refTypes, Map<String, SpdxFile> files)
            throws InvalidSPDXAnalysisException {
        AnyLicenseInfo declared = p.license() == null ? none : license(spdxSafe(p.license()), store, ns, cm);
        SpdxPackage.SpdxPackageBuilder b = doc.createPackage(SpdxIds.pkg(p), p.name(), none, "NOASSERTION", declared)
                .setVersionInfo(p.version())
                .setDownloadLocation(downloadLocation(p))
                .setSupplier(p.supplier() == null ? "NOASSERTION" : "Person: " + person(p.supplier()))
                .setFilesAnalyzed(!p.files().isEmpty());
        if (sourceInfo(p) != null) {
            b.setSourceInfo(sourceInfo(p));
        }
        if (p.description() != null) {
            b.setSummary(p.description());
        }
        if (p.layer() != null) {
            b.setComment(layerComment(p));
        }
        if (p.purl() != null) {
            b.addExternalRef(doc.createExternalRef(ReferenceCategory.PACKAGE_MANAGER,
                    refTypes.getListedReferenceTypeByName("purl"), p.purl(), null));
        }
        for (String cpe : p.cpes()) {
            b.addExternalRef(doc.createExternalRef(ReferenceCategory.SECURITY,
                    refTypes.getListedReferenceTypeByName("cpe23Type"), cpe, null));
        }
        if (p.hashes() != null && p.hashes().sha1() != null) {
            b.addChecksum(doc.createChecksum(ChecksumAlgorithm.SHA1, p.hashes().sha1()));
        }
        if (p.hashes() != null && p.hashes().sha256() != null) {
            b.addChecksum(doc.createChecksum(ChecksumAlgorithm.SHA256, p.hashes().sha256()));
        }
        if (!p.files().isEmpty()) {
            b.setPackageVerificationCode(doc.createPackageVerificationCode(verificationCode(p.files()), List.of()));
        }
        SpdxPackage sp = b.build();
        for (PackageFile f : p.files()) {
            SpdxFile file = files.get(f.path());
            if (file == null) {
                file = doc.createSpdxFile(SpdxIds.file(f.path()), f.path(), none, List.of(), "NOASSERTION",
                                doc.createChecksum(ChecksumAlgorithm.SHA1, f.sha1()))
                        .addChecksum(doc.createChecksum(ChecksumAlgorithm.SHA256, f.sha256()))
                        .build();
                files.put(f.path(), file);
            }
            sp.addRelationship(doc.createRelationship(file, RelationshipType.CONTAINS, null));
        }
        return sp;
    }

    /** SPDX 2.3 section 7.9: SHA-1 over the sorted SHA-1s of the package's files. */
    static String verificationCode(List<PackageFile> files) {
        List<String> sha1s = new ArrayList<>();
        for (PackageFile f : files) {
            sha1s.add(f.sha1());
        }
        sha1s.sort(Comparator.naturalOrder());
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            for (String s : sha1s) {
                md.update(s.getBytes(StandardCharsets.US_ASCII));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "Name <mail>" as SPDX writes people: "Name (mail)". */
    /** Where the package's source comes from, when a cataloger knew (melange documents say), else NOASSERTION. */
    static String downloadLocation(Package p) {
        return p.properties().getOrDefault(Package.DOWNLOAD_LOCATION, "NOASSERTION");
    }

    static String person(String s) {
        return s.replaceAll("\\s*<([^>]*)>", " ($1)").strip();
    }

    private static AnyLicenseInfo license(String expression, IModelStore store, String ns, ModelCopyManager cm)
            throws InvalidSPDXAnalysisException {
        AnyLicenseInfo info = LicenseInfoFactory.parseSPDXLicenseStringCompatV2(expression, store, ns, cm);
        if (info instanceof InvalidLicenseExpression invalid) {
            throw new InvalidSPDXAnalysisException("license expression '" + expression + "' is not valid SPDX: "
                    + invalid.getMessage());
        }
        return info;
    }

    /**
     * A valid expression as the library parses it (its case, its identifiers, its parentheses), with the members
     * of every AND and OR set sorted. The library's own rendering lists them in the hash order of its internal ids,
     * which contain the document namespace: the same package came out as "(A AND B)" in the SBOM of one image and
     * "(B AND A)" in another's.
     */
    static String renderLicense(String expression) throws InvalidSPDXAnalysisException {
        Library.ready();
        return render(license(expression, new InMemSpdxStore(), "https://distill.invalid/license-render",
                new ModelCopyManager()));
    }

    private static String render(AnyLicenseInfo info) throws InvalidSPDXAnalysisException {
        if (info instanceof ConjunctiveLicenseSet set) {
            return members(set, " AND ");
        }
        if (info instanceof DisjunctiveLicenseSet set) {
            return members(set, " OR ");
        }
        return info.toString();
    }

    private static String members(LicenseSet set, String operator) throws InvalidSPDXAnalysisException {
        List<String> parts = new ArrayList<>();
        for (AnyLicenseInfo m : set.getMembers()) {
            parts.add(render(m));
        }
        parts.sort(Comparator.naturalOrder());
        return "(" + String.join(operator, parts) + ")";
    }

    /** Tag-value from the library, with its license expressions in the sorted order JSON has. */
    static String sortLicenses(String tagValue) throws InvalidSPDXAnalysisException {
        StringBuilder out = new StringBuilder(tagValue.length());
        for (String line : tagValue.split("\n", -1)) {
            int colon = line.indexOf(": ");
            String key = colon < 0 ? "" : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 2);
            if (LICENSE_KEYS.contains(key) && value.startsWith("(")) {
                line = key + ": " + renderLicense(value);
            }
            out.append(line).append('\n');
        }
        out.setLength(out.length() - 1);
        return out.toString();
    }

    private static final java.util.Set<String> LICENSE_KEYS = java.util.Set.of("PackageLicenseDeclared",
            "PackageLicenseConcluded", "LicenseConcluded", "PackageLicenseInfoFromFiles", "LicenseInfoInFile");

    /**
     * The expression itself when it is valid SPDX, else one LicenseRef naming it: package databases hold license
     * fields such as "GPL2+ custom" that no SPDX parser accepts, and one odd field must not sink the document.
     */
    static String spdxSafe(String expression) {
        Library.ready();
        try {
            AnyLicenseInfo info = LicenseInfoFactory.parseSPDXLicenseStringCompatV2(expression,
                    new InMemSpdxStore(), "https://distill.invalid/license-check", new ModelCopyManager());
            if (!(info instanceof InvalidLicenseExpression)) {
                return expression;
            }
        } catch (InvalidSPDXAnalysisException | RuntimeException e) {
            // fall through to a LicenseRef
        }
        return "LicenseRef-" + SpdxIds.clean(expression);
    }

    /** The document comment listing what could not be read (SpdxReader reads it back). */
    static String unknownsComment(Sbom sbom) {
        StringBuilder c = new StringBuilder("Files distill could not read:");
        for (Unknown u : sbom.unknowns()) {
            c.append("\n").append(u.cataloger()).append(": ").append(u.path()).append(": ").append(u.message());
        }
        return c.toString();
    }

    /** Where a package was found, as SpdxReader reads it back; null when the document it came from did not say. */
    static String sourceInfo(Package p) {
        return p.foundBy() == null || p.dbPath() == null ? null
                : "acquired package info from " + p.foundBy() + " database: " + p.dbPath();
    }

    /** The layer that introduced a package (1-based), as SpdxReader reads it back. */
    static String layerComment(Package p) {
        return "introduced in layer " + (p.layer().index() + 1) + " (" + p.layer().id() + ")";
    }

    /** The text declared for one of our LicenseRefs: where its name came from. */
    static String extractedText(String licenseRef) {
        return "A license the package's own metadata names '" + licenseRef.substring("LicenseRef-".length())
                + "', which has no SPDX identifier.";
    }

    /** Every LicenseRef the expressions used must be declared with a text; ours say where the name came from. */
    private static void declareLicenseRefs(SpdxDocument doc, IModelStore store, String ns, ModelCopyManager cm)
            throws InvalidSPDXAnalysisException {
        TreeSet<String> ids = new TreeSet<>();
        store.getAllItems(ns, SpdxConstantsCompatV2.CLASS_SPDX_EXTRACTED_LICENSING_INFO)
                .forEach(tv -> ids.add(tv.getObjectUri().substring(tv.getObjectUri().indexOf('#') + 1)));
        for (String id : ids) {
            ExtractedLicenseInfo eli = new ExtractedLicenseInfo(store, ns, id, cm, false);
            eli.setName(id.substring("LicenseRef-".length()));
            eli.setExtractedText(extractedText(id));
            doc.addExtractedLicenseInfos(eli);
        }
    }

    /**
     * The library writes nested arrays (checksums, external references) in the order of its internal ids; sorting
     * them makes the output depend on content alone.
     */
    static byte[] canonicalJson(byte[] json) throws IOException {
        return canonicalJson(new ObjectMapper().readTree(json));
    }

    static byte[] canonicalJson(JsonNode root) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        sortArrays(root);
        return (mapper.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void sortArrays(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.fields().forEachRemaining(e -> {
                sortArrays(e.getValue());
                if (e.getValue() instanceof ArrayNode a && List.of("checksums", "externalRefs", "creators",
                        "hasExtractedLicensingInfos").contains(e.getKey())) {
                    List<JsonNode> items = new ArrayList<>();
                    a.forEach(items::add);
                    items.sort(Comparator.comparing(JsonNode::toString));
                    a.removeAll();
                    items.forEach(a::add);
                }
            });
        } else if (node instanceof ArrayNode a) {
            a.forEach(SpdxWriter::sortArrays);
        }
    }
}
