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
    private static final Pattern XML_TIMESTAMP = Pattern.compile("<metadata>\\s*(<[^>]*>\\s*)*?<timestamp>");

    private CycloneDxReader() {
    }

    static Sbom read(byte[] data, boolean json, String name, Instant fallbackTime) throws SbomFormatException {
        Bom bom;
        try {
            bom = json ? new JsonParser().parse(data) : new XmlParser().parse(data);
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
        if (bom.getComponents() != null) {
            for (Component c : bom.getComponents()) {
                if (c.getType() == Component.Type.OPERATING_SYSTEM && distro == null) {
                    distro = new Distro(c.getName(), c.getVersion(), null, c.getDescription(), c.getCpe(), List.of(),
                            null);
                } else if (c.getType() != Component.Type.OPERATING_SYSTEM) {
                    Package p = pkg(c);
                    if (ids.add(p.id())) {
                        packages.add(p);
                    }
                }
            }
        }
        packages.sort(Comparator.comparing(Package::type).thenComparing(Package::name)
                .thenComparing(Package::version).thenComparing(Package::id));
        List<Relationship> relationships = new ArrayList<>();
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
        relationships.sort(Comparator.naturalOrder());
        return new Sbom(source(md, name), distro, packages, relationships, unknowns(md), tool(md), created);
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
                : null;
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

    private static Package pkg(Component c) {
        Map<String, String> props = new TreeMap<>();
        if (c.getProperties() != null) {
            for (Property p : c.getProperties()) {
                if (p.getName() != null && p.getName().startsWith(PREFIX) && p.getValue() != null) {
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
        String type = purl != null && purl.startsWith("pkg:") && purl.indexOf('/') > 4
                ? purl.substring(4, purl.indexOf('/')) : "unknown";
        String id = c.getBomRef() != null ? c.getBomRef() : purl != null ? purl : c.getName() + "@" + c.getVersion();
        return new Package(id, c.getName(), c.getVersion() == null ? "" : c.getVersion(), type, purl,
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
                terms.add("LicenseRef-" + SpdxIds.clean(l.getName()));
            }
        }
        return terms.isEmpty() ? null : LicenseExpressions.canonical(String.join(" AND ", terms));
    }
}
