package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.image.ImageSignatures;
import dev.distill.attest.keyless.SigstoreInstance;
import dev.distill.attest.keys.EncryptedKeys;
import dev.distill.attest.policy.Policy;
import dev.distill.attest.policy.PolicyGate;
import dev.distill.attest.promote.ImageVerification;
import dev.distill.attest.promote.Promotion;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import dev.distill.oci.Repository;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.registry.RegistryOptions;
import dev.distill.oci.testing.DockerRegistry;
import dev.distill.oci.testing.FaultProxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * distill promote against Debian's docker-registry on loopback: two repositories of one registry (blobs mounted)
 * and two registries on two ports (blobs uploaded). A signed and attested two-platform image promotes and then
 * verifies at DST with the same policy; an unsigned image, a wrong signer, a failing rule and a tag moved between
 * verify and copy leave DST untouched; a registry fault mid-copy leaves no tag; a second run copies nothing.
 */
@Timeout(600)
class PromoteCommandTest {
    private static final Map<String, String> ENV = Map.of("DISTILL_PASSWORD", "pw");

    @TempDir
    static Path dir;
    static DockerRegistry staging;
    static DockerRegistry production;
    static String key;
    static String otherKey;
    static Path policy;
    static Digest multi;
    static RegistryClient client = new RegistryClient(RegistryOptions.defaults());

    static void skopeoAll(String from, String to) throws Exception {
        Path log = dir.resolve("skopeo.log");
        Process p = new ProcessBuilder("skopeo", "--insecure-policy", "copy", "--all", "--preserve-digests",
                "--dest-tls-verify=false", from, to).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        staging = DockerRegistry.start(dir.resolve("staging"), DockerRegistry.Auth.NONE);
        production = DockerRegistry.start(dir.resolve("production"), DockerRegistry.Auth.NONE);
        key = dir.resolve("release").toString();
        otherKey = dir.resolve("other").toString();
        assertEquals(0, SbomCommandTest.run(ENV, "key", "generate", "--output-key-prefix", key).code());
        assertEquals(0, SbomCommandTest.run(ENV, "key", "generate", "--output-key-prefix", otherKey).code());
        skopeoAll("oci:../fixtures/multi-platform:latest", "docker://" + staging.host() + "/stage/multi:v1");
        skopeoAll("oci:../fixtures/layered:latest", "docker://" + staging.host() + "/stage/unsigned:v1");
        String image = "registry:" + staging.host() + "/stage/multi:v1";
        // Signed in both storages: cosign's tags for the index and each platform, and a referrer bundle.
        assertEquals(0, SbomCommandTest.run(ENV, "sign", image, "--key", key + ".key", "--all-platforms").code());
        MainTest.Result referrer = SbomCommandTest.run(ENV, "sign", image, "--key", key + ".key",
                "--registry-referrers-mode", "oci-1-1");
        assertEquals(0, referrer.code(), referrer.err());
        Path spdx = dir.resolve("multi.spdx.json");
        assertEquals(0, SbomCommandTest.run(ENV, "sbom", image, "-o", "spdx-json=" + spdx).code());
        MainTest.Result attested = SbomCommandTest.run(ENV, "attest", image, "--type", "spdx", "--predicate",
                spdx.toString(), "--key", key + ".key");
        assertEquals(0, attested.code(), attested.err());
        policy = Files.writeString(dir.resolve("policy.yaml"), "attestations: [spdx]\nsigners:\n  - key: " + key
                + ".pub\n");
        multi = client.resolve(ImageReference.parse(staging.host() + "/stage/multi:v1"));
    }

    @AfterAll
    static void stop() throws Exception {
        staging.close();
        production.close();
    }

    /** Nothing of the promotion at DST: no tag, and not the manifest by digest either. */
    private static void untouched(String host, String repository, Digest digest) throws Exception {
        assertFalse(client.head(Repository.of(host, repository), "v1").isPresent(), repository + ":v1 was written");
        assertFalse(client.head(Repository.of(host, repository), digest.toString()).isPresent(),
                repository + "@" + digest
                + " was written");
    }

    private static MainTest.Result promote(String src, String dst, String... more) {
        String[] args = new String[4 + more.length];
        args[0] = "promote";
        args[1] = "registry:" + src;
        args[2] = "registry:" + dst;
        args[3] = "--stacktrace";
        System.arraycopy(more, 0, args, 4, more.length);
        return MainTest.run(args);
    }

    @Test
    void promotesWithinARegistryVerifiesThereWithTheSamePolicyAndAgainIsANoop() throws Exception {
        String src = staging.host() + "/stage/multi:v1";
        String dst = staging.host() + "/prod/multi:v1";
        MainTest.Result r = promote(src, dst, "--key", key + ".pub", "--policy", policy.toString(),
                "--all-platforms", "-o", "json");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("promoted", j.path("outcome").asText());
        assertEquals(multi.toString(), j.path("digest").asText());
        assertEquals(2, j.path("platforms").size(), j.toString());
        assertTrue(j.path("copied").path("image").path("blobsMounted").asInt() >= 4, j.toString());
        assertEquals(0, j.path("copied").path("image").path("blobsUploaded").asInt(), j.toString());
        // Three .sig tags (index and two platforms), one .att tag, one referrer bundle.
        assertEquals(5, j.path("copied").path("attachments").size(), j.toString());
        assertEquals(1, j.path("copied").path("referrersListed").asInt(), j.toString());
        assertTrue(j.path("verified").path("destination").size() >= 3, j.toString());
        assertEquals(multi, client.head(Repository.of(staging.host(), "prod/multi"), "v1").orElseThrow().digest());

        String at = "registry:" + dst;
        assertEquals(0, MainTest.run("verify", at, "--key", key + ".pub", "--all-platforms").code());
        MainTest.Result policed = MainTest.run("verify-attestation", at, "--key", key + ".pub", "--policy",
                policy.toString());
        assertEquals(0, policed.code(), policed.out() + policed.err());

        MainTest.Result again = promote(src, dst, "--key", key + ".pub", "--policy", policy.toString(),
                "--all-platforms");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("nothing to copy, already there"), again.out());

        // Production signs the image too; promoting again keeps that signature and still copies nothing.
        assertEquals(0, SbomCommandTest.run(ENV, "sign", at, "--key", otherKey + ".key").code());
        MainTest.Result kept = promote(src, dst, "--key", key + ".pub");
        assertTrue(kept.code() == 0 && kept.out().contains("nothing to copy, already there"), kept.out() + kept.err());
        // Staging signs it again: the new signature is merged into DST's, beside production's own.
        assertEquals(0, SbomCommandTest.run(ENV, "sign", "registry:" + src, "--key", key + ".key", "-a",
                "approved=yes").code());
        JsonNode merged = new ObjectMapper().readTree(promote(src, dst, "--key", key + ".pub", "-o", "json").out());
        assertEquals(1, merged.path("copied").path("signatureManifestsMerged").asInt(), merged.toString());
        assertEquals(0, MainTest.run("verify", at, "--key", otherKey + ".pub").code(), "production's signature");
        MainTest.Result both = MainTest.run("verify", at, "--key", key + ".pub");
        assertTrue(both.code() == 0 && both.out().contains("approved=yes"), both.out() + both.err());
    }

    @Test
    void promotesToAnotherRegistryAfterADryRunThatWritesNothing() throws Exception {
        String src = staging.host() + "/stage/multi:v1";
        String dst = production.host() + "/app/multi";
        MainTest.Result plan = promote(src, dst, "--key", key + ".pub", "--policy", policy.toString(), "--dry-run",
                "-o", "json");
        assertEquals(0, plan.code(), plan.out() + plan.err());
        JsonNode p = new ObjectMapper().readTree(plan.out());
        assertEquals("planned", p.path("outcome").asText());
        assertEquals(production.host() + "/app/multi:v1", p.path("destination").asText(), "SRC's tag by default");
        long planned = p.path("copied").path("image").path("bytesUploaded").asLong();
        assertTrue(planned > 0, p.toString());
        untouched(production.host(), "app/multi", multi);

        MainTest.Result done = promote(src, dst, "--key", key + ".pub", "--policy", policy.toString(), "-o", "json");
        assertEquals(0, done.code(), done.out() + done.err());
        JsonNode d = new ObjectMapper().readTree(done.out());
        assertEquals(planned, d.path("copied").path("image").path("bytesUploaded").asLong(), "as planned");
        assertEquals(0, d.path("copied").path("image").path("blobsMounted").asInt(), "no mount across registries");
        assertEquals(0, MainTest.run("verify-attestation", "registry:" + dst + ":v1", "--key", key + ".pub",
                "--policy", policy.toString()).code());
        JsonNode again = new ObjectMapper().readTree(promote(src, dst, "--key", key + ".pub", "--policy",
                policy.toString(), "-o", "json").out());
        assertEquals(0, again.path("copied").path("image").path("manifestsWritten").asInt(), again.toString());
        assertEquals(0, again.path("copied").path("image").path("bytesUploaded").asLong(), again.toString());
        assertEquals(0, again.path("copied").path("attachmentBlobs").path("manifestsWritten").asInt());
        assertFalse(again.path("copied").path("tagged").asBoolean());
    }

    @Test
    void anUnsignedImageAWrongSignerAndAFailingRuleLeaveDestinationUntouched() throws Exception {
        Digest unsigned = client.resolve(ImageReference.parse(staging.host() + "/stage/unsigned:v1"));
        MainTest.Result none = promote(staging.host() + "/stage/unsigned:v1", production.host() + "/refused/a:v1",
                "--key", key + ".pub");
        assertEquals(1, none.code(), none.out() + none.err());
        assertTrue(none.err().contains("not promoted: the source failed verification: signature by")
                && none.err().contains("no signatures for stage/unsigned@" + unsigned), none.err());
        untouched(production.host(), "refused/a", unsigned);

        String src = staging.host() + "/stage/multi:v1";
        MainTest.Result wrong = promote(src, production.host() + "/refused/b:v1", "--key", otherKey + ".pub");
        assertEquals(1, wrong.code(), wrong.out() + wrong.err());
        assertTrue(wrong.err().contains("verifies with " + otherKey + ".pub"), wrong.err());
        untouched(production.host(), "refused/b", multi);

        Path strict = Files.writeString(dir.resolve("strict.yaml"), "attestations: [spdx, cyclonedx]\n");
        MainTest.Result rule = promote(src, production.host() + "/refused/c:v1", "--key", key + ".pub", "--policy",
                strict.toString());
        assertEquals(1, rule.code(), rule.out() + rule.err());
        assertTrue(rule.out().contains("FAIL SRC attestation"), rule.out());
        untouched(production.host(), "refused/c", multi);
    }

    @Test
    void aTagMovedBetweenVerifyAndCopyLeavesDestinationUntouched() throws Exception {
        skopeoAll("oci:../fixtures/multi-platform:latest", "docker://" + staging.host() + "/stage/moving:v1");
        String image = "registry:" + staging.host() + "/stage/moving:v1";
        assertEquals(0, SbomCommandTest.run(ENV, "sign", image, "--key", key + ".key").code());
        ImageReference src = ImageReference.parse(staging.host() + "/stage/moving:v1");
        ImageReference dst = ImageReference.parse(production.host() + "/moved/app:v1");
        PublicKey pub = EncryptedKeys.readPublicKey(Files.readString(Path.of(key + ".pub"), StandardCharsets.US_ASCII),
                key + ".pub");
        PolicyGate gate = new PolicyGate(client, ImageAttestations.withKey(pub), SigstoreInstance.publicGood(),
                ref -> null);
        ImageVerification checks = new ImageVerification(ImageSignatures.withKey(pub), "release key", gate,
                Policy.parse("signers:\n  - key: " + key + ".pub\n", "signers.yaml"), Set.of(), false);
        skopeoAll("oci:../fixtures/layered:latest", "docker://" + staging.host() + "/stage/moving:other");
        RegistryClient.Manifest other = client.manifest(Repository.of(staging.host(), "stage/moving"), "other");
        // Right after the verification, someone points the tag at another image.
        Promotion.Report r = new Promotion(client, checks, (stage, detail) -> {
            if (stage == Promotion.Stage.VERIFIED) {
                try {
                    client.putManifest(Repository.of(staging.host(), "stage/moving"), "v1", other.mediaType(),
                            other.bytes());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }).promote(src, dst, false);
        assertEquals(Promotion.Outcome.REFUSED, r.outcome(), r.toString());
        assertTrue(r.reason().contains("moved from " + multi + " to " + other.digest()), r.reason());
        untouched(production.host(), "moved/app", multi);
    }

    @Test
    void aRegistryFaultMidCopyLeavesNoTag() throws Exception {
        String src = staging.host() + "/stage/multi:v1";
        try (FaultProxy proxy = FaultProxy.start(production.host())) {
            proxy.inject("PUT", "/manifests/sha256:", FaultProxy.Kind.STATUS_500, 1000);
            MainTest.Result r = promote(src, proxy.host() + "/faulty/image:v1", "--key", key + ".pub");
            assertEquals(3, r.code(), r.out() + r.err());
            assertTrue(r.err().startsWith("distill: error: ") && r.err().contains("HTTP 500"), r.err());
            untouched(production.host(), "faulty/image", multi);
        }
        try (FaultProxy proxy = FaultProxy.start(production.host())) {
            // The image and its tag go up; the first signature tag fails: the image tag is taken down again.
            proxy.inject("PUT", ".sig", FaultProxy.Kind.STATUS_500, 1000);
            MainTest.Result r = promote(src, proxy.host() + "/faulty/signatures:v1", "--key", key + ".pub");
            assertEquals(3, r.code(), r.out() + r.err());
            assertTrue(r.err().contains("the tag " + proxy.host() + "/faulty/signatures:v1 was put back as it was"),
                    r.err());
            assertFalse(client.head(Repository.of(production.host(), "faulty/signatures"), "v1").isPresent(),
                    "the tag written before the fault was removed");
        }
    }

    @Test
    void theRecipeInTheDocsParses() throws Exception {
        String doc = Files.readString(Path.of("../docs/promote.md"));
        java.util.regex.Matcher blocks = java.util.regex.Pattern.compile("```yaml\\n(.*?)```",
                java.util.regex.Pattern.DOTALL).matcher(doc);
        ObjectMapper yaml = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        java.util.List<String> commands = new java.util.ArrayList<>();
        while (blocks.find()) {
            for (JsonNode steps : yaml.readTree(blocks.group(1)).findValues("steps")) {
                for (JsonNode step : steps) {
                    if (step.path("uses").asText().contains("/distill@")) {
                        commands.add(step.path("with").path("args").asText());
                    }
                }
            }
        }
        assertEquals(4, commands.size(), commands.toString());
        assertTrue(commands.get(3).startsWith("promote ") && commands.get(3).contains("--policy"), commands.get(3));
        commands.forEach(CiRecipesTest::assertParses);
    }

    @Test
    void aDestinationThatFailsTheSamePolicyHasItsTagPutBack() throws Exception {
        // The policy asks more of production images: the copy verifies at SRC, then fails at DST.
        Path sections = Files.writeString(dir.resolve("sections.yaml"), "attestations: [spdx]\nimages:\n  - glob: "
                + production.host() + "/strict/**\n    attestations: [cyclonedx]\n");
        String src = staging.host() + "/stage/multi:v1";
        MainTest.Result r = promote(src, production.host() + "/strict/app:v1", "--key", key + ".pub", "--policy",
                sections.toString());
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("promotion undone: the destination failed verification"), r.err());
        assertTrue(r.out().contains("FAIL DST"), r.out());
        assertFalse(client.head(Repository.of(production.host(), "strict/app"), "v1").isPresent(),
                "the tag was removed");
    }
}
