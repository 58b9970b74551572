package dev.distill.sbom.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.sbom.SbomTesting;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Sbom;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SbomReaderTest {
    private static final List<String> FORMATS = List.of("spdx-json", "spdx-tag-value", "spdx3-json",
            "cyclonedx-json", "cyclonedx-xml", "cyclonedx-json@1.4");

    private static Sbom read(byte[] doc) throws IOException {
        return SbomReader.read(doc, "doc", Instant.EPOCH);
    }

    @Test
    void everyReadableFormatRoundTripsToTheSameBytes() throws IOException {
        for (String fixture : SbomTesting.FIXTURES) {
            Sbom sbom = SbomTesting.sbom(SbomTesting.fixture(fixture));
            for (String format : FORMATS) {
                String first = new String(SbomTesting.render(sbom, format), StandardCharsets.UTF_8);
                String again = new String(SbomTesting.render(read(first.getBytes(StandardCharsets.UTF_8)), format),
                        StandardCharsets.UTF_8);
                assertEquals(first, again, fixture + " through " + format);
            }
        }
    }

    @Test
    void spdxConvertsToCycloneDxWithPackagesAndDependencies() throws IOException {
        Sbom original = SbomTesting.sbom(SbomTesting.fixture("distroless-base"));
        Sbom fromSpdx = read(SbomTesting.render(original, "spdx-json"));
        Sbom fromCdx = read(SbomTesting.render(original, "cyclonedx-xml"));
        for (Sbom s : List.of(fromSpdx, fromCdx)) {
            assertEquals(original.packages().stream().map(Package::purl).toList(),
                    s.packages().stream().map(Package::purl).toList());
            assertEquals(original.packages().stream().map(Package::license).toList(),
                    s.packages().stream().map(Package::license).toList());
            assertEquals(original.relationships(), s.relationships());
            assertEquals(original.distro().qualifier(), s.distro().qualifier());
            assertEquals(original.created(), s.created());
            assertEquals(original.source().digest(), s.source().digest());
        }
        assertEquals(original.packages().get(2).files(), fromSpdx.packages().get(2).files().stream()
                .map(f -> new dev.distill.sbom.model.PackageFile(f.path(), f.sha256(), f.sha1(),
                        original.packages().get(2).files().stream().filter(o -> o.path().equals(f.path()))
                                .findFirst().orElseThrow().recorded())).toList(),
                "SPDX carries owned files with both digests");
    }

    @Test
    void aDocumentWithoutTimestampTakesTheFallback() throws IOException {
        String bom = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1,\"components\":[{\"type\":"
                + "\"library\",\"name\":\"x\",\"version\":\"1\",\"purl\":\"pkg:npm/x@1\"}]}";
        Sbom s = SbomReader.read(bom.getBytes(StandardCharsets.UTF_8), "b.json", Instant.ofEpochSecond(42));
        assertEquals(Instant.ofEpochSecond(42), s.created());
        assertEquals("npm", s.packages().get(0).type());
    }

    @Test
    void unreadableInputIsNamed() {
        for (String bad : List.of("hello", "{\"x\":1}", "{\"@context\":\"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\"}",
                "{\"@context\":\"https://spdx.org/rdf/3.0.1/spdx-context.jsonld\",\"@graph\":[]}",
                "{not json", "<bom><broken", "SPDXVersion: SPDX-2.3\nthis is not tag value\n")) {
            SbomFormatException e = assertThrows(SbomFormatException.class,
                    () -> SbomReader.read(bad.getBytes(StandardCharsets.UTF_8), "in.doc", Instant.EPOCH), bad);
            assertTrue(e.getMessage().startsWith("in.doc"), e.getMessage());
        }
    }
}
