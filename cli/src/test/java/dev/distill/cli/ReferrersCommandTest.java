package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.attest.bundle.BlobSignatures;
import dev.distill.attest.dsse.Dsse;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.image.ReferrerBundles;
import dev.distill.attest.keyless.SigstoreStack;
import dev.distill.attest.keys.EncryptedKeys;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.registry.RegistryOptions;
import dev.distill.oci.testing.DockerRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI 1.1 referrers storage (--registry-referrers-mode oci-1-1) on Debian's docker-registry, which has no
 * referrers API, so everything goes through the sha256-<hex> fallback tag: key and keyless signatures and
 * attestations, verified from there, listed by tree next to the legacy tags.
 */
@Timeout(300)
class ReferrersCommandTest {
    @RegisterExtension
    static SigstoreStack stack = new SigstoreStack();

    @TempDir
    static Path dir;
    static DockerRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        registry = DockerRegistry.start(dir.resolve("registry"), DockerRegistry.Auth.NONE);
        SignCommandTest.skopeo(dir, "oci:../fixtures/layered:latest", "docker://" + registry.host() + "/ref/app:v1");
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    @Test
    void signsAndAttestsAsReferrersWithKeyAndKeylessAndVerifiesBoth() throws Exception {
        String image = "registry:" + registry.host() + "/ref/app:v1";
        Map<String, String> pw = Map.of("DISTILL_PASSWORD", "pw");
        String k = dir.resolve("k").toString();
        assertEquals(0, SbomCommandTest.run(pw, "key", "generate", "--output-key-prefix", k).code());
        Map<String, String> token = Map.of("SIGSTORE_ID_TOKEN", stack.token());
        String root = stack.trustedRoot().toString();
        String config = stack.signingConfig().toString();
        String[] who = {"--certificate-identity", stack.identity(), "--certificate-oidc-issuer", stack.issuer(),
                "--trusted-root", root};

        MainTest.Result keySigned = SbomCommandTest.run(pw, "sign", image, "--key", k + ".key",
                "--registry-referrers-mode", "oci-1-1");
        assertEquals(0, keySigned.code(), keySigned.err());
        assertEquals(2, SbomCommandTest.run(pw, "sign", image, "--key", k + ".key", "--registry-referrers-mode",
                "oci-1-1", "-a", "x=y").code(), "annotations need the legacy storage");
        MainTest.Result keylessSigned = SbomCommandTest.run(token, "sign", image, "--registry-referrers-mode",
                "oci-1-1", "--trusted-root", root, "--signing-config", config);
        assertEquals(0, keylessSigned.code(), keylessSigned.err());

        MainTest.Result byKey = MainTest.run("verify", image, "--key", k + ".pub", "-o", "json");
        assertEquals(0, byKey.code(), byKey.out() + byKey.err());
        assertTrue(byKey.out().contains("\"name\" : \"referrer "), byKey.out());
        MainTest.Result byIdentity = MainTest.run(concat(new String[] {"verify", image}, who));
        assertEquals(0, byIdentity.code(), byIdentity.err());

        Path sbom = Files.writeString(dir.resolve("p.json"), "{\"spdxVersion\":\"SPDX-2.3\",\"name\":\"app\"}");
        MainTest.Result keyAttested = SbomCommandTest.run(pw, "attest", image, "--key", k + ".key", "--type", "spdx",
                "--predicate", sbom.toString(), "--registry-referrers-mode", "oci-1-1");
        assertEquals(0, keyAttested.code(), keyAttested.err());
        MainTest.Result keylessAttested = SbomCommandTest.run(token, "attest", image, "--type", "spdx",
                "--predicate", sbom.toString(), "--registry-referrers-mode", "oci-1-1", "--trusted-root", root,
                "--signing-config", config);
        assertEquals(0, keylessAttested.code(), keylessAttested.err());

        assertEquals(0, MainTest.run("verify-attestation", image, "--type", "spdx", "--key", k + ".pub").code());
        MainTest.Result attIdentity = MainTest.run(concat(new String[] {"verify-attestation", image, "--type",
            "spdx"}, who));
        assertEquals(0, attIdentity.code(), attIdentity.err());
        // The report names each referrer's signer: the key's hint, or the certificate's identity and issuer.
        MainTest.Result report = MainTest.run(concat(new String[] {"verify-attestation", image, "--type", "spdx",
            "-o", "json"}, who));
        assertEquals(0, report.code(), report.err());
        JsonNode atts = new ObjectMapper().readTree(report.out()).path("digests").path(0).path("attestations");
        assertEquals(2, atts.size(), report.out());
        for (JsonNode att : atts) {
            assertEquals("oci-1-1", att.path("storage").asText(), report.out());
            assertTrue(att.path("size").asLong() > Files.size(sbom), report.out());
            if (att.path("verified").asBoolean()) {
                assertEquals(stack.identity(), att.path("signer").path("identity").asText(), report.out());
                assertEquals(stack.issuer(), att.path("signer").path("issuer").asText(), report.out());
            } else {
                assertEquals(BlobSignatures.hint(EncryptedKeys.readPublicKey(Files.readString(Path.of(k + ".pub")),
                        "k")), att.path("signer").path("keyHint").asText(), "the key its bundle claims: "
                        + report.out());
            }
        }

        // sigstore-js verifies the keyless bundle as stored in the registry: a message signature over the image
        // manifest, the manifest being the artifact.
        RegistryClient client = new RegistryClient(RegistryOptions.defaults());
        ImageReference ref = ImageReference.parse(registry.host() + "/ref/app:v1");
        var manifest = client.manifest(ref.repo(), "v1");
        Path manifestFile = Files.write(dir.resolve("manifest.json"), manifest.bytes());
        List<String> failures = new java.util.ArrayList<>();
        int checked = 0;
        for (var found : ReferrerBundles.find(client, ref, manifest.digest(), ReferrerBundles.MESSAGE_SIGNATURE,
                failures)) {
            if (found.bundle().path("verificationMaterial").has("publicKey")) {
                continue;
            }
            Path b = Files.writeString(dir.resolve("referrer-" + found.name() + ".json"), found.bundleJson());
            StringBuilder out = new StringBuilder();
            assertEquals(0, stack.jsVerify(b, manifestFile, out), "sigstore-js verifies the referrer bundle: " + out);
            checked++;
        }
        assertEquals(1, checked, "one keyless referrer signature; unreadable: " + failures);

        MainTest.Result tree = MainTest.run("tree", image);
        assertEquals(0, tree.code(), tree.err());
        assertTrue(tree.out().contains("└── referrers"), tree.out());
        assertEquals(2, count(tree.out(), "signature sha256:"), tree.out());
        assertEquals(2, count(tree.out(), "predicateType=https://spdx.dev/Document"), tree.out());
    }

    @Test
    void judgesAReferrerByItsSignedStatementNotByItsPredicateTypeAnnotation() throws Exception {
        SignCommandTest.skopeo(dir, "oci:../fixtures/distroless-base:latest",
                "docker://" + registry.host() + "/ref/lying:v1");
        String image = "registry:" + registry.host() + "/ref/lying:v1";
        var pair = EncryptedKeys.generate();
        Path pub = Files.writeString(dir.resolve("lying.pub"), EncryptedKeys.publicKeyPem(pair.getPublic()));
        RegistryClient client = new RegistryClient(RegistryOptions.defaults());
        ImageReference ref = ImageReference.parse(registry.host() + "/ref/lying:v1");
        var manifest = client.manifest(ref.repo(), "v1");
        byte[] statement = ImageAttestations.statement(ref, manifest.digest(), "https://cyclonedx.org/bom",
                "{\"bomFormat\":\"CycloneDX\"}".getBytes(StandardCharsets.UTF_8));
        String bundle = BlobSignatures.dsseBundle(pair.getPublic(), Dsse.sign(pair.getPrivate(), Dsse.IN_TOTO,
                statement));
        // The listing hint claims SPDX; the signed statement says CycloneDX.
        ReferrerBundles.push(client, ref, manifest.descriptor(), bundle, ReferrerBundles.DSSE_ENVELOPE,
                "https://spdx.dev/Document");
        MainTest.Result spdx = MainTest.run("verify-attestation", image, "--type", "spdx", "--key", pub.toString());
        assertEquals(1, spdx.code(), spdx.out() + spdx.err());
        assertTrue(spdx.err().contains("has predicate type https://cyclonedx.org/bom"), spdx.err());
        assertEquals(0, MainTest.run("verify-attestation", image, "--type", "cyclonedx", "--key", pub.toString())
                .code());
    }

    private static String[] concat(String[] a, String[] b) {
        List<String> all = new java.util.ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
