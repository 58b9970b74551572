package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.attest.keyless.SigstoreStack;
import dev.distill.oci.testing.DockerRegistry;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code distill admission} with keyless signers: images signed and attested keylessly against the local Sigstore
 * stack (Fulcio, Rekor, TSA on loopback) are judged by policy sections that name a certificate identity and issuer,
 * with the stack's trusted root; the same signature is refused where the section wants another identity.
 */
@Timeout(300)
class AdmissionKeylessTest {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    @RegisterExtension
    static SigstoreStack stack = new SigstoreStack();

    @TempDir
    static Path dir;

    @Test
    void admitsTheSignersIdentityAndDeniesAnother() throws Exception {
        try (DockerRegistry registry = DockerRegistry.start(dir.resolve("registry"), DockerRegistry.Auth.NONE)) {
            String mine = registry.host() + "/app/keyless:v1";
            String theirs = registry.host() + "/other/keyless:v1";
            Map<String, String> env = Map.of("SIGSTORE_ID_TOKEN", stack.token());
            for (String image : List.of(mine, theirs)) {
                SignCommandTest.skopeo(dir, "oci:../fixtures/layered:latest", "docker://" + image);
                MainTest.Result s = SbomCommandTest.run(env, "sign", "registry:" + image, "--signing-config",
                        stack.signingConfig().toString(), "--trusted-root", stack.trustedRoot().toString());
                assertEquals(0, s.code(), s.err());
                MainTest.Result a = SbomCommandTest.run(env, "attest", "registry:" + image, "--type", "spdx",
                        "--sbom", "--signing-config", stack.signingConfig().toString(), "--trusted-root",
                        stack.trustedRoot().toString());
                assertEquals(0, a.code(), a.err());
            }
            // app/ must be signed by the stack's identity, with its SBOM attested by it; other/ by someone else.
            // The policy's trusted root is a copy, replaced below.
            Path root = Files.copy(stack.trustedRoot(), dir.resolve("policy-trusted-root.json"));
            Path policy = Files.writeString(dir.resolve("policy.yaml"), "trustedRoot: " + root + "\n"
                    + "images:\n"
                    + "  - glob: " + registry.host() + "/app/**\n"
                    + "    signers:\n"
                    + "      - identity: " + stack.identity() + "\n"
                    + "        issuer: " + stack.issuer() + "\n"
                    + "    attestations: [spdx]\n"
                    + "  - glob: " + registry.host() + "/other/**\n"
                    + "    signers:\n"
                    + "      - identity: someone@else.example\n"
                    + "        issuer: " + stack.issuer() + "\n");
            Path[] tls = AdmissionCommandTest.tls(dir);
            HttpClient http = HttpClient.newBuilder().sslContext(AdmissionCommandTest.trusting(tls[0]))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            try (AdmissionCommandTest.Webhook w = AdmissionCommandTest.Webhook.start(dir, "keyless", Map.of(),
                    "admission", "--policy", policy.toString(), "--tls-cert", tls[0].toString(), "--tls-key",
                    tls[1].toString(), "--certificate-identity", stack.identity(), "--certificate-oidc-issuer",
                    stack.issuer(), "--trusted-root", stack.trustedRoot().toString(), "--listen", "127.0.0.1:0",
                    "--reload-interval", "200ms")) {
                AdmissionResponse ok = post(http, w, AdmissionCommandTest.pod("keyless-ok", mine));
                assertTrue(ok.getAllowed(), String.valueOf(ok.getStatus()));

                AdmissionResponse denied = post(http, w, AdmissionCommandTest.pod("keyless-other", theirs));
                assertFalse(denied.getAllowed(), "signed by the stack's identity, not someone@else.example");
                String why = denied.getStatus().getMessage();
                assertTrue(why.startsWith("distill: denied: image " + theirs + " (sha256:") && why.contains(
                        "someone@else.example"), why);
                assertFalse(why.contains("image " + mine), why);

                // The policy's trusted root now names another CA (the webhook's own TLS certificate): a trusted root
                // that loads, under which the stack's signing certificates no longer verify. The next review of the
                // image admitted above is judged under it, not answered from the cache.
                ObjectNode changed = (ObjectNode) JSON.readTree(Files.readString(root));
                String otherCa = Files.readString(tls[0]).replaceAll("-----[A-Z ]+-----|\\s", "");
                for (JsonNode ca : changed.path("certificateAuthorities")) {
                    for (JsonNode cert : ca.path("certChain").path("certificates")) {
                        ((ObjectNode) cert).put("rawBytes", otherCa);
                    }
                }
                Files.writeString(root, JSON.writeValueAsString(changed));
                AdmissionResponse after = null;
                for (int i = 0; i < 100 && (after == null || after.getAllowed()); i++) {
                    Thread.sleep(100);
                    after = post(http, w, AdmissionCommandTest.pod("keyless-root-" + i, mine));
                }
                assertFalse(after.getAllowed(), "still admitted 10 s after its trusted root changed");
                String rootDenial = after.getStatus().getMessage();
                assertTrue(rootDenial.contains("image " + mine) && rootDenial.contains(" signer " + stack.identity()
                        + " from " + stack.issuer() + "': ") && rootDenial.contains("not verifiable against CAs"),
                        rootDenial);
                assertFalse(rootDenial.contains("attestation https://spdx.dev/Document"), "the attestations are "
                        + "judged against --trusted-root, which did not change: " + rootDenial);
                String log = Files.readString(w.out());
                assertTrue(log.contains("\"event\":\"policy-reloaded\"") && log.contains(root.toString()), log);
            }
        }
    }

    private static AdmissionResponse post(HttpClient http, AdmissionCommandTest.Webhook w, AdmissionReview review)
            throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(w.base() + "/validate"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(review))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        AdmissionResponse resp = JSON.readValue(r.body(), AdmissionReview.class).getResponse();
        assertEquals(review.getRequest().getUid(), resp.getUid());
        return resp;
    }
}
