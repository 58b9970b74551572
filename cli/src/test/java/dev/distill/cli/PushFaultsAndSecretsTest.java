package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.attest.image.ImageSignatures;
import dev.distill.oci.Repository;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.registry.RegistryOptions;
import dev.distill.oci.testing.DockerRegistry;
import dev.distill.oci.testing.FaultProxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push-side registry faults (through a loopback fault-injecting proxy in front of Debian's docker-registry): a
 * push that fails fails clearly and never leaves a tag pointing at a manifest that is not there. And secrets:
 * passwords and private keys never reach output, errors or JSON; key files are 0600.
 */
@Timeout(300)
class PushFaultsAndSecretsTest {
    private static final String PASSWORD = "correct-horse-battery-staple-7f3a";

    @TempDir
    static Path dir;
    static DockerRegistry registry;
    static String key;

    @BeforeAll
    static void start() throws Exception {
        registry = DockerRegistry.start(dir.resolve("registry"), DockerRegistry.Auth.NONE);
        SignCommandTest.skopeo(dir, "oci:../fixtures/layered:latest", "docker://" + registry.host() + "/faults/app:v1");
        SignCommandTest.skopeo(dir, "oci:../fixtures/layered:latest", "docker://" + registry.host()
                + "/faults/secrets:v1");
        SignCommandTest.skopeo(dir, "oci:../fixtures/layered:latest", "docker://" + registry.host()
                + "/faults/readback:v1");
        key = dir.resolve("k").toString();
        assertEquals(0, SbomCommandTest.run(Map.of("DISTILL_PASSWORD", PASSWORD), "key", "generate",
                "--output-key-prefix", key).code());
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    private static boolean tagged(String tag) throws Exception {
        return new RegistryClient(RegistryOptions.defaults()).head(Repository.of(registry.host(), "faults/app"),
                tag).isPresent();
    }

    private static String sigTag() throws Exception {
        var digest = new RegistryClient(RegistryOptions.defaults()).head(Repository.of(registry.host(), "faults/app"),
                "v1")
                .orElseThrow().digest();
        return ImageSignatures.signatureTag(digest);
    }

    @Test
    void aFailedBlobOrManifestPushLeavesNoTagBehind() throws Exception {
        Map<String, String> env = Map.of("DISTILL_PASSWORD", PASSWORD);
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            String image = "registry:" + proxy.host() + "/faults/app:v1";
            proxy.inject("PUT", "/blobs/uploads/", FaultProxy.Kind.STATUS_500, 1000);
            MainTest.Result blob = SbomCommandTest.run(env, "sign", image, "--key", key + ".key");
            assertEquals(3, blob.code(), blob.err());
            assertTrue(blob.err().startsWith("distill: error: ") && blob.err().lines().count() == 1, blob.err());
            assertFalse(tagged(sigTag()), "no signature tag without its blobs");
        }
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            String image = "registry:" + proxy.host() + "/faults/app:v1";
            proxy.inject("PUT", ".sig", FaultProxy.Kind.STATUS_500, 1000);
            MainTest.Result manifest = SbomCommandTest.run(env, "sign", image, "--key", key + ".key");
            assertEquals(3, manifest.code(), manifest.err());
            assertFalse(tagged(sigTag()), "the tag is the manifest push itself: it failed, so there is no tag");
        }
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            // Referrers: the referrer manifest goes up by digest first, then the fallback tag's index; that
            // index push fails, so the tag never names a referrer that is not there.
            String image = "registry:" + proxy.host() + "/faults/app:v1";
            String indexTag = sigTag().replace(".sig", "");
            proxy.inject("PUT", "/manifests/" + indexTag, FaultProxy.Kind.STATUS_500, 1000);
            MainTest.Result index = SbomCommandTest.run(env, "sign", image, "--key", key + ".key",
                    "--registry-referrers-mode", "oci-1-1");
            assertEquals(3, index.code(), index.err());
            assertFalse(tagged(indexTag));
        }
        // And once the registry behaves, signing works and verifies.
        String direct = "registry:" + registry.host() + "/faults/app:v1";
        assertEquals(0, SbomCommandTest.run(env, "sign", direct, "--key", key + ".key").code());
        assertEquals(0, MainTest.run("verify", direct, "--key", key + ".pub").code());
    }

    /**
     * sign and attest read back what they wrote and verify it before they report success; what the registry does
     * not return intact (here: every blob read corrupted by the proxy) is removed, and the tag it changed gets back
     * what it held.
     */
    @Test
    void whatDoesNotReadBackAndVerifyIsRemoved() throws Exception {
        Map<String, String> env = Map.of("DISTILL_PASSWORD", PASSWORD);
        RegistryClient client = new RegistryClient(RegistryOptions.defaults());
        var digest = client.head(Repository.of(registry.host(), "faults/readback"), "v1").orElseThrow().digest();
        String sig = ImageSignatures.signatureTag(digest);
        String att = dev.distill.attest.image.ImageAttestations.attestationTag(digest);
        String index = RegistryClient.referrersTag(digest);
        Path predicate = Files.writeString(dir.resolve("readback.json"), "{\"name\":\"readback\"}");
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            String image = "registry:" + proxy.host() + "/faults/readback:v1";
            proxy.inject("GET", "/blobs/", FaultProxy.Kind.CORRUPT_BODY, 100_000);
            MainTest.Result legacy = SbomCommandTest.run(env, "sign", image, "--key", key + ".key");
            assertEquals(3, legacy.code(), legacy.err());
            assertTrue(legacy.err().startsWith("distill: error: the signature written for faults/readback@")
                    && legacy.err().contains("does not verify when read back from the registry, so it was removed")
                    && legacy.err().lines().count() == 1, legacy.err());
            assertTrue(client.head(Repository.of(registry.host(), "faults/readback"), sig).isEmpty(),
                    "no .sig tag left");

            MainTest.Result referrer = SbomCommandTest.run(env, "attest", image, "--key", key + ".key", "--type",
                    "custom", "--predicate", predicate.toString(), "--registry-referrers-mode", "oci-1-1");
            assertEquals(3, referrer.code(), referrer.err());
            assertTrue(client.head(Repository.of(registry.host(), "faults/readback"), index).isEmpty(),
                    "no referrers index left");
            assertTrue(client.referrers(Repository.of(registry.host(), "faults/readback"), digest).isEmpty());

            MainTest.Result attestation = SbomCommandTest.run(env, "attest", image, "--key", key + ".key",
                    "--type", "custom", "--predicate", predicate.toString());
            assertEquals(3, attestation.code(), attestation.err());
            assertTrue(client.head(Repository.of(registry.host(), "faults/readback"), att).isEmpty(),
                    "no .att tag left");
        }
        // A signature that verified stays; a second one that does not read back leaves the tag as it was.
        String direct = "registry:" + registry.host() + "/faults/readback:v1";
        assertEquals(0, SbomCommandTest.run(env, "sign", direct, "--key", key + ".key").code());
        var before = client.head(Repository.of(registry.host(), "faults/readback"), sig).orElseThrow().digest();
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            proxy.inject("GET", "/blobs/", FaultProxy.Kind.CORRUPT_BODY, 100_000);
            MainTest.Result second = SbomCommandTest.run(env, "sign", "registry:" + proxy.host()
                    + "/faults/readback:v1", "--key", key + ".key", "-a", "second=yes");
            assertEquals(3, second.code(), second.err());
        }
        assertEquals(before, client.head(Repository.of(registry.host(), "faults/readback"), sig).orElseThrow().digest(),
                "the .sig tag holds what it held before");
        assertEquals(0, MainTest.run("verify", direct, "--key", key + ".pub").code());
    }

    @Test
    void passwordsAndPrivateKeysNeverReachOutputErrorsOrJson() throws Exception {
        Path keyFile = Path.of(key + ".key");
        assertEquals(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(keyFile), "key files are 0600");
        String pem = Files.readString(keyFile);
        String body = pem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
        String sealed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Base64.getDecoder().decode(body))
                .path("ciphertext").asText();
        String image = "registry:" + registry.host() + "/faults/secrets:v1";
        Path pwFile = Files.writeString(dir.resolve("wrong.pw"), PASSWORD + "-but-wrong\n");
        Path blob = Files.writeString(dir.resolve("blob.txt"), "x\n");
        MainTest.Result[] runs = {
            SbomCommandTest.run(Map.of(), "sign", image, "--key", key + ".key", "--password-file",
                    pwFile.toString(), "--stacktrace"),
            SbomCommandTest.run(Map.of("DISTILL_PASSWORD", PASSWORD + "x"), "sign-blob", blob.toString(), "--key",
                    key + ".key", "--bundle", dir.resolve("b.json").toString(), "--stacktrace"),
            SbomCommandTest.run(Map.of("DISTILL_PASSWORD", PASSWORD), "key", "public-key", "--key", key + ".key"),
            SbomCommandTest.run(Map.of("DISTILL_PASSWORD", PASSWORD), "sign", image, "--key", key + ".key"),
            MainTest.run("verify", image, "--key", key + ".pub", "-o", "json"),
            SbomCommandTest.run(Map.of("SIGSTORE_ID_TOKEN", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2VjcmV0"),
                    "sign-blob", blob.toString(), "--bundle", dir.resolve("k.json").toString(), "--trusted-root",
                    dir.resolve("missing.json").toString(), "--signing-config", dir.resolve("missing.json").toString(),
                    "--stacktrace"),
        };
        assertEquals(3, runs[0].code(), "a wrong password fails: " + runs[0].err());
        assertEquals(0, runs[3].code(), runs[3].err());
        for (MainTest.Result r : runs) {
            String all = r.out() + r.err();
            assertFalse(all.contains(PASSWORD), "the password leaked: " + all);
            assertFalse(all.contains(sealed) || all.contains(body.substring(0, 40)), "the key leaked: " + all);
            assertFalse(all.contains("PRIVATE KEY"), all);
            assertFalse(all.contains("c2VjcmV0"), "the identity token leaked: " + all);
        }
    }
}
