package dev.distill.sbom.catalog.java;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.distill.sbom.catalog.CatalogFuzzing;
import java.io.IOException;
import java.util.Map;

/**
 * Any bytes as a jar (read as a stream: its {@code MANIFEST.MF}, {@code pom.properties} and nested jars) catalog
 * to well-formed packages, bounded by what the bytes can hold, or to an unknown, never an exception. A normal
 * build replays the seeds; {@code bench/fuzz sbom:JavaArchiveFuzzTest} fuzzes it.
 */
class JavaArchiveFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void catalogsOrRecordsAnUnknown(byte[] jar) throws IOException {
        CatalogFuzzing.catalog(new JavaArchiveCataloger(), Map.of("/app/lang-app-1.0.0.jar", jar),
                jar.length / 20 + 1);
    }
}
