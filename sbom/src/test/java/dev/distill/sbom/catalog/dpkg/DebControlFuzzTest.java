package dev.distill.sbom.catalog.dpkg;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.Map;

/** Any dpkg status text parses into paragraphs or is rejected as malformed, nothing else. */
class DebControlFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void parsesOrRejects(byte[] input) {
        List<Map<String, String>> paragraphs;
        try {
            paragraphs = DebControl.parse(new String(input, java.nio.charset.StandardCharsets.UTF_8));
        } catch (DebControl.MalformedControlException e) {
            assertNotNull(e.getMessage());
            return;
        }
        for (Map<String, String> p : paragraphs) {
            DebControl.get(p, "Package");
            DebControl.get(p, "version");
        }
    }
}
