package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.attest.keyless.ForgedBundles;
import dev.distill.attest.keyless.SigstoreStack;
import dev.distill.oci.Repository;
import dev.distill.oci.testing.DockerRegistry;
import dev.distill.oci.wire.Json;
import dev.distill.oci.wire.ManifestTemplate;
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
 * sign-blob, verify-blob, sign and verify keyless, end to end: the local Sigstore stack on loopback (Fulcio,
 * Rekor, TSA) and Debian's docker-registry; sigstore-js verifies what the CLI wrote.
 */
@Timeout(300)
class KeylessCommandTest {
    @RegisterExtension
    static SigstoreStack stack = new SigstoreStack();

    @TempDir
    static Path dir;
    static DockerRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        registry = DockerRegistry.start(dir.resolve("registry"), DockerRegistry.Auth.NONE);
        SignCommandTest.skopeo(dir, "oci:../fixtures/layered:latest",
                "docker://" + registry.host() + "/app/keyless:v1");
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    private static String[] keyless(String... args) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--trusted-root", stack.trustedRoot().toString()));
        return all.toArray(String[]::new);
    }

    @Test
    void signBlobKeylessVerifiesWithIdentityOfflineAndWithSigstoreJs() throws Exception {
        Path blob = Files.writeString(dir.resolve("sbom.json"), "{\"spdxVersion\":\"SPDX-2.3\"}\n");
        Path bundle = dir.resolve("sbom.json.sigstore.json");
        Map<String, String> env = Map.of("SIGSTORE_ID_TOKEN", stack.token());
        MainTest.Result signed = SbomCommandTest.run(env, keyless("sign-blob", blob.toString(), "--bundle",
                bundle.toString(), "--signing-config", stack.signingConfig().toString()));
        assertEquals(0, signed.code(), signed.err());
        assertTrue(signed.err().contains("keyless"), signed.err());
        assertFalse(signed.err().contains(stack.token()), "the token is never printed");

        MainTest.Result ok = MainTest.run(keyless("verify-blob", blob.toString(), "--bundle", bundle.toString(),
                "--certificate-identity", stack.identity(), "--certificate-oidc-issuer", stack.issuer()));
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().startsWith("Verified OK: " + blob + " signed by " + stack.identity()), ok.out());

        MainTest.Result json = MainTest.run(keyless("verify-blob", blob.toString(), "--bundle", bundle.toString(),
                "--certificate-identity", stack.identity(), "--certificate-oidc-issuer", stack.issuer(), "-o", "json"));
        assertEquals(0, json.code(), json.err());
        assertTrue(json.out().contains("\"verified\" : true") && json.out().contains("\"checks\" : [ \"bundle media"),
                json.out());
        MainTest.Result jsonFailed = MainTest.run(keyless("verify-blob", blob.toString(), "--bundle",
                bundle.toString(), "--certificate-identity", "someone@else", "--certificate-oidc-issuer",
                stack.issuer(), "-o", "json"));
        assertEquals(1, jsonFailed.code(), jsonFailed.err());
        assertTrue(jsonFailed.out().contains("\"verified\" : false") && jsonFailed.out().contains("\"reason\" : "
                + "\"signed by someone else"), jsonFailed.out());

        MainTest.Result prefix = MainTest.run(keyless("verify-blob", blob.toString(), "--bundle", bundle.toString(),
                "--certificate-identity-regexp", "https://github.com/distill-test/app",
                "--certificate-oidc-issuer", stack.issuer()));
        assertEquals(1, prefix.code(), "a regexp matches the whole identity, not a prefix");
        assertTrue(prefix.err().contains("signed by someone else"), prefix.err());

        MainTest.Result both = MainTest.run("verify-blob", blob.toString(), "--bundle", bundle.toString(),
                "--key", bundle.toString(), "--certificate-identity", "x", "--certificate-oidc-issuer", "y");
        assertEquals(2, both.code(), both.err());
        MainTest.Result noIssuer = MainTest.run(keyless("verify-blob", blob.toString(), "--bundle",
                bundle.toString(), "--certificate-identity", stack.identity()));
        assertEquals(2, noIssuer.code(), "a missing option is a usage error: " + noIssuer.err());
        assertTrue(noIssuer.err().contains("--certificate-oidc-issuer"), noIssuer.err());

        StringBuilder out = new StringBuilder();
        assertEquals(0, stack.jsVerify(bundle, blob, out), "sigstore-js verifies the CLI's bundle: " + out);
    }

    @Test
    void attestsKeylessAndVerifiesTheAttestationByIdentityTypeAndPolicy() throws Exception {
        SignCommandTest.skopeo(dir, "oci:../fixtures/distroless-base:latest",
                "docker://" + registry.host() + "/app/attested:v1");
        String image = "registry:" + registry.host() + "/app/attested:v1";
        Path sbom = dir.resolve("base.spdx.json");
        assertEquals(0, MainTest.run("sbom", "../fixtures/distroless-base", "-o", "spdx-json=" + sbom).code());
        Map<String, String> env = Map.of("SIGSTORE_ID_TOKEN", stack.token());
        MainTest.Result attested = SbomCommandTest.run(env, keyless("attest", image, "--type", "spdx", "--predicate",
                sbom.toString(), "--signing-config", stack.signingConfig().toString()));
        assertEquals(0, attested.code(), attested.err());

        MainTest.Result ok = MainTest.run(keyless("verify-attestation", image, "--type", "spdx",
                "--certificate-identity", stack.identity(), "--certificate-oidc-issuer", stack.issuer()));
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().startsWith("Verified OK: 1 attestation of type https://spdx.dev/Document"), ok.out());

        MainTest.Result otherType = MainTest.run(keyless("verify-attestation", image, "--type", "cyclonedx",
                "--certificate-identity", stack.identity(), "--certificate-oidc-issuer", stack.issuer()));
        assertEquals(1, otherType.code(), otherType.err());
        assertTrue(otherType.err().contains("has predicate type https://spdx.dev/Document"), otherType.err());

        MainTest.Result otherSigner = MainTest.run(keyless("verify-attestation", image, "--type", "spdx",
                "--certificate-identity-regexp", ".*/app-evil/.*", "--certificate-oidc-issuer", stack.issuer()));
        assertEquals(1, otherSigner.code(), otherSigner.err());
        assertTrue(otherSigner.err().contains("signed by someone else"), otherSigner.err());
        // The report names the certificate's identity and issuer, verified or not.
        for (String wanted : new String[] {stack.identity(), stack.identity() + "-else"}) {
            MainTest.Result report = MainTest.run(keyless("verify-attestation", image, "--type", "spdx",
                    "--certificate-identity", wanted, "--certificate-oidc-issuer", stack.issuer(), "-o", "json"));
            JsonNode att = new ObjectMapper().readTree(report.out()).path("digests").path(0).path("attestations")
                    .path(0);
            assertEquals(wanted.equals(stack.identity()), att.path("verified").asBoolean(), report.out());
            assertEquals("legacy", att.path("storage").asText(), report.out());
            assertTrue(att.path("size").asLong() > Files.size(sbom), report.out());
            assertEquals(stack.identity(), att.path("signer").path("identity").asText(), report.out());
            assertEquals(stack.issuer(), att.path("signer").path("issuer").asText(), report.out());
        }

        Path policy = Files.writeString(dir.resolve("policy.yaml"), """
                attestations:
                  - spdx
                sbom:
                  denyPackages:
                    - "pkg:deb/debian/libc6"
                """);
        MainTest.Result judged = MainTest.run(keyless("verify-attestation", image, "--policy", policy.toString(),
                "--certificate-identity", stack.identity(), "--certificate-oidc-issuer", stack.issuer()));
        assertEquals(1, judged.code(), judged.out() + judged.err());
        assertTrue(judged.out().contains("ok   attestation https://spdx.dev/Document"), judged.out());
        assertTrue(judged.out().contains("FAIL"), "the SBOM carries a denied package: " + judged.out());

        // Signer rules: the image's signatures must verify for every signer the policy names.
        assertEquals(0, SbomCommandTest.run(env, keyless("sign", image, "--signing-config",
                stack.signingConfig().toString())).code());
        Map<String, String> pw = Map.of("DISTILL_PASSWORD", "pw");
        assertEquals(0, SbomCommandTest.run(pw, "key", "generate", "--output-key-prefix",
                dir.resolve("absent-signer").toString()).code());
        Path signers = Files.writeString(dir.resolve("signers.yaml"), """
                attestations: [spdx]
                signers:
                  - identityRegexp: https://github\\.com/distill-test/app/\\.github/workflows/.*
                    issuer: %s
                  - key: absent-signer.pub
                images:
                  - glob: "*/app/attested"
                    attestations: [cyclonedx]
                """.formatted(stack.issuer()));
        MainTest.Result signerRules = MainTest.run(keyless("verify-attestation", image, "--policy",
                signers.toString(), "--certificate-identity", stack.identity(), "--certificate-oidc-issuer",
                stack.issuer()));
        assertEquals(1, signerRules.code(), signerRules.out() + signerRules.err());
        assertTrue(signerRules.out().contains("ok   signer /https://github\\.com"), signerRules.out());
        assertTrue(signerRules.out().contains("FAIL signer key "), signerRules.out());
        assertTrue(signerRules.out().contains("FAIL [*/app/attested] attestation https://cyclonedx.org/bom"),
                signerRules.out());
    }

    /** Rewrites the layer annotations of the image's .sig manifest in place, as another tool would have made them. */
    private static void rewriteSignatureAnnotations(String repository,
            java.util.function.Consumer<Map<String, String>> edit) throws Exception {
        var client = new dev.distill.oci.registry.RegistryClient(dev.distill.oci.registry.RegistryOptions.defaults());
        var digest = client.head(Repository.of(registry.host(), repository), "v1").orElseThrow().digest();
        rewriteLayerAnnotations(repository, dev.distill.attest.image.ImageSignatures.signatureTag(digest), edit);
    }

    /** The first layer of the manifest under {@code tag}: its bytes. */
    private static byte[] firstLayer(String repository, String tag) throws Exception {
        var client = new dev.distill.oci.registry.RegistryClient(dev.distill.oci.registry.RegistryOptions.defaults());
        ManifestTemplate m = Json.read(client.manifest(Repository.of(registry.host(), repository), tag).bytes(),
                ManifestTemplate.class, tag);
        try (var in = client.blob(Repository.of(registry.host(), repository), dev.distill.oci.Digest.parse(
                m.layers().get(0).digest()))) {
            return in.readAllBytes();
        }
    }

    /** Rewrites the annotations of the first layer of the manifest under {@code tag}, in place. */
    private static void rewriteLayerAnnotations(String repository, String tag,
            java.util.function.Consumer<Map<String, String>> edit) throws Exception {
        var client = new dev.distill.oci.registry.RegistryClient(dev.distill.oci.registry.RegistryOptions.defaults());
        ManifestTemplate sig = Json.read(client.manifest(Repository.of(registry.host(), repository), tag).bytes(),
                ManifestTemplate.class, tag);
        var layer = sig.layers().get(0);
        Map<String, String> ann = new java.util.LinkedHashMap<>(layer.annotations());
        edit.accept(ann);
        var rewritten = new ManifestTemplate(sig.schemaVersion(), sig.mediaType(), sig.artifactType(), sig.config(),
                List.of(new dev.distill.oci.wire.DescriptorTemplate(layer.mediaType(), layer.digest(), layer.size(),
                        layer.urls(), ann, layer.platform(), layer.artifactType())), sig.subject(), sig.annotations());
        client.putManifest(Repository.of(registry.host(), repository), tag, sig.mediaType(), Json.write(rewritten));
    }

    @Test
    void verifiesCosignsOwnKeylessSignaturesFromTheirSignedEntryTimestamp() throws Exception {
        SignCommandTest.skopeo(dir, "oci:../fixtures/layered:latest", "docker://" + registry.host() + "/app/cosign:v1");
        String image = "registry:" + registry.host() + "/app/cosign:v1";
        assertEquals(0, SbomCommandTest.run(Map.of("SIGSTORE_ID_TOKEN", stack.token()), keyless("sign", image,
                "--signing-config", stack.signingConfig().toString())).code());
        String[] verify = keyless("verify", image, "--certificate-identity", stack.identity(),
                "--certificate-oidc-issuer", stack.issuer());
        // What cosign writes: the certificate and the Rekor bundle (SET and entry), no inclusion proof.
        rewriteSignatureAnnotations("app/cosign", ann -> ann.remove("dev.distill/sigstore-bundle"));
        MainTest.Result ok = MainTest.run(verify);
        assertEquals(0, ok.code(), ok.err());

        // The same strict trusted root as every keyless check: a log without a validity start is refused.
        var lax = (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().readTree(
                stack.trustedRoot().toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) lax.path("tlogs").get(0).path("publicKey"))
                .remove("validFor");
        Path laxRoot = Files.writeString(dir.resolve("cosign-lax-root.json"), lax.toString());
        MainTest.Result strict = MainTest.run("verify", image, "--certificate-identity", stack.identity(),
                "--certificate-oidc-issuer", stack.issuer(), "--trusted-root", laxRoot.toString());
        assertEquals(3, strict.code(), strict.err());
        assertTrue(strict.err().contains("has no validFor.start"), strict.err());

        MainTest.Result other = MainTest.run(keyless("verify", image, "--certificate-identity",
                stack.identity().replace("/app/", "/app-evil/"), "--certificate-oidc-issuer", stack.issuer()));
        assertEquals(1, other.code(), other.err());
        assertTrue(other.err().contains("signed by someone else"), other.err());

        rewriteSignatureAnnotations("app/cosign", ann -> ann.put("dev.sigstore.cosign/bundle",
                ann.get("dev.sigstore.cosign/bundle").replace("\"integratedTime\":", "\"integratedTime\":1")));
        MainTest.Result set = MainTest.run(verify);
        assertEquals(1, set.code(), set.err());
        assertTrue(set.err().contains("SET") || set.err().contains("log the trusted root does not have"), set.err());

        rewriteSignatureAnnotations("app/cosign", ann -> ann.remove("dev.sigstore.cosign/bundle"));
        MainTest.Result none = MainTest.run(verify);
        assertEquals(1, none.code(), none.err());
        assertTrue(none.err().contains("carries no Rekor bundle"), none.err());
    }

    /**
     * Security finding 1 of #22, end to end: a bundle signed under a certificate that had expired, its signed time
     * removed and a forged one put in, with a dummy second entry. verify-blob, verify (the bundle in a .sig layer's
     * annotation) and verify-attestation (in a .att layer's) each refuse it; each accepted it before.
     */
    @Test
    void refusesAnExpiredCertificateHiddenBehindAForgedLogTimeInEveryCommand() throws Exception {
        String reason = "carries 2 transparency-log entries";
        Path blob = Files.writeString(dir.resolve("late.txt"), "signed after the certificate expired\n");
        Path forged = Files.writeString(dir.resolve("late.sigstore.json"),
                ForgedBundles.setRemovedTimeForgedAndDummyEntry(stack.jsSignExpired(blob, "sign")));
        MainTest.Result r = MainTest.run(keyless("verify-blob", blob.toString(), "--bundle", forged.toString(),
                "--certificate-identity", stack.identity(), "--certificate-oidc-issuer", stack.issuer()));
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(reason), r.err());

        SignCommandTest.skopeo(dir, "oci:../fixtures/layered:latest", "docker://" + registry.host() + "/app/late:v1");
        String image = "registry:" + registry.host() + "/app/late:v1";
        Map<String, String> env = Map.of("SIGSTORE_ID_TOKEN", stack.token());
        assertEquals(0, SbomCommandTest.run(env, keyless("sign", image, "--signing-config",
                stack.signingConfig().toString())).code());
        var client = new dev.distill.oci.registry.RegistryClient(dev.distill.oci.registry.RegistryOptions.defaults());
        var digest = client.head(Repository.of(registry.host(), "app/late"), "v1").orElseThrow().digest();
        String sigTag = dev.distill.attest.image.ImageSignatures.signatureTag(digest);
        Path payload = Files.write(dir.resolve("late-payload.json"), firstLayer("app/late", sigTag));
        String forgedSig = ForgedBundles.setRemovedTimeForgedAndDummyEntry(stack.jsSignExpired(payload, "sign"));
        rewriteLayerAnnotations("app/late", sigTag, ann -> ann.put("dev.distill/sigstore-bundle", forgedSig));
        r = MainTest.run(keyless("verify", image, "--certificate-identity", stack.identity(),
                "--certificate-oidc-issuer", stack.issuer()));
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(reason), r.err());

        Path predicate = Files.writeString(dir.resolve("late-provenance.json"), "{\"buildType\":\"late\"}");
        assertEquals(0, SbomCommandTest.run(env, keyless("attest", image, "--type", "slsaprovenance", "--predicate",
                predicate.toString(), "--signing-config", stack.signingConfig().toString())).code());
        String attTag = dev.distill.attest.image.ImageAttestations.attestationTag(digest);
        byte[] statement = java.util.Base64.getDecoder().decode(new ObjectMapper().readTree(firstLayer("app/late",
                attTag)).path("payload").asText());
        Path statementFile = Files.write(dir.resolve("late-statement.json"), statement);
        String forgedAtt = ForgedBundles.setRemovedTimeForgedAndDummyEntry(stack.jsSignExpired(statementFile,
                "attest"));
        rewriteLayerAnnotations("app/late", attTag, ann -> ann.put("dev.distill/sigstore-bundle", forgedAtt));
        r = MainTest.run(keyless("verify-attestation", image, "--type", "slsaprovenance", "--certificate-identity",
                stack.identity(), "--certificate-oidc-issuer", stack.issuer()));
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().contains(reason), r.err());
    }

    /**
     * #16: a key-signed bundle that carries log entries (what cosign sign-blob --key writes by default) is checked
     * against a trusted root when one is given; with the key alone the signature is verified and the output says
     * the log was not checked. A hint in another format than cosign's is no reason to refuse.
     */
    @Test
    void verifyBlobWithAKeyChecksTheLogEntriesAgainstATrustedRoot() throws Exception {
        var g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        var pair = g.generateKeyPair();
        var mime = java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Path privateKey = Files.writeString(dir.resolve("logged-key.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + mime.encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        Path publicKey = Files.writeString(dir.resolve("logged-key.pub"), "-----BEGIN PUBLIC KEY-----\n"
                + mime.encodeToString(pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        Path blob = Files.writeString(dir.resolve("logged.txt"), "signed with a key, logged in Rekor\n");
        var json = (com.fasterxml.jackson.databind.node.ObjectNode) new ObjectMapper().readTree(
                stack.jsSign(blob, "sign", privateKey));
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.at("/verificationMaterial/publicKey"))
                .put("hint", "a hint in no cosign format");
        Path bundle = Files.writeString(dir.resolve("logged.sigstore.json"), json.toString());

        MainTest.Result alone = MainTest.run("verify-blob", blob.toString(), "--bundle", bundle.toString(), "--key",
                publicKey.toString());
        assertEquals(0, alone.code(), alone.err());
        assertTrue(alone.out().contains("its transparency-log entries were not checked (give --trusted-root"),
                alone.out());
        MainTest.Result checked = MainTest.run("verify-blob", blob.toString(), "--bundle", bundle.toString(),
                "--key", publicKey.toString(), "--trusted-root", stack.trustedRoot().toString());
        assertEquals(0, checked.code(), checked.err());
        assertTrue(checked.out().contains(", logged at ") && !checked.out().contains("not checked"), checked.out());

        var entry = (com.fasterxml.jackson.databind.node.ObjectNode) json.at("/verificationMaterial/tlogEntries/0");
        entry.put("logIndex", String.valueOf(entry.path("logIndex").asLong() + 1));
        Path moved = Files.writeString(dir.resolve("logged-moved.sigstore.json"), json.toString());
        MainTest.Result refused = MainTest.run("verify-blob", blob.toString(), "--bundle", moved.toString(),
                "--key", publicKey.toString(), "--trusted-root", stack.trustedRoot().toString());
        assertEquals(1, refused.code(), refused.out());
        assertTrue(refused.err().contains("SET was not valid"), refused.err());
    }

    @Test
    void signsWithTheTokenOfGithubActionsOidcEndpoint() throws Exception {
        var urls = new ObjectMapper().readTree(stack.dir().resolve("stack.json").toFile());
        Path blob = Files.writeString(dir.resolve("from-actions.txt"), "built in CI\n");
        Path bundle = dir.resolve("from-actions.sigstore.json");
        Map<String, String> actions = new java.util.HashMap<>(Map.of("GITHUB_ACTIONS", "true",
                "ACTIONS_ID_TOKEN_REQUEST_URL", urls.path("githubTokenUrl").asText(),
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN", urls.path("githubRequestToken").asText()));
        MainTest.Result signed = SbomCommandTest.run(actions, keyless("sign-blob", blob.toString(), "--bundle",
                bundle.toString(), "--signing-config", stack.signingConfig().toString()));
        assertEquals(0, signed.code(), signed.err());
        assertEquals(0, MainTest.run(keyless("verify-blob", blob.toString(), "--bundle", bundle.toString(),
                "--certificate-identity", stack.identity(), "--certificate-oidc-issuer", stack.issuer())).code());

        actions.put("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "not-the-runner's");
        MainTest.Result refused = SbomCommandTest.run(actions, keyless("sign-blob", blob.toString(), "--bundle",
                dir.resolve("refused.sigstore.json").toString(), "--signing-config", stack.signingConfig().toString()));
        assertEquals(3, refused.code(), refused.err());
        assertFalse(refused.err().contains("not-the-runner's"), refused.err());
    }

    @Test
    void signBlobKeylessWithoutATokenSaysWhatToDo() throws Exception {
        Path blob = Files.writeString(dir.resolve("notoken.txt"), "x\n");
        MainTest.Result r = SbomCommandTest.run(Map.of(), keyless("sign-blob", blob.toString(), "--bundle",
                dir.resolve("notoken.sigstore.json").toString(), "--signing-config",
                stack.signingConfig().toString()));
        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("SIGSTORE_ID_TOKEN"), r.err());
        assertFalse(Files.exists(dir.resolve("notoken.sigstore.json")), "nothing written");

        // A token the instance refuses (no subject): a one-line error that does not repeat the token.
        String token = "eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL29pZGMuZGlzdGlsbC50ZXN0In0.c2VjcmV0LXNpZw";
        MainTest.Result refused = SbomCommandTest.run(Map.of("SIGSTORE_ID_TOKEN", token), keyless("sign-blob",
                blob.toString(), "--bundle", dir.resolve("notoken.sigstore.json").toString(), "--signing-config",
                stack.signingConfig().toString()));
        assertEquals(3, refused.code(), refused.err());
        assertEquals(1, refused.err().lines().count(), refused.err());
        assertFalse(refused.err().contains("c2VjcmV0") || refused.err().contains(token.substring(0, 30)),
                refused.err());
        assertFalse(Files.exists(dir.resolve("notoken.sigstore.json")), "nothing written");
    }

    @Test
    void signsAnImageKeylessInCosignsLayoutAndVerifiesByIdentity() throws Exception {
        String image = "registry:" + registry.host() + "/app/keyless:v1";
        Map<String, String> env = Map.of("SIGSTORE_ID_TOKEN", stack.token());
        MainTest.Result signed = SbomCommandTest.run(env, keyless("sign", image, "--signing-config",
                stack.signingConfig().toString(), "-a", "build=42"));
        assertEquals(0, signed.code(), signed.err());

        var client = new dev.distill.oci.registry.RegistryClient(dev.distill.oci.registry.RegistryOptions.defaults());
        var digest = client.head(Repository.of(registry.host(), "app/keyless"), "v1").orElseThrow().digest();
        String tag = dev.distill.attest.image.ImageSignatures.signatureTag(digest);
        ManifestTemplate sig = Json.read(client.manifest(Repository.of(registry.host(), "app/keyless"), tag).bytes(),
                ManifestTemplate.class, tag);
        var ann = sig.layers().get(0).annotations();
        assertTrue(ann.get("dev.sigstore.cosign/certificate").startsWith("-----BEGIN CERTIFICATE-----"),
                ann.toString());
        JsonNode rekor = new ObjectMapper().readTree(ann.get("dev.sigstore.cosign/bundle"));
        assertTrue(rekor.path("SignedEntryTimestamp").asText().length() > 40, rekor.toString());
        assertTrue(rekor.path("Payload").path("logIndex").asLong() >= 5, rekor.toString());
        assertTrue(ann.containsKey("dev.cosignproject.cosign/signature"), ann.toString());
        // sigstore-js verifies the layer's Sigstore bundle over the layer's payload.
        Path payload = dir.resolve("payload.json");
        try (var in = client.blob(Repository.of(registry.host(), "app/keyless"), dev.distill.oci.Digest.parse(
                sig.layers().get(0).digest()))) {
            Files.write(payload, in.readAllBytes());
        }
        Path layerBundle = Files.writeString(dir.resolve("layer.sigstore.json"),
                ann.get("dev.distill/sigstore-bundle"));
        StringBuilder js = new StringBuilder();
        assertEquals(0, stack.jsVerify(layerBundle, payload, js), "sigstore-js: " + js);

        MainTest.Result ok = MainTest.run(keyless("verify", image, "--certificate-identity", stack.identity(),
                "--certificate-oidc-issuer", stack.issuer()));
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("annotations: {build=42}"), ok.out());

        MainTest.Result other = MainTest.run(keyless("verify", image, "--certificate-identity",
                stack.identity().replace("/app/", "/app-evil/"), "--certificate-oidc-issuer", stack.issuer(),
                "-o", "json"));
        assertEquals(1, other.code(), other.err());
        assertTrue(other.out().contains("signed by someone else"), other.out());

        // A key signature next to the keyless one: verifying by identity skips it with its reason.
        Map<String, String> pw = Map.of("DISTILL_PASSWORD", "pw");
        String k = dir.resolve("k").toString();
        assertEquals(0, SbomCommandTest.run(pw, "key", "generate", "--output-key-prefix", k).code());
        assertEquals(0, SbomCommandTest.run(pw, "sign", image, "--key", k + ".key").code());
        MainTest.Result json = MainTest.run(keyless("verify", image, "--certificate-identity", stack.identity(),
                "--certificate-oidc-issuer", stack.issuer(), "-o", "json"));
        assertEquals(0, json.code(), json.err());
        assertTrue(json.out().contains("it was made with a key: verify with --key"), json.out());
        assertEquals(0, MainTest.run("verify", image, "--key", k + ".pub").code(), "and the key still verifies");
    }
}
