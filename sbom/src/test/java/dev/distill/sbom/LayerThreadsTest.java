package dev.distill.sbom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.Image;
import dev.distill.oci.ImageSources;
import dev.distill.oci.SourceOptions;
import dev.distill.sbom.model.Sbom;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Layers decoded on several threads give the SBOM that one thread reading them in turn gives, byte for byte, in
 * every format and on every fixture image (the docker archive's layers are read concurrently from one tar).
 */
class LayerThreadsTest {
    private static final List<String> FORMATS = List.of("spdx-json", "spdx-tag-value", "spdx3-json",
            "cyclonedx-json", "cyclonedx-xml", "table");

    @Test
    void everyFixtureGivesTheSameBytesOnOneThreadAndOnFour() throws IOException {
        int packages = 0;
        for (String fixture : SbomTesting.FIXTURES) {
            Sbom serial = sbom(fixture, 1);
            Sbom concurrent = sbom(fixture, 4);
            packages += serial.packages().size();
            for (String format : FORMATS) {
                assertArrayEquals(SbomTesting.render(serial, format), SbomTesting.render(concurrent, format),
                        fixture + " as " + format);
            }
        }
        assertTrue(packages > 40, "the fixtures hold packages: " + packages);
    }

    private static Sbom sbom(String fixture, int threads) throws IOException {
        try (Image img = ImageSources.open(SbomTesting.fixture(fixture), SourceOptions.defaults())) {
            return SbomGenerator.generate(img, SbomOptions.defaults(SbomTesting.TOOL).withClock(SbomTesting.CLOCK)
                    .withLayerThreads(threads));
        }
    }
}
