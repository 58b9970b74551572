package dev.distill.sbom.format;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.sbom.model.Distro;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.PackageFile;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Sbom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.spdx.core.InvalidSPDXAnalysisException;

/**
 * SPDX 2.3 JSON written straight from the SBOM, the same document {@link SpdxWriter} builds through
 * spdx-java-library's model (a test holds the two equal, byte for byte, on every fixture). Why not the library here:
 * its model store and serializer cost about 2 s of a 5 s SBOM of a Debian root filesystem (ten thousand owned files,
 * each an object with properties in a synchronized store, then a second pass through Jackson's tree), and most of
 * the start-up of a small one. The library still parses every license expression (the identifiers are its own;
 * the order of AND/OR members is sorted, see {@link SpdxWriter#renderLicense}), writes tag-value, reads SPDX and
 * validates our output in the conformance tests.
 */
final class SpdxJsonDocument {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String NOASSERTION = "NOASSERTION";
    private static final Pattern LICENSE_REF = Pattern.compile("LicenseRef-[A-Za-z0-9.-]+");

    private final Map<String, String> rendered = new HashMap<>();
    /** Each LicenseRef as first written, by its lower case: SPDX matches identifiers without regard to case. */
    private final Map<String, String> refCase = new HashMap<>();

    private SpdxJsonDocument() {
    }

    /** The document as a JSON tree, before {@link SpdxWriter#canonicalJson} sorts its small arrays. */
    static ObjectNode build(Sbom sbom) throws InvalidSPDXAnalysisException {
        return new SpdxJsonDocument().document(sbom);
    }

    private ObjectNode document(Sbom sbom) throws InvalidSPDXAnalysisException {
        ObjectNode doc = F.objectNode();
        doc.put("SPDXID", "SPDXRef-DOCUMENT");
        doc.put("spdxVersion", "SPDX-2.3");
        ObjectNode creation = doc.putObject("creationInfo");
        creation.put("created", sbom.created().toString());
        creation.putArray("creators").add("Tool: " + sbom.tool().name() + "-" + sbom.tool().version())
                .add("Organization: distill");
        doc.put("name", sbom.source().name());
        doc.put("dataLicense", "CC0-1.0");
        if (!sbom.unknowns().isEmpty()) {
            doc.put("comment", SpdxWriter.unknownsComment(sbom));
        }

        List<ObjectNode> packages = new ArrayList<>();
        TreeMap<String, ObjectNode> files = new TreeMap<>();
        List<String[]> relationships = new ArrayList<>();

        String imageId = SpdxIds.image(sbom);
        ObjectNode image = element(imageId, sbom.source().name());
        image.put("filesAnalyzed", false);
        image.put("primaryPackagePurpose", sbom.source().digest() != null ? "CONTAINER" : "FILE");
        if (sbom.source().digest() != null) {
            String digest = sbom.source().digest();
            image.put("versionInfo", digest);
            checksum(image.putArray("checksums"), "SHA256", digest.substring(digest.indexOf(':') + 1));
            if (sbom.source().purl() != null) {
                externalRef(image.putArray("externalRefs"), "PACKAGE-MANAGER", "purl", sbom.source().purl());
            }
        }
        packages.add(sortFields(image));
        relationships.add(new String[] {"SPDXRef-DOCUMENT", "DESCRIBES", imageId});

        if (sbom.distro() != null) {
            Distro d = sbom.distro();
            String osId = SpdxIds.os(sbom);
            ObjectNode os = element(osId, d.id());
            os.put("filesAnalyzed", false);
            os.put("primaryPackagePurpose", "OPERATING_SYSTEM");
            if (d.prettyName() != null) {
                os.put("description", d.prettyName());
            }
            if (d.versionId() != null) {
                os.put("versionInfo", d.versionId());
            }
            if (d.cpeName() != null && d.cpeName().startsWith("cpe:2.3:")) {
                externalRef(os.putArray("externalRefs"), "SECURITY", "cpe23Type", d.cpeName());
            }
            packages.add(sortFields(os));
            relationships.add(new String[] {imageId, "CONTAINS", osId});
        }

        Map<String, String> ids = new HashMap<>();
        for (Package p : sbom.packages()) {
            String id = SpdxIds.pkg(p);
            ids.put(p.id(), id);
            packages.add(pkg(id, p));
            relationships.add(new String[] {imageId, "CONTAINS", id});
            for (PackageFile f : p.files()) {
                String fileId = SpdxIds.file(f.path());
                files.computeIfAbsent(f.path(), path -> file(fileId, f));
                relationships.add(new String[] {id, "CONTAINS", fileId});
            }
        }
        for (Relationship r : sbom.relationships()) {
            String from = ids.get(r.from());
            String to = ids.get(r.to());
            if (from != null && to != null) {
                relationships.add(new String[] {from, r.type() == Relationship.Type.DEPENDS_ON ? "DEPENDS_ON"
                        : "CONTAINS", to});
            }
        }

        TreeSet<String> refs = new TreeSet<>(refCase.values());
        if (!refs.isEmpty()) {
            ArrayNode extracted = doc.putArray("hasExtractedLicensingInfos");
            for (String ref : refs) {
                String name = ref.substring("LicenseRef-".length());
                ObjectNode eli = extracted.addObject();
                eli.put("licenseId", ref);
                eli.put("extractedText", SpdxWriter.extractedText(ref));
                eli.put("name", name);
            }
        }
        doc.put("documentNamespace", SpdxIds.namespace(sbom));

        // The library's order: elements by SPDX ID; relationships by related element, type, then element, once each.
        packages.sort(Comparator.comparing(n -> n.get("SPDXID").asText()));
        doc.putArray("packages").addAll(packages);
        if (!files.isEmpty()) {
            List<ObjectNode> sorted = new ArrayList<>(files.values());
            sorted.sort(Comparator.comparing(n -> n.get("SPDXID").asText()));
            doc.putArray("files").addAll(sorted);
        }
        TreeSet<String[]> unique = new TreeSet<>(Comparator.<String[], String>comparing(r -> r[2])
                .thenComparing(r -> r[1]).thenComparing(r -> r[0]));
        unique.addAll(relationships);
        ArrayNode rels = doc.putArray("relationships");
        for (String[] r : unique) {
            ObjectNode o = rels.addObject();
            o.put("spdxElementId", r[0]);
            o.put("relationshipType", r[1]);
            o.put("relatedSpdxElement", r[2]);
        }
        return doc;
    }

    /** A package with the fields every package of ours has, in the library's (alphabetical) order once sorted. */
    private static ObjectNode element(String id, String name) {
        ObjectNode o = F.objectNode();
        o.put("SPDXID", id);
        o.put("copyrightText", NOASSERTION);
        o.put("downloadLocation", NOASSERTION);
        o.put("licenseConcluded", NOASSERTION);
        o.put("licenseDeclared", NOASSERTION);
        o.put("name", name);
        o.put("supplier", NOASSERTION);
        return o;
    }

    private ObjectNode pkg(String id, Package p) throws InvalidSPDXAnalysisException {
        ObjectNode o = element(id, p.name());
        o.put("downloadLocation", SpdxWriter.downloadLocation(p));
        if (p.license() != null) {
            o.put("licenseDeclared", license(p.license()));
        }
        if (p.version() != null) {
            o.put("versionInfo", p.version());
        }
        if (p.supplier() != null) {
            o.put("supplier", "Person: " + SpdxWriter.person(p.supplier()));
        }
        if (SpdxWriter.sourceInfo(p) != null) {
            o.put("sourceInfo", SpdxWriter.sourceInfo(p));
        }
        if (p.hashes() != null) {
            ArrayNode sums = o.putArray("checksums");
            if (p.hashes().sha1() != null) {
                checksum(sums, "SHA1", p.hashes().sha1());
            }
            if (p.hashes().sha256() != null) {
                checksum(sums, "SHA256", p.hashes().sha256());
            }
        }
        o.put("filesAnalyzed", !p.files().isEmpty());
        if (p.description() != null) {
            o.put("summary", p.description());
        }
        if (p.layer() != null) {
            o.put("comment", SpdxWriter.layerComment(p));
        }
        if (p.purl() != null || !p.cpes().isEmpty()) {
            ArrayNode refs = o.putArray("externalRefs");
            if (p.purl() != null) {
                externalRef(refs, "PACKAGE-MANAGER", "purl", p.purl());
            }
            for (String cpe : p.cpes()) {
                externalRef(refs, "SECURITY", "cpe23Type", cpe);
            }
        }
        if (!p.files().isEmpty()) {
            o.putObject("packageVerificationCode")
                    .put("packageVerificationCodeValue", SpdxWriter.verificationCode(p.files()));
        }
        return sortFields(o);
    }

    private static ObjectNode file(String id, PackageFile f) {
        ObjectNode o = F.objectNode();
        o.put("SPDXID", id);
        ArrayNode sums = o.putArray("checksums");
        checksum(sums, "SHA1", f.sha1());
        checksum(sums, "SHA256", f.sha256());
        o.put("copyrightText", NOASSERTION);
        o.put("fileName", f.path());
        o.put("licenseConcluded", NOASSERTION);
        return o;
    }

    /**
     * The expression as the library renders it (a LicenseRef for one it cannot parse), parsed once per text, with
     * every LicenseRef in the case it was first written in this document, as the library's one store keeps it.
     */
    private String license(String expression) throws InvalidSPDXAnalysisException {
        String r = rendered.get(expression);
        if (r == null) {
            r = SpdxWriter.renderLicense(SpdxWriter.spdxSafe(expression));
            rendered.put(expression, r);
        }
        Matcher m = LICENSE_REF.matcher(r);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String first = refCase.computeIfAbsent(m.group().toLowerCase(java.util.Locale.ROOT), k -> m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(first));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static void checksum(ArrayNode into, String algorithm, String value) {
        ObjectNode c = into.addObject();
        c.put("algorithm", algorithm);
        c.put("checksumValue", value);
    }

    private static void externalRef(ArrayNode into, String category, String type, String locator) {
        ObjectNode r = into.addObject();
        r.put("referenceCategory", category);
        r.put("referenceLocator", locator);
        r.put("referenceType", type);
    }

    /** SPDXID first, then the other fields by name: how the library orders a package's properties. */
    private static ObjectNode sortFields(ObjectNode o) {
        TreeMap<String, com.fasterxml.jackson.databind.JsonNode> rest = new TreeMap<>();
        for (Map.Entry<String, com.fasterxml.jackson.databind.JsonNode> e : o.properties()) {
            if (!e.getKey().equals("SPDXID")) {
                rest.put(e.getKey(), e.getValue());
            }
        }
        ObjectNode out = F.objectNode();
        out.set("SPDXID", o.get("SPDXID"));
        rest.forEach(out::set);
        return out;
    }
}
