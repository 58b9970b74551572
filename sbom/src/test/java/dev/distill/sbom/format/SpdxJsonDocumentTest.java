package dev.distill.sbom.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.sbom.SbomTesting;
import dev.distill.sbom.model.Hashes;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.PackageFile;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Sbom;
import dev.distill.sbom.model.Unknown;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.spdx.jacksonstore.MultiFormatStore;
import org.spdx.library.model.v2.SpdxDocument;
import org.spdx.storage.simple.InMemSpdxStore;

/**
 * SPDX JSON is written without spdx-java-library's model (see {@link SpdxJsonDocument}); the library stays the
 * oracle: for every fixture, and for each fixture with the cases fixtures lack added (a comment of unknowns, a
 * license no SPDX parser accepts, a file two packages own, a dependency, a package without a purl, one LicenseRef in two cases),
 * both give the same bytes.
 */
class SpdxJsonDocumentTest {
    @ParameterizedTest
    @FieldSource("dev.distill.sbom.SbomTesting#FIXTURES")
    void writesWhatTheLibraryWrites(String fixture) throws Exception {
        Sbom sbom = SbomTesting.sbom(SbomTesting.fixture(fixture));
        assertSame(sbom, fixture);
        assertSame(withOddCases(sbom), fixture + " with odd cases");
    }

    private static void assertSame(Sbom sbom, String what) throws Exception {
        String direct = new String(SpdxWriter.canonicalJson(SpdxJsonDocument.build(sbom)), StandardCharsets.UTF_8);
        String library = new String(libraryJson(sbom), StandardCharsets.UTF_8);
        if (!library.equals(direct)) { // both kept for a diff
            java.nio.file.Path dir = java.nio.file.Path.of("target", "spdx-differences");
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Files.writeString(dir.resolve(what.replace(' ', '-') + ".library.json"), library);
            java.nio.file.Files.writeString(dir.resolve(what.replace(' ', '-') + ".direct.json"), direct);
        }
        assertEquals(library, direct, what);
        assertTrue(direct.contains("\"SPDXRef-DOCUMENT\""), what);
    }

    /** The document as spdx-java-library's JSON store serializes it, put in our canonical order. */
    private static byte[] libraryJson(Sbom sbom) throws Exception {
        MultiFormatStore store = new MultiFormatStore(new InMemSpdxStore(), MultiFormatStore.Format.JSON_PRETTY);
        SpdxDocument doc = SpdxWriter.build(sbom, store);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        store.serialize(buf, doc);
        // The library lists the members of AND/OR sets in its store's order; ours are sorted (renderLicense).
        com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(buf.toByteArray());
        for (com.fasterxml.jackson.databind.JsonNode p : root.path("packages")) {
            String declared = p.path("licenseDeclared").asText();
            if (declared.startsWith("(")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) p).put("licenseDeclared",
                        SpdxWriter.renderLicense(declared));
            }
        }
        return SpdxWriter.canonicalJson(root);
    }

    private static Sbom withOddCases(Sbom sbom) {
        List<Package> packages = new ArrayList<>(sbom.packages());
        List<Relationship> relationships = new ArrayList<>(sbom.relationships());
        PackageFile shared = new PackageFile("/usr/share/doc/shared/copyright",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "da39a3ee5e6b4b0d3255bfef95601890afd80709", null);
        Package odd = new Package("pkg:generic/odd@1", "odd", "1", "generic", "pkg:generic/odd@1", List.of(),
                "GPL2+ custom or (MIT and Apache-2.0)", "Someone <someone@example.org>", null, "an odd one", "test",
                "/odd", null, new Hashes(shared.sha256(), shared.sha1()), List.of(shared),
                Map.of(Package.DOWNLOAD_LOCATION, "https://example.org/odd-1.tar.gz"));
        Package bare = new Package("pkg:generic/bare", "bare", "0", "generic", null,
                List.of("cpe:2.3:a:bare:bare:*:*:*:*:*:*:*:*"), "mit", null, null, null, "test", null, null,
                null, List.of(shared), Map.of());
        Package shouting = new Package("pkg:generic/shouting@2", "shouting", "2", "generic", null, List.of(),
                "gpl2+ CUSTOM OR (mit AND apache-2.0)", null, null, null, "test", "/shouting", null, null, List.of(), Map.of());
        packages.add(odd);
        packages.add(bare);
        packages.add(shouting);
        relationships.add(new Relationship(odd.id(), Relationship.Type.DEPENDS_ON, bare.id()));
        relationships.add(new Relationship(odd.id(), Relationship.Type.CONTAINS, bare.id()));
        List<Unknown> unknowns = new ArrayList<>(sbom.unknowns());
        unknowns.add(new Unknown("/odd/thing", "test", "could not read \"it\": a reason"));
        return new Sbom(sbom.source(), sbom.distro(), packages, relationships, unknowns, sbom.tool(), sbom.created());
    }
}
