package dev.distill.sbom.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.testing.Fixtures;
import dev.distill.oci.testing.Golden;
import dev.distill.sbom.SbomTesting;
import dev.distill.sbom.model.Sbom;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.cyclonedx.parsers.XmlParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every format: golden output, CycloneDX schema validity (cyclonedx-core-java's validators), and byte-identical
 * reruns. SPDX validity is checked with spdx tools-java in the conformance module.
 */
class SbomFormatsTest {
    private static final List<String> FIXTURES = SbomTesting.FIXTURES;
    private static final List<String> FORMATS = List.of("spdx-json", "spdx-tag-value", "spdx3-json",
            "cyclonedx-json", "cyclonedx-xml", "cyclonedx-json@1.5", "cyclonedx-json@1.4", "cyclonedx-xml@1.4",
            "table");
    private static final List<String> CYCLONEDX = FORMATS.stream().filter(f -> f.startsWith("cyclonedx")).toList();

    @ParameterizedTest
    @ValueSource(strings = {"spdx-json", "spdx-tag-value", "spdx3-json", "cyclonedx-json", "cyclonedx-xml",
        "cyclonedx-json@1.4", "table"})
    void layeredFixtureMatchesItsGolden(String format) throws IOException {
        Sbom sbom = SbomTesting.sbom(Fixtures.path("layered").toString());
        String name = "sbom-layered." + format.replace('@', '-');
        Golden.assertMatches(name, new String(SbomTesting.render(sbom, format), StandardCharsets.UTF_8));
    }

    @Test
    void everyFixtureGivesValidCycloneDx() throws Exception {
        for (String fixture : FIXTURES) {
            Sbom sbom = SbomTesting.sbom(SbomTesting.fixture(fixture));
            for (String format : CYCLONEDX) {
                byte[] bytes = SbomTesting.render(sbom, format);
                List<String> problems = validate(format, bytes);
                assertEquals(List.of(), problems, fixture + " as " + format);
            }
        }
    }

    /**
     * spdx-java-library lists the members of an AND/OR set in the hash order of its internal ids, which contain the
     * document namespace: the same package had "(A AND B)" in the SBOM of one image and "(B AND A)" in another's.
     */
    @Test
    void aPackageHasTheSameSpdxLicenseInEveryImage() throws IOException {
        Sbom oci = SbomTesting.sbom(Fixtures.path("layered").toString());
        Sbom docker = SbomTesting.sbom(SbomTesting.fixture("layered.docker.tar"));
        for (String format : List.of("spdx-tag-value", "spdx-json")) {
            List<String> a = licenseLines(SbomTesting.render(oci, format));
            List<String> b = licenseLines(SbomTesting.render(docker, format));
            assertTrue(a.stream().anyMatch(l -> l.contains(" AND ")), format + ": " + a);
            assertEquals(a, b, format);
        }
    }

    private static List<String> licenseLines(byte[] document) {
        return new String(document, StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("icenseDeclared")).map(String::strip).toList();
    }

    /** prepare() (run on another thread by the CLI while the image is read) changes nothing in what is written. */
    @Test
    void preparingAWriterChangesNothing() throws Exception {
        Sbom sbom = SbomTesting.sbom(Fixtures.path("layered").toString());
        for (String format : FORMATS) {
            SbomWriter w = SbomFormat.writer(format);
            Thread t = new Thread(w::prepare);
            t.start();
            t.join();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            w.write(sbom, out);
            assertArrayEquals(SbomTesting.render(sbom, format), out.toByteArray(), format);
        }
    }

    @Test
    void outputsAreByteIdenticalAcrossRuns() throws IOException {
        for (String fixture : List.of("distroless-base", "rootfs-netbase", "apko-wolfi")) {
            Sbom first = SbomTesting.sbom(SbomTesting.fixture(fixture));
            Sbom second = SbomTesting.sbom(SbomTesting.fixture(fixture));
            for (String format : FORMATS) {
                assertArrayEquals(SbomTesting.render(first, format), SbomTesting.render(second, format), fixture + " as " + format);
            }
        }
    }

    @Test
    void theSameImageElsewhereGivesTheSameBytes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws IOException {
        java.nio.file.Path copy = tmp.resolve("elsewhere").resolve("layered");
        try (var s = java.nio.file.Files.walk(Fixtures.path("layered"))) {
            for (java.nio.file.Path p : s.toList()) {
                java.nio.file.Path target = copy.resolve(Fixtures.path("layered").relativize(p).toString());
                if (java.nio.file.Files.isDirectory(p)) {
                    java.nio.file.Files.createDirectories(target);
                } else {
                    java.nio.file.Files.copy(p, target);
                }
            }
        }
        Sbom here = SbomTesting.sbom(Fixtures.path("layered").toString());
        Sbom there = SbomTesting.sbom(copy.toString());
        for (String format : FORMATS) {
            assertArrayEquals(SbomTesting.render(here, format), SbomTesting.render(there, format), format);
        }
    }

    @Test
    void theValidatorsCatchBrokenDocuments() throws Exception {
        Sbom sbom = SbomTesting.sbom(Fixtures.path("layered").toString());
        String cdx = new String(SbomTesting.render(sbom, "cyclonedx-json"), StandardCharsets.UTF_8)
                .replace("\"bom-ref\"", "\"bom-reference\"");
        assertTrue(!validate("cyclonedx-json", cdx.getBytes(StandardCharsets.UTF_8)).isEmpty());
    }

    @Test
    void unknownFormatsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SbomFormat.writer("syft"));
        assertTrue(e.getMessage().contains("spdx-json, spdx-tag-value, spdx3-json, cyclonedx-json"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SbomFormat.writer("cyclonedx-json@1.2"));
        assertThrows(IllegalArgumentException.class, () -> SbomFormat.writer("spdx-json@2.2"));
    }

    /** Schema problems of a CycloneDX document in {@code format} (cyclonedx-core-java's validators, 1.4 to 1.6). */
    static List<String> validate(String format, byte[] bytes) throws Exception {
        Version cdx = format.endsWith("@1.4") ? Version.VERSION_14 : format.endsWith("@1.5") ? Version.VERSION_15
                : Version.VERSION_16;
        if (format.startsWith("cyclonedx-json")) {
            return new JsonParser().validate(new String(bytes, StandardCharsets.UTF_8), cdx).stream()
                    .map(Throwable::getMessage).toList();
        }
        return new XmlParser().validate(bytes, cdx).stream().map(Throwable::getMessage).toList();
    }
}
