package dev.distill.sbom.catalog.binary;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Our scan of executables for Go build info and cargo-auditable data reads attacker-controlled bytes: any file
 * gives nothing, a result, or a result that says what was wrong; never an exception or a hang.
 */
class ExecutableInspectorFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void findsBuildInfoOrSaysWhy(byte[] input) throws IOException {
        Object found = ExecutableInspector.INSTANCE.inspect("/app", new ByteArrayInputStream(input));
        if (found instanceof ExecutableInspector.Found f) {
            assertTrue(f.goVersion() != null || f.goError() != null || f.rustJson() != null || f.rustError() != null);
        }
    }
}
