package dev.distill.sbom.catalog.apk;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.distill.sbom.catalog.CatalogFuzzing;
import java.io.IOException;
import java.util.Map;

/**
 * Any bytes as apk-tools' {@code lib/apk/db/installed} catalog to well-formed packages (at most one per
 * {@code P:}/{@code V:} pair the text can hold) or to an unknown, never an exception. A normal build replays the
 * seeds; {@code bench/fuzz sbom:ApkInstalledDbFuzzTest} fuzzes it.
 */
class ApkInstalledDbFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void catalogsOrRecordsAnUnknown(byte[] db) throws IOException {
        CatalogFuzzing.catalog(new ApkCataloger(), Map.of(ApkCataloger.DBS.get(0), db), db.length / 8 + 1);
    }
}
