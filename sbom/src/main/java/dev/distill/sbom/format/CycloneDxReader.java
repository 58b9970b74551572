package dev.distill.sbom.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.oci.wire.Json;
import dev.distill.sbom.model.Distro;
import dev.distill.sbom.model.Hashes;
import dev.distill.sbom.model.LayerInfo;
import dev.distill.sbom.model.LicenseExpressions;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Sbom;
import dev.distill.sbom.model.SourceInfo;
import dev.distill.sbom.model.SpdxLicenseList;
import dev.distill.sbom.model.ToolInfo;
import dev.distill.sbom.model.Unknown;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Dependency;
import org.cyclonedx.model.ExternalReference;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.License;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.Property;
import org.cyclonedx.parsers.JsonParser;
import org.cyclonedx.parsers.XmlParser;

/** CycloneDX (JSON or XML, any version the library reads) back into the model. */
final class CycloneDxReader {
    private static final String PREFIX = "distill:";
    private static final String TRIVY = "aquasecurity:trivy:";
    /** A component's evidence in XML (see {@link #withoutEvidence}); it holds no evidence element of its own. */
    private static final Pattern XML_EVIDENCE = Pattern.compile("<evidence\\s*/>|<evidence>.*?</evidence>",
            Pattern.DOTALL);
    private static final Pattern XML_TIMESTAMP = Pattern.compile("<metadata>\\s*(<[^>]*>\\s*)*?<timestamp>");

    private CycloneDxReader() {
    }

    /** A component and the id of the package it sits in (null at the top). */
    private record Nested(Component component, String parent) {
    }

    static Sbom read(byte[] data, boolean json, String name, Instant fallbackTime) throws SbomFormatException {
        Bom bom;
        try {
            bom = json ? new JsonParser().parse(withoutEvidence(data)) : new XmlParser().parse(
                    XML_EVIDENCE.matcher(new String(data, StandardCharsets.UTF_8)).replaceAll("")
                            .getBytes(StandardCharsets.UTF_8));
        } catch (ParseException e) {
            // The library's message ("Unable to parse BOM from byte array") says nothing more; the cause, if it is
            // Jackson's, says where.
            throw new SbomFormatException(e.getCause() instanceof JsonProcessingException j
                    ? name + " " + Json.problem(j) : name + " is not a readable CycloneDX document", e);
        }
        Metadata md = bom.getMetadata();
        // The library fills a missing timestamp with the current time; only a timestamp the document has counts.
        Instant created = md != null && md.getTimestamp() != null && hasTimestamp(data, json)
                ? md.getTimestamp().toInstant() : fallbackTime;
        Distro distro = null;
        List<Package> packages = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        List<Relationship> relationships = new ArrayList<>();
        // Nested components are contained by the component they sit in: walk the tree, parents first.
        java.util.ArrayDeque<Nested> todo = new java.util.ArrayDeque<>();
        List<Component> top = bom.getComponents() == null ? List.of() : bom.getComponents();
        for (int i = top.size() - 1; i >= 0; i--) {
            todo.push(new Nested(top.get(i), null));
        }
        while (!todo.isEmpty()) {
            Nested next = todo.pop();
            Component c = next.component();
            String parent = next.parent();
            String self = parent;
            if (c.getType() == Component.Type.OPERATING_SYSTEM) {
                if (distro == null) {
                    distro = new Distro(c.getName(), c.getVersion(), null, c.getDescription(), c.getCpe(), List.of(),
                            null);
                }
            } else if (isPackage(c)) {
                Package p = pkg(c);
                if (ids.add(p.id())) {
                    packages.add(p);
                }
                if (parent != null && !parent.equals(p.id())) {
                    relationships.add(new Relationship(parent, Relationship.Type.CONTAINS, p.id()));
                }
                for (Property prop : c.getProperties() == null ? List.<Property>of() : c.getProperties()) {
                    if (prop.getName() != null && prop.getName().startsWith(PREFIX + "containedBy:")
                            && prop.getValue() != null) {
                        relationships.add(new Relationship(prop.getValue(), Relationship.Type.CONTAINS, p.id()));
                    }
                }
                self = p.id();
            }
            List<Component> children = c.getComponents() == null ? List.of() : c.getComponents();
            for (int i = children.size() - 1; i >= 0; i--) {
                todo.push(new Nested(children.get(i), self));
            }
        }
        packages.sort(Comparator.comparing(Package::type).thenComparing(Package::name)
                .thenComparing(Package::version).thenComparing(Package::id));
        relationships.removeIf(r -> !ids.contains(r.from()) || !ids.contains(r.to()));
        if (bom.getDependencies() != null) {
            for (Dependency d : bom.getDependencies()) {
                if (d.getDependencies() != null && ids.contains(d.getRef())) {
                    for (Dependency to : d.getDependencies()) {
                        if (ids.contains(to.getRef())) {
                            relationships.add(new Relationship(d.getRef(), Relationship.Type.DEPENDS_ON, to.getRef()));
                        }
                    }
                }
            }
        }
        relationships = new ArrayList<>(new java.util.TreeSet<>(relationships));
        return new Sbom(source(md, name), distro, packages, relationships, unknowns(md), tool(md), created);
    }

    /**
     * The document without the components' {@code evidence}, which the model does not read: cyclonedx-core-java
     * 12.2.0 cannot parse the evidence of a nested component, in JSON or XML ("does not have the expected structure (at
     * /components/4/components/evidence/occurrences)"), so a document with nesting would not be read at all.
     */
    private static byte[] withoutEvidence(byte[] data) {
        try {
            ObjectMapper mapper = new ObjectMapper();
            com.fasterxml.jackson.databind.JsonNode root = mapper.readTree(data);
            if (root == null || !root.isObject()) {
                return data;
            }
            java.util.ArrayDeque<com.fasterxml.jackson.databind.JsonNode> todo = new java.util.ArrayDeque<>();
            todo.push(root);
            while (!todo.isEmpty()) {
                com.fasterxml.jackson.databind.JsonNode n = todo.pop();
                for (com.fasterxml.jackson.databind.JsonNode c : n.path("components")) {
                    if (c.isObject()) {
                        ((com.fasterxml.jackson.databind.node.ObjectNode) c).remove("evidence");
                        todo.push(c);
                    }
                }
            }
            return mapper.writeValueAsBytes(root);
        } catch (java.io.IOException e) {
            return data; // the parser will say what is wrong with it
        }
    }

    private static boolean hasTimestamp(byte[] data, boolean json) {
        if (json) {
            try {
                return new ObjectMapper().readTree(data).path("metadata").has("timestamp");
            } catch (java.io.IOException e) {
                return false;
            }
        }
        return XML_TIMESTAMP.matcher(new String(data, StandardCharsets.UTF_8)).find();
    }

    @SuppressWarnings("deprecation")
    private static ToolInfo tool(Metadata md) {
        if (md != null && md.getToolChoice() != null && md.getToolChoice().getComponents() != null
                && !md.getToolChoice().getComponents().isEmpty()) {
            Component t = md.getToolChoice().getComponents().get(0);
            return new ToolInfo(t.getName(), t.getVersion());
        }
        if (md != null && md.getTools() != null && !md.getTools().isEmpty()) {
            return new ToolInfo(md.getTools().get(0).getName(), md.getTools().get(0).getVersion());
        }
        return new ToolInfo("unknown", "");
    }

    private static SourceInfo source(Metadata md, String name) {
        Component c = md == null ? null : md.getComponent();
        if (c == null) {
            return new SourceInfo(name, "sbom", name, null, null, null, null, null, List.of(), null);
        }
        String digest = c.getVersion() != null && c.getVersion().matches("sha(256|512):[a-f0-9]+") ? c.getVersion()
                : PackageTypes.digestOfOciPurl(c.getPurl());
        return new SourceInfo(name, "sbom", c.getName(), null, digest, null, null, null, List.of(),
                digest == null ? null : c.getPurl());
    }

    private static List<Unknown> unknowns(Metadata md) {
        List<Unknown> out = new ArrayList<>();
        if (md != null && md.getProperties() != null) {
            for (Property p : md.getProperties()) {
                if (p.getName().startsWith(PREFIX + "unknown:")) {
                    String[] parts = p.getValue().split(": ", 3);
                    if (parts.length == 3) {
                        out.add(new Unknown(parts[1], parts[0], parts[2]));
                    }
                }
            }
        }
        return out;
    }

    /**
     * Whether a component is a package: not a file (CycloneDX's {@code file} components are files, which the model
     * keeps only as a package's own), and not one of the result targets trivy lists as applications (a lock file
     * or jar it scanned, marked by its {@code Class} property) to hang packages under.
     */
    private static boolean isPackage(Component c) {
        if (c.getType() == Component.Type.FILE) {
            return false;
        }
        return property(c, TRIVY + "Class") == null;
    }

    private static String property(Component c, String name) {
        for (Property p : c.getProperties() == null ? List.<Property>of() : c.getProperties()) {
            if (name.equals(p.getName())) {
                return p.getValue();
            }
        }
        return null;
    }

    private static Package pkg(Component c) {
        Map<String, String> props = new TreeMap<>();
        if (c.getProperties() != null) {
            for (Property p : c.getProperties()) {
                if (p.getName() != null && p.getName().startsWith(PREFIX) && p.getValue() != null
                        && !p.getName().startsWith(PREFIX + "containedBy:")) {
                    props.put(p.getName().substring(PREFIX.length()), p.getValue());
                }
            }
        }
        if (c.getExternalReferences() != null) {
            for (ExternalReference r : c.getExternalReferences()) {
                if (r.getType() == ExternalReference.Type.DISTRIBUTION && r.getUrl() != null) {
                    props.putIfAbsent(Package.DOWNLOAD_LOCATION, r.getUrl());
                    break;
                }
            }
        }
        String foundBy = props.remove("package:foundBy");
        String dbPath = props.remove("location:0:path");
        String layerId = props.remove("location:0:layerID");
        String layerIndex = props.remove("location:0:layerIndex");
        String arch = props.remove("package:arch");
        String typeProperty = props.remove("package:type");
        LayerInfo layer = null;
        if (layerId != null) {
            int index = -1;
            try {
                index = layerIndex == null ? -1 : Integer.parseInt(layerIndex);
            } catch (NumberFormatException ignored) {
                // an index that is not a number is as good as none
            }
            layer = new LayerInfo(index, layerId, null);
        }
        String purl = c.getPurl();
        String version = c.getVersion() == null ? "" : c.getVersion();
        String type = PackageTypes.ofPurl(purl);
        if (type == null) {
            type = PackageTypes.ofModelId(c.getBomRef(), c.getName(), version);
        }
        if (type == null) {
            type = PackageTypes.ofToolType(typeProperty);
        }
        if (type == null) {
            type = PackageTypes.ofToolType(property(c, "syft:package:type"));
        }
        if (type == null) {
            type = PackageTypes.ofToolType(property(c, TRIVY + "PkgType"));
        }
        if (type == null) {
            type = PackageTypes.UNKNOWN;
        }
        String id = c.getBomRef() != null ? c.getBomRef() : purl != null ? purl
                : PackageTypes.modelId(type, c.getName(), version);
        return new Package(id, c.getName(), version, type, purl,
                c.getCpe() == null ? List.of() : List.of(c.getCpe()), license(c.getLicenses()),
                c.getSupplier() == null ? null : c.getSupplier().getName(), arch, c.getDescription(), foundBy,
                dbPath, layer, hashes(c), List.of(), props);
    }

    /** SHA-256 and SHA-1 of the component, when it lists them. */
    private static Hashes hashes(Component c) {
        String sha256 = null;
        String sha1 = null;
        for (Hash h : c.getHashes() == null ? List.<Hash>of() : c.getHashes()) {
            if ("SHA-256".equals(h.getAlgorithm())) {
                sha256 = h.getValue();
            } else if ("SHA-1".equals(h.getAlgorithm())) {
                sha1 = h.getValue();
            }
        }
        return sha256 == null && sha1 == null ? null : new Hashes(sha256, sha1);
    }

    private static String license(LicenseChoice lc) {
        if (lc == null) {
            return null;
        }
        if (lc.getExpression() != null && lc.getExpression().getValue() != null) {
            return LicenseExpressions.canonical(lc.getExpression().getValue());
        }
        if (lc.getLicenses() == null || lc.getLicenses().isEmpty()) {
            return null;
        }
        List<String> terms = new ArrayList<>();
        for (License l : lc.getLicenses()) {
            if (l.getId() != null) {
                terms.add(l.getId());
            } else if (l.getName() != null) {
                // Tools put SPDX ids in the name field too (trivy: "GPL-2.0"); the license list knows them.
                terms.add(SpdxLicenseList.license(l.getName().strip())
                        .orElse("LicenseRef-" + SpdxIds.clean(l.getName())));
            }
        }
        return terms.isEmpty() ? null : LicenseExpressions.canonical(String.join(" AND ", terms));
    }
}
