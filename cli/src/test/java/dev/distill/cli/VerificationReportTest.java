package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.attest.bundle.BlobSignatures;
import dev.distill.attest.keys.EncryptedKeys;
import dev.distill.oci.testing.DockerRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify -o json} and {@code verify-attestation -o json} print one report shape, on success and on failure:
 * every signature or attestation considered, verified or not and why, the policy's checks, the failures.
 */
class VerificationReportTest {
    @TempDir
    static Path dir;
    static DockerRegistry registry;
    static String image;
    static String a;
    static String b;

    @BeforeAll
    static void start() throws Exception {
        registry = DockerRegistry.start(dir.resolve("registry"), DockerRegistry.Auth.NONE);
        SignCommandTest.skopeo(dir, "oci:../fixtures/distroless-base:latest",
                "docker://" + registry.host() + "/app/report:v1");
        image = "registry:" + registry.host() + "/app/report:v1";
        Map<String, String> env = Map.of("DISTILL_PASSWORD", "pw");
        a = dir.resolve("a").toString();
        b = dir.resolve("b").toString();
        assertEquals(0, SbomCommandTest.run(env, "key", "generate", "--output-key-prefix", a).code());
        assertEquals(0, SbomCommandTest.run(env, "key", "generate", "--output-key-prefix", b).code());
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    private static List<String> keys(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static final List<String> SHAPE = List.of("image", "verified", "by", "digests", "policy", "failures");

    @Test
    void signaturesReportTheSameShapeVerifiedOrNot() throws Exception {
        MainTest.Result none = MainTest.run("verify", image, "--key", a + ".pub", "-o", "json");
        assertEquals(1, none.code(), none.err());
        JsonNode unsigned = new ObjectMapper().readTree(none.out());
        assertEquals(SHAPE, keys(unsigned));
        assertFalse(unsigned.path("verified").asBoolean());
        assertTrue(unsigned.path("failures").path(0).asText().startsWith("no signatures for app/report@sha256:"),
                none.out());
        assertTrue(unsigned.path("digests").path(0).path("digest").asText().startsWith("sha256:"), none.out());
        assertTrue(none.err().startsWith("distill: verification failed: no signatures for"), none.err());

        assertEquals(0, SbomCommandTest.run(Map.of("DISTILL_PASSWORD", "pw"), "sign", image, "--key", a + ".key")
                .code());
        MainTest.Result good = MainTest.run("verify", image, "--key", a + ".pub", "-o", "json");
        assertEquals(0, good.code(), good.err());
        JsonNode ok = new ObjectMapper().readTree(good.out());
        assertEquals(SHAPE, keys(ok));
        assertTrue(ok.path("verified").asBoolean());
        assertTrue(ok.path("digests").path(0).path("signatures").path(0).path("verified").asBoolean(), good.out());

        MainTest.Result wrong = MainTest.run("verify", image, "--key", b + ".pub", "-o", "json");
        assertEquals(1, wrong.code());
        JsonNode bad = new ObjectMapper().readTree(wrong.out());
        assertEquals(SHAPE, keys(bad));
        JsonNode sig = bad.path("digests").path(0).path("signatures").path(0);
        assertFalse(sig.path("verified").asBoolean());
        assertTrue(sig.path("reason").asText().contains("does not verify with the key"), wrong.out());
    }

    @Test
    void attestationsReportTheSameShapeVerifiedOrNotWithAndWithoutAPolicy() throws Exception {
        Path predicate = Files.writeString(dir.resolve("sbom.json"),
                "{\"spdxVersion\":\"SPDX-2.3\",\"name\":\"report\",\"packages\":[]}");
        assertEquals(0, SbomCommandTest.run(Map.of("DISTILL_PASSWORD", "pw"), "attest", image, "--type", "spdx",
                "--predicate", predicate.toString(), "--key", a + ".key").code());

        MainTest.Result good = MainTest.run("verify-attestation", image, "--type", "spdx", "--key", a + ".pub",
                "-o", "json");
        assertEquals(0, good.code(), good.err());
        JsonNode ok = new ObjectMapper().readTree(good.out());
        assertEquals(SHAPE, keys(ok));
        JsonNode att = ok.path("digests").path(0).path("attestations").path(0);
        assertEquals("https://spdx.dev/Document", att.path("predicateType").asText(), good.out());
        assertEquals("report", att.path("predicate").path("name").asText(), "the predicate that verified");

        MainTest.Result wrong = MainTest.run("verify-attestation", image, "--type", "spdx", "--key", b + ".pub",
                "-o", "json");
        assertEquals(1, wrong.code());
        JsonNode bad = new ObjectMapper().readTree(wrong.out());
        assertEquals(SHAPE, keys(bad));
        assertFalse(bad.path("verified").asBoolean());
        JsonNode failed = bad.path("digests").path(0).path("attestations").path(0);
        assertFalse(failed.path("verified").asBoolean(), wrong.out());
        assertFalse(failed.has("predicate"), "an attestation that did not verify shows no predicate");
        assertFalse(failed.path("name").asText().isEmpty(), wrong.out());
        assertTrue(bad.path("failures").path(0).asText().startsWith("no attestation of type"), wrong.out());

        Path policy = Files.writeString(dir.resolve("policy.yaml"), "attestations: [cyclonedx]\n");
        MainTest.Result denied = MainTest.run("verify-attestation", image, "--policy", policy.toString(), "--key",
                a + ".pub", "-o", "json");
        assertEquals(1, denied.code(), denied.err());
        JsonNode gate = new ObjectMapper().readTree(denied.out());
        assertEquals(SHAPE, keys(gate));
        assertFalse(gate.path("verified").asBoolean());
        assertTrue(gate.path("policy").size() > 0, denied.out());
        assertTrue(gate.path("failures").path(0).asText().startsWith("policy failed: "), denied.out());
        assertTrue(gate.path("digests").path(0).path("attestations").path(0).path("verified").asBoolean(),
                "the spdx attestation was considered as evidence: " + denied.out());
    }

    private static final List<String> ATTESTATION = List.of("name", "storage", "size", "signer", "predicateType",
            "verified", "reason");

    @Test
    void eachAttestationNamesItsStorageSizeAndSignerVerifiedOrNot() throws Exception {
        SignCommandTest.skopeo(dir, "oci:../fixtures/distroless-base:latest",
                "docker://" + registry.host() + "/app/stored:v1");
        String stored = "registry:" + registry.host() + "/app/stored:v1";
        Path predicate = Files.writeString(dir.resolve("stored.json"),
                "{\"spdxVersion\":\"SPDX-2.3\",\"name\":\"stored\",\"packages\":[]}");
        for (String mode : new String[] {"legacy", "oci-1-1"}) {
            assertEquals(0, SbomCommandTest.run(Map.of("DISTILL_PASSWORD", "pw"), "attest", stored, "--type", "spdx",
                    "--predicate", predicate.toString(), "--key", a + ".key", "--registry-referrers-mode", mode)
                    .code());
        }
        String hint = BlobSignatures.hint(EncryptedKeys.readPublicKey(Files.readString(Path.of(a + ".pub")), "a"));

        MainTest.Result good = MainTest.run("verify-attestation", stored, "--type", "spdx", "--key", a + ".pub",
                "-o", "json");
        assertEquals(0, good.code(), good.err());
        JsonNode ok = new ObjectMapper().readTree(good.out()).path("digests").path(0).path("attestations");
        assertEquals(2, ok.size(), good.out());
        List<String> storages = new ArrayList<>();
        for (JsonNode att : ok) {
            List<String> shape = new ArrayList<>(ATTESTATION);
            shape.add("predicate");
            assertEquals(shape, keys(att), good.out());
            storages.add(att.path("storage").asText());
            assertTrue(att.path("verified").asBoolean(), good.out());
            assertTrue(att.path("reason").isNull(), good.out());
            assertEquals(hint, att.path("signer").path("keyHint").asText(), "the key that verified: " + good.out());
            // The envelope carries the statement in base64: more than 4/3 of the predicate.
            assertTrue(att.path("size").asLong() > Files.size(predicate) * 4 / 3, good.out());
        }
        assertEquals(List.of("legacy", "oci-1-1"), storages);
        assertEquals(ok.path(0).path("size").asLong(), ok.path(1).path("size").asLong(),
                "the same envelope in both storages: " + good.out());

        MainTest.Result wrong = MainTest.run("verify-attestation", stored, "--type", "spdx", "--key", b + ".pub",
                "-o", "json");
        assertEquals(1, wrong.code(), wrong.err());
        JsonNode bad = new ObjectMapper().readTree(wrong.out()).path("digests").path(0).path("attestations");
        assertEquals(2, bad.size(), wrong.out());
        for (JsonNode att : bad) {
            assertEquals(ATTESTATION, keys(att), "the same shape, without a predicate: " + wrong.out());
            assertFalse(att.path("verified").asBoolean(), wrong.out());
            assertFalse(att.path("reason").asText().isEmpty(), wrong.out());
            assertEquals(ok.path(0).path("size").asLong(), att.path("size").asLong(), wrong.out());
        }
        assertTrue(bad.path(0).path("signer").isNull(), "a key-signed legacy layer names no key: " + wrong.out());
        assertEquals(hint, bad.path(1).path("signer").path("keyHint").asText(),
                "the key the referrer's bundle claims: " + wrong.out());
    }
}
