package dev.distill.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.distill.oci.testing.Fixtures;
import dev.distill.sbom.SbomTesting;
import dev.distill.sbom.format.SbomReader;
import dev.distill.sbom.model.Sbom;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.spdx.library.SpdxModelFactory;
import org.spdx.tools.SpdxToolsHelper.SerFileType;
import org.spdx.tools.Verify;

/**
 * Every SPDX document distill writes passes spdx tools-java's verification: the official JSON schema (2.3 for
 * JSON, 3.0.1 for JSON-LD) and the model's own checks.
 */
class SpdxConformanceTest {
    private static final List<String> FIXTURES = SbomTesting.FIXTURES;

    @TempDir
    Path tmp;

    @BeforeAll
    static void init() {
        System.setProperty("org.spdx.useJARLicenseInfoOnly", "true");
        SpdxModelFactory.init();
    }

    @Test
    void spdx23JsonAndTagValueVerify() throws Exception {
        for (String fixture : FIXTURES) {
            Sbom sbom = SbomTesting.sbom(SbomTesting.fixture(fixture));
            assertEquals(List.of(), verify(SbomTesting.render(sbom, "spdx-json"), ".spdx.json",
                    SerFileType.JSON), fixture + " as spdx-json");
            assertEquals(List.of(), verify(SbomTesting.render(sbom, "spdx-tag-value"), ".spdx",
                    SerFileType.TAG), fixture + " as spdx-tag-value");
        }
    }

    /**
     * spdx tools-java's SPDX 3 verification takes about 115 s over every fixture on a 2-core machine (most of it
     * in its JSON-LD schema and model checks), at the edge of the 120 s default; the bound is raised for it alone.
     */
    @Test
    @Timeout(value = 400, unit = TimeUnit.SECONDS)
    void spdx3JsonLdVerifies() throws Exception {
        for (String fixture : FIXTURES) {
            Sbom sbom = SbomTesting.sbom(SbomTesting.fixture(fixture));
            assertEquals(List.of(), verify(SbomTesting.render(sbom, "spdx3-json"), ".spdx3.jsonld",
                    SerFileType.JSONLD), fixture + " as spdx3-json");
        }
    }

    /** Documents other tools write (fixtures/sboms: syft, trivy, cdxgen and SPDX 3 shapes), converted to SPDX. */
    @Test
    void convertedForeignDocumentsVerify() throws Exception {
        for (String document : List.of("syft-image.cdx.json", "syft-image.spdx.json", "trivy-image.cdx.json",
                "trivy-image.spdx.json", "cdxgen-app.cdx.json", "one-package.spdx.json", "tool-image.spdx3.json")) {
            Sbom sbom = SbomReader.read(Files.readAllBytes(Fixtures.path("sboms").resolve(document)), document,
                    Instant.EPOCH);
            assertEquals(List.of(), verify(SbomTesting.render(sbom, "spdx-json"), ".spdx.json", SerFileType.JSON),
                    document + " as spdx-json");
            assertEquals(List.of(), verify(SbomTesting.render(sbom, "spdx-tag-value"), ".spdx", SerFileType.TAG),
                    document + " as spdx-tag-value");
            assertEquals(List.of(), verify(SbomTesting.render(sbom, "spdx3-json"), ".spdx3.jsonld",
                    SerFileType.JSONLD), document + " as spdx3-json");
        }
    }

    @Test
    void theVerifierCatchesABrokenDocument() throws Exception {
        Sbom sbom = SbomTesting.sbom(SbomTesting.fixture("layered"));
        String broken = new String(SbomTesting.render(sbom, "spdx-json"), StandardCharsets.UTF_8)
                .replace("\"downloadLocation\"", "\"downloadLocationX\"");
        assertFalse(verify(broken.getBytes(StandardCharsets.UTF_8), ".spdx.json", SerFileType.JSON).isEmpty());
    }

    private List<String> verify(byte[] bytes, String suffix, SerFileType type) throws Exception {
        Path f = Files.createTempFile(tmp, "doc", suffix);
        Files.write(f, bytes);
        return Verify.verify(f.toString(), type);
    }
}
