package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.keyless.SigstoreStack;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import dev.distill.oci.Repository;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.registry.RegistryOptions;
import dev.distill.oci.testing.DockerRegistry;
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
 * distill promote keyless: an image signed and attested keyless (the local Sigstore stack: Fulcio, Rekor, TSA)
 * promotes between two registries for its identity, offline against the stack's trusted root, and verifies
 * keyless at DST; another identity is refused and DST stays untouched.
 */
@Timeout(300)
class PromoteKeylessTest {
    @RegisterExtension
    static SigstoreStack stack = new SigstoreStack();

    @TempDir
    static Path dir;
    static DockerRegistry staging;
    static DockerRegistry production;

    @BeforeAll
    static void start() throws Exception {
        staging = DockerRegistry.start(dir.resolve("staging"), DockerRegistry.Auth.NONE);
        production = DockerRegistry.start(dir.resolve("production"), DockerRegistry.Auth.NONE);
        SignCommandTest.skopeo(dir, "oci:../fixtures/distroless-base:latest", "docker://" + staging.host()
                + "/stage/base:v1");
        for (String repository : List.of("to-referrers", "to-tags")) {
            SignCommandTest.skopeo(dir, "oci:../fixtures/layered:latest", "docker://" + staging.host() + "/stage/"
                    + repository + ":v1");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        staging.close();
        production.close();
    }

    private static String[] keyless(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--trusted-root", stack.trustedRoot().toString()));
        return all.toArray(String[]::new);
    }

    @Test
    void promotesForTheSignersIdentityAndRefusesAnother() throws Exception {
        String image = "registry:" + staging.host() + "/stage/base:v1";
        Map<String, String> env = Map.of("SIGSTORE_ID_TOKEN", stack.token());
        assertEquals(0, SbomCommandTest.run(env, keyless("sign", image, "--signing-config",
                stack.signingConfig().toString())).code());
        Path sbom = dir.resolve("base.spdx.json");
        assertEquals(0, MainTest.run("sbom", "../fixtures/distroless-base", "-o", "spdx-json=" + sbom).code());
        MainTest.Result attested = SbomCommandTest.run(env, keyless("attest", image, "--type", "spdx", "--predicate",
                sbom.toString(), "--signing-config", stack.signingConfig().toString()));
        assertEquals(0, attested.code(), attested.err());

        String dst = "registry:" + production.host() + "/app/base:v1";
        MainTest.Result other = MainTest.run(keyless("promote", image, dst, "--type", "spdx",
                "--certificate-identity", "someone@else.example", "--certificate-oidc-issuer", stack.issuer()));
        assertEquals(1, other.code(), other.out() + other.err());
        RegistryClient client = new RegistryClient(RegistryOptions.defaults());
        assertFalse(client.head(Repository.of(production.host(), "app/base"), "v1").isPresent(),
                "refused: nothing written");

        MainTest.Result ok = MainTest.run(keyless("promote", image, dst, "--type", "spdx",
                "--certificate-identity", stack.identity(), "--certificate-oidc-issuer", stack.issuer()));
        assertEquals(0, ok.code(), ok.out() + ok.err());
        assertTrue(ok.out().contains("ok   DST attestation") || ok.out().contains("ok   DST signature"), ok.out());
        assertEquals(client.resolve(ImageReference.parse(staging.host() + "/stage/base:v1")),
                client.head(Repository.of(production.host(), "app/base"), "v1").orElseThrow().digest());
        assertEquals(0, MainTest.run(keyless("verify-attestation", dst, "--type", "spdx", "--certificate-identity",
                stack.identity(), "--certificate-oidc-issuer", stack.issuer())).code());
        assertEquals(0, MainTest.run(keyless("verify", dst, "--certificate-identity", stack.identity(),
                "--certificate-oidc-issuer", stack.issuer())).code());
    }

    /**
     * Keyless attestations re-packaged both ways: from a .att layer (envelope, and the bundle without its payload
     * in an annotation) into a bundle referrer, and from a bundle referrer into a .att layer; each verifies keyless
     * at DST from the storage it was put in, with the certificate and log entry it was signed with.
     */
    @Test
    void keylessAttestationsChangeStorageAndStillVerify() throws Exception {
        Map<String, String> env = Map.of("SIGSTORE_ID_TOKEN", stack.token());
        Path sbom = dir.resolve("layered.spdx.json");
        assertEquals(0, MainTest.run("sbom", "../fixtures/layered", "-o", "spdx-json=" + sbom).code());
        RegistryClient client = new RegistryClient(RegistryOptions.defaults());
        String[] identity = {"--certificate-identity", stack.identity(), "--certificate-oidc-issuer", stack.issuer()};
        for (String[] modes : List.of(new String[] {"to-referrers", "oci-1-1", "legacy"},
                new String[] {"to-tags", "legacy", "oci-1-1"})) {
            String image = "registry:" + staging.host() + "/stage/" + modes[0] + ":v1";
            MainTest.Result signed = SbomCommandTest.run(env, keyless("sign", image, "--registry-referrers-mode",
                    modes[1], "--signing-config", stack.signingConfig().toString()));
            assertEquals(0, signed.code(), signed.err());
            MainTest.Result attested = SbomCommandTest.run(env, keyless("attest", image, "--type", "spdx",
                    "--predicate", sbom.toString(), "--registry-referrers-mode", modes[2], "--signing-config",
                    stack.signingConfig().toString()));
            assertEquals(0, attested.code(), attested.err());

            String dst = "registry:" + production.host() + "/app/" + modes[0] + ":v1";
            List<String> promote = new java.util.ArrayList<>(List.of("promote", image, dst, "--type", "spdx",
                    "--registry-referrers-mode", modes[1]));
            promote.addAll(List.of(identity));
            MainTest.Result ok = MainTest.run(keyless(promote.toArray(String[]::new)));
            assertEquals(0, ok.code(), ok.out() + ok.err());
            assertTrue(ok.out().contains("(1 attestation re-packaged)"), ok.out());
            ImageReference at = ImageReference.parse(production.host() + "/app/" + modes[0] + ":v1");
            Digest digest = client.resolve(at);
            assertEquals(modes[1].equals("legacy"), client.head(at.repo(),
                    ImageAttestations.attestationTag(digest)).isPresent(), "the attestation is where it was asked");
            List<String> verify = new java.util.ArrayList<>(List.of("verify-attestation", dst, "--type", "spdx"));
            verify.addAll(List.of(identity));
            MainTest.Result verified = MainTest.run(keyless(verify.toArray(String[]::new)));
            assertEquals(0, verified.code(), verified.out() + verified.err());
        }
    }
}
