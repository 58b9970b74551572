package dev.distill.sbom.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.PackageFile;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Sbom;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.spdx.core.InvalidSPDXAnalysisException;
import org.spdx.library.ModelCopyManager;
import org.spdx.library.SpdxModelFactory;
import org.spdx.library.model.v3_0_1.SpdxConstantsV3;
import org.spdx.library.model.v3_0_1.core.Agent;
import org.spdx.library.model.v3_0_1.core.CreationInfo;
import org.spdx.library.model.v3_0_1.core.Element;
import org.spdx.library.model.v3_0_1.core.ElementCollection;
import org.spdx.library.model.v3_0_1.core.ExternalIdentifierType;
import org.spdx.library.model.v3_0_1.core.HashAlgorithm;
import org.spdx.library.model.v3_0_1.core.Organization;
import org.spdx.library.model.v3_0_1.core.ProfileIdentifierType;
import org.spdx.library.model.v3_0_1.core.RelationshipType;
import org.spdx.library.model.v3_0_1.core.SpdxDocument;
import org.spdx.library.model.v3_0_1.core.Tool;
import org.spdx.library.model.v3_0_1.simplelicensing.LicenseExpression;
import org.spdx.library.model.v3_0_1.software.Sbom.SbomBuilder;
import org.spdx.library.model.v3_0_1.software.SbomType;
import org.spdx.library.model.v3_0_1.software.SoftwarePurpose;
import org.spdx.library.model.v3_0_1.software.SpdxFile;
import org.spdx.library.model.v3_0_1.software.SpdxPackage;
import org.spdx.storage.IModelStore.IdType;
import org.spdx.storage.simple.InMemSpdxStore;
import org.spdx.v3jsonldstore.JsonLDStore;

/**
 * SPDX 3.0.1 JSON-LD built with the library's v3 model (not an SPDX 2 document in a 3.0 shell): an analyzed
 * {@code software_Sbom} rooted at the image, packages with purls, CPEs, hashes, supplier, download location, layer
 * and source, files, declared licenses, and {@code contains} (files and packages), {@code dependsOn} and
 * {@code hasDeclaredLicense} relationships, each with its own type. Every element gets an IRI derived from content, and the graph is
 * written in a canonical order.
 */
public final class Spdx3Writer implements SbomWriter {
    static {
        System.setProperty("org.spdx.useJARLicenseInfoOnly", "true");
        SpdxModelFactory.init();
    }

    @Override
    public void write(Sbom sbom, OutputStream out) throws IOException {
        try {
            JsonLDStore store = new JsonLDStore(new InMemSpdxStore(), true);
            SpdxDocument doc = build(sbom, store);
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            store.serialize(buf, doc);
            out.write(canonical(buf.toByteArray()));
        } catch (InvalidSPDXAnalysisException e) {
            throw new IOException("cannot write SPDX 3: " + e.getMessage(), e);
        }
    }

    private SpdxDocument build(Sbom sbom, JsonLDStore store) throws InvalidSPDXAnalysisException {
        String p = SpdxIds.namespace(sbom) + "#";
        ModelCopyManager cm = new ModelCopyManager();
        // One CreationInfo for all: the serializer numbers several of them in an unstable order.
        CreationInfo ci = new CreationInfo.CreationInfoBuilder(store, store.getNextId(IdType.Anonymous), cm)
                .setCreated(sbom.created().toString()).setSpecVersion(SpdxConstantsV3.MODEL_SPEC_VERSION).build();
        Tool tool = ci.createTool(p + "Tool-" + SpdxIds.clean(sbom.tool().name()))
                .setName(sbom.tool().name() + "-" + sbom.tool().version()).build();
        Organization org = ci.createOrganization(p + "Organization-distill").setName("distill").build();
        ci.getCreatedUsings().add(tool);
        ci.getCreatedBys().add(org);
        List<Element> elements = new ArrayList<>(List.of(tool, org));

        SpdxPackage.SpdxPackageBuilder ib = ci.createSpdxPackage(p + SpdxIds.image(sbom))
                .setName(sbom.source().name())
                .setPrimaryPurpose(sbom.source().digest() != null ? SoftwarePurpose.CONTAINER : SoftwarePurpose.FILE);
        if (sbom.source().digest() != null) {
            String digest = sbom.source().digest();
            ib.setPackageVersion(digest).setPackageUrl(sbom.source().purl())
                    .addVerifiedUsing(ci.createHash(store.getNextId(IdType.Anonymous))
                            .setAlgorithm(HashAlgorithm.SHA256).setHashValue(digest.substring(digest.indexOf(':') + 1))
                            .build());
        }
        SpdxPackage image = ib.build();
        elements.add(image);
        List<Element> imageContains = new ArrayList<>();
        if (sbom.distro() != null) {
            var d = sbom.distro();
            SpdxPackage.SpdxPackageBuilder ob = ci.createSpdxPackage(p + SpdxIds.os(sbom)).setName(d.id())
                    .setPrimaryPurpose(SoftwarePurpose.OPERATING_SYSTEM);
            if (d.versionId() != null) {
                ob.setPackageVersion(d.versionId());
            }
            if (d.prettyName() != null) {
                ob.setDescription(d.prettyName());
            }
            SpdxPackage os = ob.build();
            elements.add(os);
            imageContains.add(os);
        }

        Map<String, Element> byId = new LinkedHashMap<>();
        Map<String, SpdxFile> files = new TreeMap<>();
        Map<String, LicenseExpression> licenses = new TreeMap<>();
        Map<String, Agent> suppliers = new TreeMap<>();
        Map<String, List<Element>> contains = new TreeMap<>();
        List<Element> relationships = new ArrayList<>();
        for (Package pkg : sbom.packages()) {
            SpdxPackage.SpdxPackageBuilder b = ci.createSpdxPackage(p + SpdxIds.pkg(pkg)).setName(pkg.name())
                    .setPackageVersion(pkg.version()).setPrimaryPurpose(SoftwarePurpose.LIBRARY);
            if (pkg.purl() != null) {
                b.setPackageUrl(pkg.purl());
            }
            if (pkg.description() != null) {
                b.setSummary(pkg.description());
            }
            if (pkg.layer() != null) {
                b.setComment(SpdxWriter.layerComment(pkg));
            }
            if (SpdxWriter.sourceInfo(pkg) != null) {
                b.setSourceInfo(SpdxWriter.sourceInfo(pkg));
            }
            if (pkg.properties().containsKey(Package.DOWNLOAD_LOCATION)) {
                b.setDownloadLocation(pkg.properties().get(Package.DOWNLOAD_LOCATION));
            }
            if (pkg.supplier() != null) {
                Agent supplier = suppliers.get(pkg.supplier());
                if (supplier == null) {
                    supplier = ci.createAgent(p + SpdxIds.agent(pkg.supplier())).setName(pkg.supplier())
                            .build();
                    suppliers.put(pkg.supplier(), supplier);
                    elements.add(supplier);
                }
                b.setSuppliedBy(supplier);
            }
            if (pkg.hashes() != null && pkg.hashes().sha1() != null) {
                b.addVerifiedUsing(ci.createHash(store.getNextId(IdType.Anonymous)).setAlgorithm(HashAlgorithm.SHA1)
                        .setHashValue(pkg.hashes().sha1()).build());
            }
            if (pkg.hashes() != null && pkg.hashes().sha256() != null) {
                b.addVerifiedUsing(ci.createHash(store.getNextId(IdType.Anonymous))
                        .setAlgorithm(HashAlgorithm.SHA256).setHashValue(pkg.hashes().sha256()).build());
            }
            for (String cpe : pkg.cpes()) {
                b.addExternalIdentifier(ci.createExternalIdentifier(store.getNextId(IdType.Anonymous))
                        .setExternalIdentifierType(ExternalIdentifierType.CPE23).setIdentifier(cpe).build());
            }
            SpdxPackage sp = b.build();
            elements.add(sp);
            imageContains.add(sp);
            byId.put(pkg.id(), sp);
            if (pkg.license() != null) {
                String expression = SpdxWriter.spdxSafe(pkg.license());
                LicenseExpression lic = licenses.get(expression);
                if (lic == null) {
                    lic = ci.createLicenseExpression(p + "LicenseExpression-" + licenses.size())
                            .setLicenseExpression(expression).build();
                    licenses.put(expression, lic);
                    elements.add(lic);
                }
                relationships.add(relationship(ci, p, sp, RelationshipType.HAS_DECLARED_LICENSE, List.of(lic)));
            }
            List<Element> owned = new ArrayList<>();
            for (PackageFile f : pkg.files()) {
                SpdxFile file = files.get(f.path());
                if (file == null) {
                    file = ci.createSpdxFile(p + SpdxIds.file(f.path())).setName(f.path())
                            .addVerifiedUsing(ci.createHash(store.getNextId(IdType.Anonymous))
                                    .setAlgorithm(HashAlgorithm.SHA1).setHashValue(f.sha1()).build())
                            .addVerifiedUsing(ci.createHash(store.getNextId(IdType.Anonymous))
                                    .setAlgorithm(HashAlgorithm.SHA256).setHashValue(f.sha256()).build())
                            .build();
                    files.put(f.path(), file);
                    elements.add(file);
                }
                owned.add(file);
            }
            if (!owned.isEmpty()) {
                contains.put(pkg.id(), owned);
            }
        }
        // Each relationship keeps its type: a package holding another (a shaded jar) contains it, and what it
        // contains sits in one relationship with the files it owns.
        Map<String, List<Element>> dependsOn = new TreeMap<>();
        for (Relationship r : sbom.relationships()) {
            if (byId.containsKey(r.from()) && byId.containsKey(r.to())) {
                Map<String, List<Element>> into = r.type() == Relationship.Type.CONTAINS ? contains : dependsOn;
                into.computeIfAbsent(r.from(), k -> new ArrayList<>()).add(byId.get(r.to()));
            }
        }
        for (Map.Entry<String, List<Element>> e : contains.entrySet()) {
            relationships.add(relationship(ci, p, byId.get(e.getKey()), RelationshipType.CONTAINS, e.getValue()));
        }
        for (Map.Entry<String, List<Element>> e : dependsOn.entrySet()) {
            relationships.add(relationship(ci, p, byId.get(e.getKey()), RelationshipType.DEPENDS_ON, e.getValue()));
        }
        if (!imageContains.isEmpty()) {
            relationships.add(relationship(ci, p, image, RelationshipType.CONTAINS, imageContains));
        }

        // The SBOM proper: an analyzed software_Sbom whose root is the image, inside the document that carries it.
        SbomBuilder sb = ci.createSbom(p + "SPDXRef-Sbom").setName(sbom.source().name())
                .addSbomType(SbomType.ANALYZED).addRootElement(image)
                .addProfileConformance(ProfileIdentifierType.CORE)
                .addProfileConformance(ProfileIdentifierType.SOFTWARE)
                .addProfileConformance(ProfileIdentifierType.SIMPLE_LICENSING);
        SpdxDocument.SpdxDocumentBuilder db = ci.createSpdxDocument(p + "SPDXRef-DOCUMENT")
                .setName(sbom.source().name())
                .addProfileConformance(ProfileIdentifierType.CORE)
                .addProfileConformance(ProfileIdentifierType.SOFTWARE)
                .addProfileConformance(ProfileIdentifierType.SIMPLE_LICENSING);
        if (!sbom.unknowns().isEmpty()) {
            db.setComment(SpdxWriter.unknownsComment(sbom));
        }
        SpdxDocument doc = db.build();
        relationships.add(relationship(ci, p, doc, RelationshipType.DESCRIBES, List.of(image)));
        ElementCollection bom = sb.build();
        bom.getElements().addAll(elements);
        bom.getElements().addAll(relationships);
        doc.getRootElements().add(bom);
        doc.getElements().add(bom);
        doc.getElements().addAll(elements);
        doc.getElements().addAll(relationships);
        return doc;
    }

    private static Element relationship(CreationInfo ci, String prefix, Element from, RelationshipType type,
                                        List<Element> to) throws InvalidSPDXAnalysisException {
        String id = prefix + "Relationship-" + type.name().toLowerCase(java.util.Locale.ROOT) + "-"
                + from.getObjectUri().substring(from.getObjectUri().indexOf('#') + 1);
        return ci.createRelationship(id).setFrom(from).setRelationshipType(type).addAllTo(to).build();
    }

    /** Sorted keys, the graph sorted by id, unordered arrays sorted: output that depends on content alone. */
    static byte[] canonical(byte[] json) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        JsonNode root = sorted(mapper.readTree(json));
        if (root.get("@graph") instanceof ArrayNode graph) {
            List<JsonNode> items = new ArrayList<>();
            graph.forEach(items::add);
            items.sort(Comparator.comparing(Spdx3Writer::graphKey));
            graph.removeAll();
            items.forEach(graph::add);
        }
        return (mapper.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static String graphKey(JsonNode n) {
        // The CreationInfo (a blank node) first, then elements by IRI.
        return n.has("spdxId") ? "1" + n.get("spdxId").asText() : "0" + n.path("@id").asText();
    }

    private static JsonNode sorted(JsonNode node) {
        if (node instanceof ObjectNode o) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            new TreeSet<>(iterable(o)).forEach(k -> out.set(k, sorted(o.get(k))));
            return out;
        }
        if (node instanceof ArrayNode a) {
            List<JsonNode> items = new ArrayList<>();
            a.forEach(i -> items.add(sorted(i)));
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            items.sort(Comparator.comparing(JsonNode::toString));
            items.forEach(out::add);
            return out;
        }
        return node;
    }

    private static List<String> iterable(ObjectNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
