package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.attest.image.ReferrerBundles;
import dev.distill.attest.keyless.SigstoreStack;
import dev.distill.oci.Descriptor;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.registry.RegistryOptions;
import dev.distill.oci.testing.DockerRegistry;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * 50 MiB SBOM predicates (SPDX and CycloneDX) attest and verify in a JVM of their own with {@code -Xmx512m}, in
 * both storages, with a key and keyless (the local Sigstore stack); the SPDX ones pass a policy check that reads
 * the whole SBOM. The envelope's base64 payload is about 70 MB, far past Jackson's default string limit
 * (20,000,000 characters). Over --max-attestation-bytes, attest refuses before it signs or stores anything; out of
 * memory, it says so in one line and stores nothing.
 */
@Timeout(900)
class LargeAttestationTest {
    @RegisterExtension
    static SigstoreStack stack = new SigstoreStack();

    @TempDir
    static Path dir;
    static DockerRegistry registry;
    static Path spdx;
    static Path cyclonedx;
    static Path policy;
    static String key;

    private static final int MIB_50 = 50 << 20;

    @BeforeAll
    static void start() throws Exception {
        registry = DockerRegistry.start(dir.resolve("registry"), DockerRegistry.Auth.NONE);
        List<String> repos = new ArrayList<>(List.of("large/capped", "large/oom"));
        for (String type : new String[] {"spdx", "cyclonedx"}) {
            for (String signer : new String[] {"key", "keyless"}) {
                for (String mode : new String[] {"legacy", "oci-1-1"}) {
                    repos.add(repo(type, signer, mode));
                }
            }
        }
        for (String repo : repos) {
            SignCommandTest.skopeo(dir, "oci:../fixtures/distroless-base:latest",
                    "docker://" + registry.host() + "/" + repo + ":v1");
        }
        key = dir.resolve("k").toString();
        assertEquals(0, SbomCommandTest.run(Map.of("DISTILL_PASSWORD", "pw"), "key", "generate",
                "--output-key-prefix", key).code());
        spdx = spdx(dir.resolve("large.spdx.json"));
        cyclonedx = cyclonedx(dir.resolve("large.cdx.json"));
        policy = dir.resolve("policy.yaml");
        Files.writeString(policy, "attestations: [spdx]\nsbom:\n  denyPackages:\n    - \"pkg:deb/debian/absent\"\n");
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    private static String repo(String type, String signer, String mode) {
        return "large/" + type + "-" + signer + "-" + mode;
    }

    /** An SPDX 2.3 document of generated packages (each with a purl), of at least 50 MiB. */
    private static Path spdx(Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("{\"spdxVersion\":\"SPDX-2.3\",\"dataLicense\":\"CC0-1.0\",\"SPDXID\":\"SPDXRef-DOCUMENT\","
                    + "\"name\":\"large\",\"documentNamespace\":\"https://example.org/large\",\"creationInfo\":"
                    + "{\"created\":\"2026-01-01T00:00:00Z\",\"creators\":[\"Tool: test\"]},\"packages\":[");
            long written = 0;
            for (int i = 0; written < MIB_50; i++) {
                String p = (i == 0 ? "" : ",") + "{\"name\":\"pkg" + i + "\",\"SPDXID\":\"SPDXRef-Package-" + i
                        + "\",\"versionInfo\":\"1." + i % 97 + "-1\",\"downloadLocation\":\"NOASSERTION\","
                        + "\"filesAnalyzed\":false,\"licenseConcluded\":\"NOASSERTION\",\"licenseDeclared\":\"MIT\","
                        + "\"copyrightText\":\"NOASSERTION\",\"supplier\":\"Organization: Test\",\"externalRefs\":"
                        + "[{\"referenceCategory\":\"PACKAGE-MANAGER\",\"referenceType\":\"purl\","
                        + "\"referenceLocator\":\"pkg:deb/debian/pkg" + i + "@1." + i % 97 + "-1?arch=amd64\"}]}";
                w.write(p);
                written += p.length();
            }
            w.write("]}");
        }
        assertTrue(Files.size(file) >= MIB_50);
        return file;
    }

    /** A CycloneDX 1.5 BOM of generated components, of at least 50 MiB. */
    private static Path cyclonedx(Path file) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,\"metadata\":"
                    + "{\"timestamp\":\"2026-01-01T00:00:00Z\"},\"components\":[");
            long written = 0;
            for (int i = 0; written < MIB_50; i++) {
                String c = (i == 0 ? "" : ",") + "{\"type\":\"library\",\"bom-ref\":\"pkg:npm/pkg" + i + "@1." + i
                        % 97 + "\",\"name\":\"pkg" + i + "\",\"version\":\"1." + i % 97 + "\",\"purl\":\"pkg:npm/pkg"
                        + i + "@1." + i % 97 + "\",\"licenses\":[{\"license\":{\"id\":\"MIT\"}}],\"description\":"
                        + "\"a generated component of a large BOM, there to make it large\"}";
                w.write(c);
                written += c.length();
            }
            w.write("]}");
        }
        assertTrue(Files.size(file) >= MIB_50);
        return file;
    }

    /** The JVM options of every run: the heap of the bound, and the stack's Fulcio endpoint trusted. */
    private static List<String> jvm(String heap) {
        return List.of("-Xmx" + heap, "-Djavax.net.ssl.trustStore=" + stack.dir().resolve("trust.p12"),
                "-Djavax.net.ssl.trustStorePassword=changeit", "-Djavax.net.ssl.trustStoreType=PKCS12");
    }

    private static MainTest.Result distill(String heap, String... args) throws Exception {
        return CliProcess.exec(dir, Map.of("DISTILL_PASSWORD", "pw", "SIGSTORE_ID_TOKEN", stack.token()),
                CliProcess.command(jvm(heap), args), 240);
    }

    /** The options that say who signs (attest) or who must have signed (verification). */
    private static List<String> signer(String signer, boolean signing) throws IOException {
        if (signer.equals("key")) {
            return List.of("--key", key + (signing ? ".key" : ".pub"));
        }
        List<String> out = new ArrayList<>(List.of("--trusted-root", stack.trustedRoot().toString()));
        out.addAll(signing ? List.of("--signing-config", stack.signingConfig().toString())
                : List.of("--certificate-identity", stack.identity(), "--certificate-oidc-issuer", stack.issuer()));
        return out;
    }

    private static String[] args(List<String> first, List<String> rest) {
        List<String> all = new ArrayList<>(first);
        all.addAll(rest);
        return all.toArray(String[]::new);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"spdx, key, legacy", "spdx, key, oci-1-1", "spdx, keyless, legacy", "spdx, keyless, oci-1-1",
        "cyclonedx, key, legacy", "cyclonedx, key, oci-1-1", "cyclonedx, keyless, legacy",
        "cyclonedx, keyless, oci-1-1"})
    void aFiftyMebibyteSbomAttestsAndVerifiesAt512m(String type, String signer, String mode) throws Exception {
        String image = "registry:" + registry.host() + "/" + repo(type, signer, mode) + ":v1";
        Path predicate = type.equals("spdx") ? spdx : cyclonedx;
        MainTest.Result attested = distill("512m", args(List.of("attest", image, "--type", type, "--predicate",
                predicate.toString(), "--registry-referrers-mode", mode), signer(signer, true)));
        assertEquals(0, attested.code(), attested.err());
        assertTrue(attested.out().startsWith("Attested "), attested.out());
        if (signer.equals("keyless") && mode.equals("oci-1-1")) {
            assertSigstoreJsVerifies(repo(type, signer, mode));
        }
        if (type.equals("spdx")) {
            // The policy verifies the attestation and reads every package of the SBOM.
            MainTest.Result checked = distill("512m", args(List.of("verify-attestation", image, "--policy",
                    policy.toString()), signer(signer, false)));
            assertEquals(0, checked.code(), checked.out() + checked.err());
            assertTrue(checked.out().contains("ok   attestation https://spdx.dev/Document verified")
                    && checked.out().contains("ok   denied packages          none found"), checked.out());
        } else {
            MainTest.Result verified = distill("512m", args(List.of("verify-attestation", image, "--type", type),
                    signer(signer, false)));
            assertEquals(0, verified.code(), verified.err());
            assertTrue(verified.out().startsWith("Verified OK: 1 attestation of type https://cyclonedx.org/bom"),
                    verified.out());
        }
    }

    /**
     * sigstore-js (@sigstore/verify 4.1.3) verifies the keyless bundle as stored in the registry: a DSSE envelope of
     * over 50 MiB, logged as the hashedrekord of its PAE.
     */
    private static void assertSigstoreJsVerifies(String repo) throws Exception {
        RegistryClient client = new RegistryClient(RegistryOptions.defaults());
        ImageReference ref = ImageReference.parse(registry.host() + "/" + repo + ":v1");
        Digest subject = client.manifest(ref.repo(), "v1").digest();
        List<String> failures = new ArrayList<>();
        var found = ReferrerBundles.find(client, ref, subject, ReferrerBundles.DSSE_ENVELOPE, failures);
        assertEquals(1, found.size(), "one attestation referrer; unreadable: " + failures);
        assertEquals("hashedrekord", found.get(0).bundle().path("verificationMaterial").path("tlogEntries").get(0)
                .path("kindVersion").path("kind").asText());
        // The bundle blob as the registry holds it, payload and all (Found's JSON leaves the payload out).
        List<Descriptor> referrers = client.referrers(ref.repo(), subject).stream()
                .filter(d -> ReferrerBundles.ARTIFACT_TYPE.equals(d.artifactType())).toList();
        assertEquals(1, referrers.size(), referrers.toString());
        JsonNode manifest = new ObjectMapper().readTree(client.manifest(ref.repo(),
                referrers.get(0).digest().toString()).bytes());
        Digest layer = Digest.parse(manifest.path("layers").get(0).path("digest").asText());
        Path b = dir.resolve(repo.replace('/', '-') + ".sigstore.json");
        try (InputStream in = client.blob(ref.repo(), layer)) {
            Files.copy(in, b);
        }
        assertTrue(Files.size(b) > MIB_50, "the whole envelope is in the bundle: " + Files.size(b));
        StringBuilder out = new StringBuilder();
        assertEquals(0, stack.jsVerify(b, b, out, SigstoreStack.SIGSTORE_VERIFY_4),
                "sigstore-js 4.1.3 verifies the large keyless bundle: " + out);
    }

    /**
     * A heap too small for the predicate: one line in distill's words (before, the JVM's stack trace and exit 1),
     * exit 3, and nothing stored.
     */
    @Test
    void outOfMemoryIsOneLineAndStoresNothing() throws Exception {
        String image = "registry:" + registry.host() + "/large/oom:v1";
        MainTest.Result attested = distill("128m", "attest", image, "--type", "spdx", "--predicate", spdx.toString(),
                "--key", key + ".key");
        assertEquals(3, attested.code(), attested.err());
        assertEquals(1, attested.err().lines().count(), attested.err());
        assertTrue(attested.err().startsWith("distill: error: out of memory while running attest: raise the Java "
                + "heap") && attested.err().contains("or lower --max-attestation-bytes"), attested.err());
        MainTest.Result none = MainTest.run("verify-attestation", image, "--type", "spdx", "--key", key + ".pub");
        assertEquals(1, none.code());
        assertTrue(none.err().contains("no attestations for"), none.err());
    }

    @Test
    void aPredicateOverTheLimitIsRefusedBeforeAnythingIsStored() {
        String image = "registry:" + registry.host() + "/large/capped:v1";
        MainTest.Result capped = SbomCommandTest.run(Map.of("DISTILL_PASSWORD", "pw"), "attest", image, "--type",
                "spdx", "--predicate", spdx.toString(), "--key", key + ".key", "--max-attestation-bytes", "1M");
        assertEquals(3, capped.code(), capped.err());
        assertTrue(capped.err().startsWith("distill: error: the predicate is ")
                && capped.err().contains("more than the 1048576 attestations may hold (--max-attestation-bytes)"),
                capped.err());
        MainTest.Result none = MainTest.run("verify-attestation", image, "--type", "spdx", "--key", key + ".pub");
        assertEquals(1, none.code());
        assertTrue(none.err().contains("no attestations for"), none.err());
    }
}
