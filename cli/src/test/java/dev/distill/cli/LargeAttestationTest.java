package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.testing.DockerRegistry;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attestations larger than Jackson's default string limit (20,000,000 characters: an envelope's base64 payload
 * passes it from a 15 MB predicate on) attest and verify in both storages; over --max-attestation-bytes, attest
 * refuses before it signs or stores anything.
 */
class LargeAttestationTest {
    @TempDir
    static Path dir;
    static DockerRegistry registry;
    static Path sbom;
    static String key;

    @BeforeAll
    static void start() throws Exception {
        registry = DockerRegistry.start(dir.resolve("registry"), DockerRegistry.Auth.NONE);
        for (String repo : new String[] {"large/legacy", "large/referrers", "large/capped"}) {
            SignCommandTest.skopeo(dir, "oci:../fixtures/distroless-base:latest",
                    "docker://" + registry.host() + "/" + repo + ":v1");
        }
        key = dir.resolve("k").toString();
        assertEquals(0, SbomCommandTest.run(Map.of("DISTILL_PASSWORD", "pw"), "key", "generate",
                "--output-key-prefix", key).code());
        sbom = dir.resolve("large.spdx.json");
        try (BufferedWriter w = Files.newBufferedWriter(sbom, StandardCharsets.UTF_8)) {
            w.write("{\"spdxVersion\":\"SPDX-2.3\",\"name\":\"large\",\"packages\":[");
            String description = "d".repeat(180);
            for (int i = 0; i < 90_000; i++) {
                w.write((i == 0 ? "" : ",") + "{\"SPDXID\":\"SPDXRef-Package-" + i + "\",\"name\":\"pkg-" + i
                        + "\",\"versionInfo\":\"1." + i + "\",\"description\":\"" + description + "\"}");
            }
            w.write("]}");
        }
        assertTrue(Files.size(sbom) > 20_000_000, "larger than Jackson's default string limit once in base64");
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    private static void attestsAndVerifies(String repo, String mode) {
        String image = "registry:" + registry.host() + "/" + repo + ":v1";
        MainTest.Result attested = SbomCommandTest.run(Map.of("DISTILL_PASSWORD", "pw"), "attest", image, "--type",
                "spdx", "--predicate", sbom.toString(), "--key", key + ".key", "--registry-referrers-mode", mode);
        assertEquals(0, attested.code(), attested.err());
        MainTest.Result verified = MainTest.run("verify-attestation", image, "--type", "spdx", "--key", key + ".pub");
        assertEquals(0, verified.code(), verified.err());
        assertTrue(verified.out().startsWith("Verified OK: 1 attestation"), verified.out());
    }

    @Test
    void aLargeSbomAttestsAndVerifiesInCosignsStorage() {
        attestsAndVerifies("large/legacy", "legacy");
    }

    @Test
    void aLargeSbomAttestsAndVerifiesAsAReferrer() {
        attestsAndVerifies("large/referrers", "oci-1-1");
    }

    @Test
    void aPredicateOverTheLimitIsRefusedBeforeAnythingIsStored() {
        String image = "registry:" + registry.host() + "/large/capped:v1";
        MainTest.Result capped = SbomCommandTest.run(Map.of("DISTILL_PASSWORD", "pw"), "attest", image, "--type",
                "spdx", "--predicate", sbom.toString(), "--key", key + ".key", "--max-attestation-bytes", "1M");
        assertEquals(3, capped.code(), capped.err());
        assertTrue(capped.err().startsWith("distill: error: the predicate is ")
                && capped.err().contains("more than the 1048576 attestations may hold (--max-attestation-bytes)"),
                capped.err());
        MainTest.Result none = MainTest.run("verify-attestation", image, "--type", "spdx", "--key", key + ".pub");
        assertEquals(1, none.code());
        assertTrue(none.err().contains("no attestations for"), none.err());
    }
}
