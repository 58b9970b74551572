package dev.distill.attest.policy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Any policy text parses to a policy with at least one rule, or is rejected naming the file. */
class PolicyFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void parsesOrRejects(byte[] input) {
        Policy p;
        try {
            p = Policy.parse(new String(input, java.nio.charset.StandardCharsets.UTF_8), "p.yaml");
        } catch (PolicyException e) {
            assertTrue(e.getMessage().startsWith("p.yaml: "), e.getMessage());
            return;
        }
        assertTrue(p.hasRules());
    }
}
