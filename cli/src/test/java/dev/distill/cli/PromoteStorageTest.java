package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.image.ImageSignatures;
import dev.distill.attest.image.ReferrerBundles;
import dev.distill.oci.Descriptor;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import dev.distill.oci.MediaTypes;
import dev.distill.oci.Repository;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.registry.RegistryOptions;
import dev.distill.oci.testing.DockerRegistry;
import dev.distill.oci.wire.DescriptorTemplate;
import dev.distill.oci.wire.Json;
import dev.distill.oci.wire.ManifestTemplate;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * promote --registry-referrers-mode on Debian's docker-registry (two registries; referrers through the tag-schema
 * fallback): key-signed attestations re-packaged from cosign's .att tag into bundle referrers and back, verified at
 * DST in the storage asked for; a signature in the other storage refused with nothing written; artifacts other
 * tools attach (an SBOM, a signature of that SBOM) copied with their digests and listed at DST.
 */
@Timeout(600)
class PromoteStorageTest {
    private static final Map<String, String> ENV = Map.of("DISTILL_PASSWORD", "pw");
    static final String SBOM_TYPE = "application/spdx+json";
    static final String NOTATION_TYPE = "application/vnd.cncf.notary.signature";

    @TempDir
    static Path dir;
    static DockerRegistry staging;
    static DockerRegistry production;
    static String key;
    static RegistryClient client = new RegistryClient(RegistryOptions.defaults());

    @BeforeAll
    static void start() throws Exception {
        staging = DockerRegistry.start(dir.resolve("staging"), DockerRegistry.Auth.NONE);
        production = DockerRegistry.start(dir.resolve("production"), DockerRegistry.Auth.NONE);
        key = dir.resolve("release").toString();
        assertEquals(0, SbomCommandTest.run(ENV, "key", "generate", "--output-key-prefix", key).code());
        SignCommandTest.skopeo(dir, "oci:../fixtures/layered:latest", "docker://" + staging.host() + "/stage/a:v1");
        SignCommandTest.skopeo(dir, "oci:../fixtures/layered:latest", "docker://" + staging.host() + "/stage/b:v1");
    }

    @AfterAll
    static void stop() throws Exception {
        staging.close();
        production.close();
    }

    static MainTest.Result run(String... args) {
        return SbomCommandTest.run(ENV, args);
    }

    static void signAndAttest(String image, String signMode, String attestMode) throws Exception {
        MainTest.Result s = run("sign", image, "--key", key + ".key", "--registry-referrers-mode", signMode);
        assertEquals(0, s.code(), s.err());
        Path predicate = Files.writeString(dir.resolve("p.json"), "{\"spdxVersion\":\"SPDX-2.3\",\"name\":\"app\"}");
        MainTest.Result a = run("attest", image, "--type", "spdx", "--predicate", predicate.toString(), "--key",
                key + ".key", "--registry-referrers-mode", attestMode);
        assertEquals(0, a.code(), a.err());
    }

    /** An OCI 1.1 artifact that refers to {@code subject}, pushed as another tool would: one layer, no Sigstore. */
    static Digest pushArtifact(String host, String repository, Digest subject, String artifactType, String content)
            throws Exception {
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] body = content.getBytes(StandardCharsets.UTF_8);
        client.pushBlob(Repository.of(host, repository), Digest.sha256(empty), empty.length, () -> new ByteArrayInputStream(empty),
                null, 0);
        client.pushBlob(Repository.of(host, repository), Digest.sha256(body), body.length, () -> new ByteArrayInputStream(body),
                null, 0);
        Descriptor s = client.head(Repository.of(host, repository), subject.toString()).orElseThrow();
        Map<String, String> annotations = Map.of("org.opencontainers.image.created", "2026-01-01T00:00:00Z");
        byte[] manifest = Json.write(new ManifestTemplate(2, MediaTypes.OCI_MANIFEST, artifactType,
                new DescriptorTemplate("application/vnd.oci.empty.v1+json", Digest.sha256(empty).toString(), 2),
                List.of(new DescriptorTemplate(artifactType, Digest.sha256(body).toString(), body.length)),
                new DescriptorTemplate(s.mediaType(), subject.toString(), s.size()), annotations));
        return client.pushReferrer(Repository.of(host, repository), subject, MediaTypes.OCI_MANIFEST, artifactType, manifest,
                annotations);
    }

    private static List<Descriptor> bundles(String host, String repository, Digest subject, String content)
            throws Exception {
        return client.referrers(Repository.of(host, repository), subject).stream()
                .filter(d -> ReferrerBundles.ARTIFACT_TYPE.equals(d.artifactType())
                        && content.equals(d.annotations().get(ReferrerBundles.CONTENT))).toList();
    }

    @Test
    void attestationsGoFromTheAttTagIntoReferrersAndOtherArtifactsFollow() throws Exception {
        String src = staging.host() + "/stage/a:v1";
        signAndAttest("registry:" + src, "oci-1-1", "legacy");
        Digest digest = client.resolve(ImageReference.parse(src));
        Digest sbom = pushArtifact(staging.host(), "stage/a", digest, SBOM_TYPE, "{\"spdxVersion\":\"SPDX-2.3\"}");
        Digest notation = pushArtifact(staging.host(), "stage/a", sbom, NOTATION_TYPE, "not a real signature");
        String dst = production.host() + "/app/a:v1";

        MainTest.Result plan = MainTest.run("promote", "registry:" + src, "registry:" + dst, "--key", key + ".pub",
                "--type", "spdx", "--registry-referrers-mode", "oci-1-1", "--dry-run", "-o", "json");
        assertEquals(0, plan.code(), plan.out() + plan.err());
        assertEquals(1, new ObjectMapper().readTree(plan.out()).path("copied").path("attestationsConverted").asInt(),
                plan.out());
        assertFalse(client.head(Repository.of(production.host(), "app/a"), "v1").isPresent(), "a dry run writes nothing");

        MainTest.Result r = MainTest.run("promote", "registry:" + src, "registry:" + dst, "--key", key + ".pub",
                "--type", "spdx", "--registry-referrers-mode", "oci-1-1", "-o", "json");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals("promoted", j.path("outcome").asText());
        assertEquals(1, j.path("copied").path("attestationsConverted").asInt(), r.out());
        JsonNode attachments = j.path("copied").path("attachments");
        assertEquals(4, attachments.size(), r.out());
        assertEquals("attestation", attachments.get(0).path("kind").asText(), r.out());
        assertEquals(ImageAttestations.attestationTag(digest), attachments.get(0).path("storage").asText());
        assertEquals("referrers", attachments.get(0).path("storedAs").asText());
        assertEquals("signature", attachments.get(1).path("kind").asText(), r.out());
        assertEquals("artifact", attachments.get(2).path("kind").asText(), r.out());
        assertEquals(SBOM_TYPE, attachments.get(2).path("artifactType").asText());
        assertEquals(sbom.toString(), attachments.get(2).path("manifest").asText());
        assertEquals(sbom.toString(), attachments.get(3).path("subject").asText(), "the SBOM's own referrer");
        assertEquals(NOTATION_TYPE, attachments.get(3).path("artifactType").asText());

        // DST keeps everything as referrers: no .att tag; the attestation verifies from its bundle referrer.
        assertFalse(client.head(Repository.of(production.host(), "app/a"), ImageAttestations.attestationTag(digest)).isPresent());
        assertEquals(1, bundles(production.host(), "app/a", digest, ReferrerBundles.DSSE_ENVELOPE).size());
        MainTest.Result verified = MainTest.run("verify-attestation", "registry:" + dst, "--key", key + ".pub",
                "--type", "spdx", "-o", "json");
        assertEquals(0, verified.code(), verified.out() + verified.err());
        assertTrue(verified.out().contains("referrer "), verified.out());
        // The artifacts kept their digests and are listed at DST, the notation signature under the SBOM.
        assertTrue(client.referrers(Repository.of(production.host(), "app/a"), digest).stream()
                .anyMatch(d -> d.digest().equals(sbom) && SBOM_TYPE.equals(d.artifactType())));
        assertEquals(List.of(notation), client.referrers(Repository.of(production.host(), "app/a"), sbom).stream()
                .map(Descriptor::digest).toList());
        assertEquals(sbom, client.manifest(Repository.of(production.host(), "app/a"), sbom.toString()).digest());

        MainTest.Result again = MainTest.run("promote", "registry:" + src, "registry:" + dst, "--key", key + ".pub",
                "--type", "spdx", "--registry-referrers-mode", "oci-1-1");
        assertEquals(0, again.code(), again.out() + again.err());
        assertTrue(again.out().contains("nothing to copy, already there"), again.out());

        // Back into cosign's tags: the signature is a referrer over the manifest, which no .sig layer can hold.
        String back = production.host() + "/app/back:v1";
        MainTest.Result refused = MainTest.run("promote", "registry:" + dst, "registry:" + back, "--key",
                key + ".pub", "--registry-referrers-mode", "legacy");
        assertEquals(3, refused.code(), refused.out() + refused.err());
        assertEquals(1, refused.err().strip().lines().count(), refused.err());
        assertTrue(refused.err().contains("cannot go into cosign's .sig tag without signing again"), refused.err());
        assertFalse(client.head(Repository.of(production.host(), "app/back"), "v1").isPresent(), "refused: nothing written");
        assertFalse(client.head(Repository.of(production.host(), "app/back"), digest.toString()).isPresent());
    }

    @Test
    void referrerAttestationsBecomeAttLayersAndLegacySignaturesCannotBecomeReferrers() throws Exception {
        String src = staging.host() + "/stage/b:v1";
        signAndAttest("registry:" + src, "legacy", "oci-1-1");
        Digest digest = client.resolve(ImageReference.parse(src));

        String refusedAt = production.host() + "/app/b-referrers:v1";
        MainTest.Result planned = MainTest.run("promote", "registry:" + src, "registry:" + refusedAt, "--key",
                key + ".pub", "--registry-referrers-mode", "oci-1-1", "--dry-run");
        assertEquals(3, planned.code(), "a dry run refuses the same way: " + planned.out() + planned.err());
        MainTest.Result refused = MainTest.run("promote", "registry:" + src, "registry:" + refusedAt, "--key",
                key + ".pub", "--registry-referrers-mode", "oci-1-1");
        assertEquals(3, refused.code(), refused.out() + refused.err());
        assertEquals(1, refused.err().strip().lines().count(), refused.err());
        assertTrue(refused.err().contains("cannot become OCI 1.1 referrers without signing again"), refused.err());
        assertFalse(client.head(Repository.of(production.host(), "app/b-referrers"), digest.toString()).isPresent());

        String dst = production.host() + "/app/b:v1";
        MainTest.Result r = MainTest.run("promote", "registry:" + src, "registry:" + dst, "--key", key + ".pub",
                "--type", "spdx", "--registry-referrers-mode", "legacy", "-o", "json");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(1, j.path("copied").path("attestationsConverted").asInt(), r.out());
        assertTrue(client.head(Repository.of(production.host(), "app/b"), ImageAttestations.attestationTag(digest)).isPresent());
        assertTrue(client.head(Repository.of(production.host(), "app/b"), ImageSignatures.signatureTag(digest)).isPresent());
        assertEquals(List.of(), client.referrers(Repository.of(production.host(), "app/b"), digest), "no referrers at DST");
        MainTest.Result verified = MainTest.run("verify-attestation", "registry:" + dst, "--key", key + ".pub",
                "--type", "spdx");
        assertEquals(0, verified.code(), verified.out() + verified.err());

        MainTest.Result again = MainTest.run("promote", "registry:" + src, "registry:" + dst, "--key", key + ".pub",
                "--type", "spdx", "--registry-referrers-mode", "legacy");
        assertEquals(0, again.code(), again.out() + again.err());
        assertTrue(again.out().contains("nothing to copy, already there"), again.out());

        // A referrer listed as the 1.1 release candidates' artifact manifest, which no copy can push: refused first.
        // (docker-registry wants an index entry to name a manifest it has: the .sig manifest's digest stands in.)
        String artifactManifest = "application/vnd.oci.artifact.manifest.v1+json";
        Descriptor stand = client.head(Repository.of(staging.host(), "stage/b"), ImageSignatures.signatureTag(digest)).orElseThrow();
        byte[] index = Json.write(new dev.distill.oci.wire.IndexTemplate(2, MediaTypes.OCI_INDEX, List.of(
                new DescriptorTemplate(artifactManifest, stand.digest().toString(), stand.size(), null, null, null,
                        SBOM_TYPE)), null));
        client.putManifest(Repository.of(staging.host(), "stage/b"), RegistryClient.referrersTag(digest), MediaTypes.OCI_INDEX,
                index);
        MainTest.Result old = MainTest.run("promote", "registry:" + src, "registry:" + production.host()
                + "/app/b-old:v1", "--key", key + ".pub");
        assertEquals(3, old.code(), old.out() + old.err());
        assertTrue(old.err().contains("is a " + artifactManifest + ", which promote cannot copy"), old.err());
        assertFalse(client.head(Repository.of(production.host(), "app/b-old"), digest.toString()).isPresent(), "nothing written");
    }

    /**
     * SRC and DST each behind {@link ReferrersApiFront}, a fake of a registry with the referrers API (the real
     * registry behind stores everything; the front answers the API): signing, the artifact and the promotion go
     * through the API, and nothing is written under the sha256-<hex> fallback tag at either end.
     */
    @Test
    void throughTheReferrersApiNothingIsWrittenUnderTheFallbackTag() throws Exception {
        SignCommandTest.skopeo(dir, "oci:../fixtures/layered:latest", "docker://" + staging.host() + "/stage/api:v1");
        try (ReferrersApiFront stage = ReferrersApiFront.start(staging.host());
             ReferrersApiFront prod = ReferrersApiFront.start(production.host())) {
            String src = stage.host() + "/stage/api:v1";
            signAndAttest("registry:" + src, "oci-1-1", "legacy");
            Digest digest = client.resolve(ImageReference.parse(src));
            Digest sbom = pushArtifact(stage.host(), "stage/api", digest, SBOM_TYPE, "{\"spdxVersion\":\"SPDX-2.3\"}");
            String fallback = RegistryClient.referrersTag(digest);
            assertFalse(client.head(Repository.of(staging.host(), "stage/api"), fallback).isPresent(), "SRC wrote by the API");

            String dst = prod.host() + "/app/api:v1";
            MainTest.Result r = MainTest.run("promote", "registry:" + src, "registry:" + dst, "--key", key + ".pub",
                    "--type", "spdx", "--registry-referrers-mode", "oci-1-1", "-o", "json");
            assertEquals(0, r.code(), r.out() + r.err());
            JsonNode j = new ObjectMapper().readTree(r.out());
            assertEquals(3, j.path("copied").path("attachments").size(), r.out());
            assertEquals(1, j.path("copied").path("attestationsConverted").asInt(), r.out());
            assertFalse(client.head(Repository.of(production.host(), "app/api"), fallback).isPresent(), "DST listed by the API");
            List<Descriptor> listed = client.referrers(Repository.of(prod.host(), "app/api"), digest);
            assertEquals(3, listed.size(), listed.toString());
            assertTrue(listed.stream().anyMatch(d -> d.digest().equals(sbom) && SBOM_TYPE.equals(d.artifactType())));
            assertEquals(1, bundles(prod.host(), "app/api", digest, ReferrerBundles.DSSE_ENVELOPE).size());
            assertEquals(0, MainTest.run("verify", "registry:" + dst, "--key", key + ".pub").code());
            assertEquals(0, MainTest.run("verify-attestation", "registry:" + dst, "--key", key + ".pub", "--type",
                    "spdx").code());
            // The registry behind, which has no API, has no listing of them: what DST verified came by the API.
            assertEquals(1, MainTest.run("verify-attestation", "registry:" + production.host() + "/app/api:v1",
                    "--key", key + ".pub", "--type", "spdx").code());

            MainTest.Result again = MainTest.run("promote", "registry:" + src, "registry:" + dst, "--key",
                    key + ".pub", "--type", "spdx", "--registry-referrers-mode", "oci-1-1");
            assertEquals(0, again.code(), again.out() + again.err());
            assertTrue(again.out().contains("nothing to copy, already there"), again.out());
        }
    }
}
