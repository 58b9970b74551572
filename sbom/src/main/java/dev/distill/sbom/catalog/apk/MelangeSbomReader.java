package dev.distill.sbom.catalog.apk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.sbom.catalog.CatalogContext;
import dev.distill.sbom.tree.FileEntry;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads the SPDX 2 documents melange writes into every apk it builds ({@code /var/lib/db/sbom/NAME-VERSION.spdx.json})
 * as facts about packages, never as packages: syft turned its reader off because it duplicated what the database
 * lists, trivy's made its output depend on reading order. Here the apk database decides what is installed and a
 * document only adds to the package it describes; documents are read in path order.
 */
final class MelangeSbomReader {
    static final String GLOB = "/var/lib/db/sbom/*.spdx.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private MelangeSbomReader() {
    }

    /** Every readable document, by {@code NAME-VERSION} of the package it describes; unreadable ones are unknowns. */
    static Map<String, MelangeSbom> read(CatalogContext ctx, String cataloger) throws IOException {
        Map<String, MelangeSbom> out = new TreeMap<>();
        List<FileEntry> docs = ctx.tree().find(List.of(GLOB));
        docs.sort(java.util.Comparator.comparing(FileEntry::path));
        for (FileEntry e : docs) {
            if (!e.isFile()) {
                continue;
            }
            Optional<String> text = ctx.text(e);
            if (text.isEmpty()) {
                continue;
            }
            try {
                MelangeSbom doc = parse(e.path(), JSON.readTree(text.get()));
                out.putIfAbsent(doc.name() + "-" + doc.version(), doc);
            } catch (IOException | IllegalArgumentException bad) {
                ctx.unknown(e.path(), cataloger, "not a melange SPDX document: " + reason(bad));
            }
        }
        return out;
    }

    private static String reason(Exception e) {
        return e instanceof IllegalArgumentException ? e.getMessage() : "not JSON";
    }

    /** The described package and the source it was generated from. */
    static MelangeSbom parse(String path, JsonNode doc) {
        if (!doc.path("spdxVersion").asText("").startsWith("SPDX-2.")) {
            throw new IllegalArgumentException("no SPDX 2 version");
        }
        Map<String, JsonNode> byId = new HashMap<>();
        for (JsonNode p : doc.path("packages")) {
            byId.put(p.path("SPDXID").asText(""), p);
        }
        String describedId = null;
        for (JsonNode id : doc.path("documentDescribes")) {
            describedId = id.asText();
            break;
        }
        String sourceId = null;
        for (JsonNode r : doc.path("relationships")) {
            String type = r.path("relationshipType").asText("");
            if (describedId == null && type.equals("DESCRIBES")) {
                describedId = r.path("relatedSpdxElement").asText();
            }
        }
        for (JsonNode r : doc.path("relationships")) {
            if (r.path("relationshipType").asText("").equals("GENERATED_FROM")
                    && r.path("spdxElementId").asText("").equals(describedId)) {
                sourceId = r.path("relatedSpdxElement").asText();
                break;
            }
        }
        JsonNode described = byId.get(describedId);
        if (described == null || described.path("name").asText("").isEmpty()
                || described.path("versionInfo").asText("").isEmpty()) {
            throw new IllegalArgumentException("it describes no package with a name and version");
        }
        JsonNode source = sourceId == null ? null : byId.get(sourceId);
        String location = source == null ? null : value(source.path("downloadLocation").asText(null));
        if (location == null) {
            location = value(described.path("downloadLocation").asText(null));
        }
        String supplier = value(described.path("supplier").asText(null));
        return new MelangeSbom(path, described.path("name").asText(), described.path("versionInfo").asText(),
                value(described.path("licenseDeclared").asText(null)),
                supplier == null ? null : supplier.replaceFirst("^(Organization|Person|Tool): ", ""),
                location, source == null ? null : purl(source));
    }

    private static String purl(JsonNode pkg) {
        for (JsonNode ref : pkg.path("externalRefs")) {
            if (ref.path("referenceType").asText("").equals("purl")) {
                return value(ref.path("referenceLocator").asText(null));
            }
        }
        return null;
    }

    /** SPDX's NOASSERTION and NONE say nothing. */
    private static String value(String s) {
        return s == null || s.isBlank() || s.equals("NOASSERTION") || s.equals("NONE") ? null : s;
    }
}
