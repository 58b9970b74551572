package dev.distill.sbom.format;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distill.sbom.model.Distro;
import dev.distill.sbom.model.Hashes;
import dev.distill.sbom.model.LicenseExpressions;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.PackageFile;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Sbom;
import dev.distill.sbom.model.SourceInfo;
import dev.distill.sbom.model.ToolInfo;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SPDX 3.0.1 JSON-LD back into the model, read as the spec's compact JSON-LD graph (every element an object of
 * {@code @graph} with its type and properties). The document's root package is the image; packages with the
 * operatingSystem purpose are the distro; {@code contains}, {@code dependsOn} and {@code hasDeclaredLicense}
 * relationships give owned files, dependencies and licenses.
 */
final class Spdx3Reader {
    private static final Pattern TOOL = Pattern.compile("(.+?)-(\\d.*)");
    private static final Pattern OUR_PACKAGE_ID = Pattern.compile(".*#SPDXRef-Package-([a-z0-9]+)-.*");

    private Spdx3Reader() {
    }

    static Sbom read(JsonNode root, String name) throws SbomFormatException {
        JsonNode graph = root.path("@graph");
        if (!graph.isArray()) {
            throw new SbomFormatException(name + ": SPDX 3 JSON-LD without a @graph");
        }
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        JsonNode creationInfo = null;
        List<JsonNode> relationships = new ArrayList<>();
        String rootId = null;
        String documentComment = "";
        for (JsonNode n : graph) {
            String type = n.path("type").asText("");
            if (type.equals("CreationInfo") && creationInfo == null) {
                creationInfo = n;
            } else if (type.equals("Relationship")) {
                relationships.add(n);
            }
            if (n.has("spdxId")) {
                byId.put(n.get("spdxId").asText(), n);
            }
            if (type.equals("SpdxDocument") && n.path("rootElement").isArray() && n.path("rootElement").size() > 0) {
                rootId = n.path("rootElement").get(0).asText();
                documentComment = n.path("comment").asText("");
            }
        }
        // The document's root may be the software_Sbom; the SBOM's root is then the image.
        JsonNode rootNode = rootId == null ? null : byId.get(rootId);
        if (rootNode != null && rootNode.path("type").asText().equals("software_Sbom")
                && rootNode.path("rootElement").size() > 0) {
            rootId = rootNode.path("rootElement").get(0).asText();
        }
        // A document of one library has that library as its root: a package, not the subject of the SBOM.
        JsonNode described = rootId == null ? null : byId.get(rootId);
        if (described != null && !isSubject(described)) {
            rootId = null;
        }
        if (creationInfo == null) {
            throw new SbomFormatException(name + ": SPDX 3 document without CreationInfo");
        }
        Instant created;
        try {
            created = Instant.parse(creationInfo.path("created").asText(""));
        } catch (DateTimeParseException e) {
            throw new SbomFormatException(name + ": CreationInfo.created is not a timestamp");
        }
        ToolInfo tool = new ToolInfo("unknown", "");
        for (JsonNode t : creationInfo.path("createdUsing")) {
            Matcher m = TOOL.matcher(byId.getOrDefault(t.asText(), t).path("name").asText(""));
            if (m.matches()) {
                tool = new ToolInfo(m.group(1), m.group(2));
                break;
            }
        }
        Map<String, List<String>> contains = new HashMap<>();
        Map<String, List<String>> dependsOn = new HashMap<>();
        Map<String, String> license = new HashMap<>();
        for (JsonNode r : relationships) {
            String from = r.path("from").asText();
            List<String> to = new ArrayList<>();
            r.path("to").forEach(t -> to.add(t.asText()));
            switch (r.path("relationshipType").asText()) {
                case "contains" -> contains.computeIfAbsent(from, k -> new ArrayList<>()).addAll(to);
                case "dependsOn" -> dependsOn.computeIfAbsent(from, k -> new ArrayList<>()).addAll(to);
                case "hasDeclaredLicense" -> to.stream().map(byId::get).filter(n -> n != null)
                        .findFirst().ifPresent(n -> license.put(from, n.path("simplelicensing_licenseExpression")
                                .asText(null)));
                default -> {
                    // describes and others carry nothing the model keeps
                }
            }
        }
        Distro distro = null;
        List<Package> packages = new ArrayList<>();
        Map<String, String> modelId = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : byId.entrySet()) {
            JsonNode n = e.getValue();
            if (!n.path("type").asText().equals("software_Package") || e.getKey().equals(rootId)) {
                continue;
            }
            if (n.path("software_primaryPurpose").asText().equals("operatingSystem")) {
                distro = new Distro(n.path("name").asText(), n.path("software_packageVersion").asText(null), null,
                        n.path("description").asText(null), null, List.of(), null);
                continue;
            }
            Package p = pkg(e.getKey(), n, byId, contains, license);
            modelId.put(e.getKey(), p.id());
            packages.add(p);
        }
        packages.sort(Comparator.comparing(Package::type).thenComparing(Package::name)
                .thenComparing(Package::version).thenComparing(Package::id));
        List<Relationship> rels = new ArrayList<>();
        for (Map.Entry<String, List<String>> d : dependsOn.entrySet()) {
            for (String to : d.getValue()) {
                if (modelId.containsKey(d.getKey()) && modelId.containsKey(to)) {
                    rels.add(new Relationship(modelId.get(d.getKey()), Relationship.Type.DEPENDS_ON, modelId.get(to)));
                }
            }
        }
        for (Map.Entry<String, List<String>> c : contains.entrySet()) {
            for (String to : c.getValue()) {
                if (modelId.containsKey(c.getKey()) && modelId.containsKey(to)) {
                    rels.add(new Relationship(modelId.get(c.getKey()), Relationship.Type.CONTAINS, modelId.get(to)));
                }
            }
        }
        rels.sort(Comparator.naturalOrder());
        JsonNode image = rootId == null ? null : byId.get(rootId);
        String version = image == null ? null : image.path("software_packageVersion").asText(null);
        String digest = version != null && version.matches("sha(256|512):[a-f0-9]+") ? version : null;
        SourceInfo source = new SourceInfo(name, "sbom", image == null ? name : image.path("name").asText(name), null,
                digest, null, null, null, List.of(), digest == null ? null : image.path("software_packageUrl")
                        .asText(null));
        return new Sbom(source, distro, packages, rels, SpdxReader.unknowns(documentComment), tool, created);
    }

    /** Whether the described element is what the SBOM is of (an image, directory or source), not a package in it. */
    private static boolean isSubject(JsonNode n) {
        if (!n.path("type").asText().equals("software_Package")) {
            return true;
        }
        String purpose = n.path("software_primaryPurpose").asText("");
        if (!purpose.isEmpty()) {
            return purpose.equals("container") || purpose.equals("file") || purpose.equals("source");
        }
        return !n.has("software_packageUrl");
    }

    private static Package pkg(String spdxId, JsonNode n, Map<String, JsonNode> byId,
                               Map<String, List<String>> contains, Map<String, String> license) {
        String purl = n.path("software_packageUrl").asText(null);
        Matcher ours = OUR_PACKAGE_ID.matcher(spdxId);
        String type = PackageTypes.ofPurl(purl);
        if (type == null) {
            type = ours.matches() ? ours.group(1) : PackageTypes.UNKNOWN;
        }
        String name = n.path("name").asText("");
        String version = n.path("software_packageVersion").asText("");
        List<String> cpes = new ArrayList<>();
        for (JsonNode x : n.path("externalIdentifier")) {
            if (x.path("externalIdentifierType").asText().equals("cpe23")) {
                cpes.add(x.path("identifier").asText());
            }
        }
        cpes.sort(Comparator.naturalOrder());
        List<PackageFile> files = new ArrayList<>();
        for (String to : contains.getOrDefault(spdxId, List.of())) {
            JsonNode f = byId.get(to);
            if (f != null && f.path("type").asText().equals("software_File")) {
                Hashes h = hashes(f.path("verifiedUsing"));
                files.add(new PackageFile(f.path("name").asText(), h == null ? null : h.sha256(),
                        h == null ? null : h.sha1(), null));
            }
        }
        files.sort(Comparator.comparing(PackageFile::path));
        String id = purl != null ? purl : type + ":" + name + "@" + version;
        String foundBy = null;
        String dbPath = null;
        Matcher source = SpdxReader.SOURCE_INFO.matcher(n.path("software_sourceInfo").asText(""));
        if (source.matches()) {
            foundBy = source.group(1);
            dbPath = source.group(2);
        }
        JsonNode supplier = byId.get(n.path("suppliedBy").asText(""));
        String download = n.path("software_downloadLocation").asText(null);
        return new Package(id, name, version, type, purl, cpes, LicenseExpressions.canonical(license.get(spdxId)),
                supplier == null ? null : supplier.path("name").asText(null), null, n.path("summary").asText(null),
                foundBy, dbPath, SpdxReader.layer(n.path("comment").asText("")), hashes(n.path("verifiedUsing")),
                files, download == null ? Map.of() : Map.of(Package.DOWNLOAD_LOCATION, download));
    }

    private static Hashes hashes(JsonNode verifiedUsing) {
        String sha1 = null;
        String sha256 = null;
        for (JsonNode h : verifiedUsing) {
            switch (h.path("algorithm").asText()) {
                case "sha1" -> sha1 = h.path("hashValue").asText();
                case "sha256" -> sha256 = h.path("hashValue").asText();
                default -> {
                    // other algorithms are not in the model
                }
            }
        }
        return sha1 == null && sha256 == null ? null : new Hashes(sha256, sha1);
    }
}
