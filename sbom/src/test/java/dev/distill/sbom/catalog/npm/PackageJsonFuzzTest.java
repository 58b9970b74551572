package dev.distill.sbom.catalog.npm;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.distill.sbom.catalog.CatalogFuzzing;
import java.io.IOException;
import java.util.Map;

/**
 * Any bytes as an installed {@code package.json} (plain and scoped, where Debian installs them) and as a root
 * {@code package-lock.json} catalog to well-formed packages, bounded by what the text can hold, or to an unknown,
 * never an exception. A normal build replays the seeds; {@code bench/fuzz sbom:PackageJsonFuzzTest} fuzzes it.
 */
class PackageJsonFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void catalogsOrRecordsAnUnknown(byte[] json) throws IOException {
        CatalogFuzzing.catalog(new NpmCataloger(), Map.of(
                "/usr/share/nodejs/semver/package.json", json,
                "/usr/share/nodejs/@types/semver/package.json", json,
                "/app/package-lock.json", json), json.length / 4 + 2);
    }
}
