package dev.distill.attest.keyless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.attest.bundle.VerificationException;
import dev.distill.oci.Digest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keyless signing and verification end to end against the local Sigstore stack (real Fulcio CA and CT log from
 * npm @sigstore/mock, a real Merkle-tree Rekor, over gRPC/TLS and HTTP on loopback), cross-checked with
 * sigstore-js in both directions.
 */
@Timeout(300)
class KeylessTest {
    @RegisterExtension
    static SigstoreStack stack = new SigstoreStack();

    @TempDir
    Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();

    private SigstoreInstance instance() throws Exception {
        return SigstoreInstance.of(stack.trustedRoot(), stack.signingConfig());
    }

    private Identity exact() throws Exception {
        return new Identity(stack.identity(), null, stack.issuer(), null, Map.of());
    }

    private String signBlob(byte[] blob) throws Exception {
        try (KeylessSigning signing = KeylessSigning.open(instance(),
                IdentityTokens.resolve(stack.token(), Map.of()), false)) {
            return signing.signDigest(Digest.newSha256().digest(blob));
        }
    }

    @Test
    void signsABlobThatWeAndSigstoreJsVerifyAndRefuseForAnotherBlob() throws Exception {
        byte[] blob = "{\"spdxVersion\":\"SPDX-2.3\"}\n".getBytes(StandardCharsets.UTF_8);
        String bundle = signBlob(blob);
        assertTrue(bundle.contains("application/vnd.dev.sigstore.bundle.v0.3+json"), bundle);

        var verified = KeylessVerification.verify(bundle, Digest.newSha256().digest(blob), exact(), instance());
        assertEquals(stack.identity(), verified.identity());
        assertEquals(stack.issuer(), verified.issuer());
        assertTrue(verified.logIndex() >= 5, "logged after the stack's filler entries");

        Path b = Files.writeString(tmp.resolve("b.sigstore.json"), bundle);
        Path art = Files.write(tmp.resolve("art.json"), blob);
        StringBuilder out = new StringBuilder();
        int code = SigstoreStack.node(List.of(script("js-verify.js"), stack.trustedRoot().toString(), b.toString(),
                art.toString(), stack.identity(), stack.issuer()), out);
        assertEquals(0, code, "sigstore-js verifies distill's keyless bundle: " + out);

        Path other = Files.writeString(tmp.resolve("other.json"), "{}\n");
        out.setLength(0);
        assertNotEquals(0, SigstoreStack.node(List.of(script("js-verify.js"), stack.trustedRoot().toString(),
                b.toString(), other.toString()), out), "sigstore-js refuses another artifact");
        VerificationException e = assertThrows(VerificationException.class, () -> KeylessVerification.verify(
                bundle, Digest.newSha256().digest("{}\n".getBytes(StandardCharsets.UTF_8)), exact(), instance()));
        assertTrue(e.getMessage().toLowerCase().contains("digest") || e.getMessage().contains("signature"),
                e.getMessage());
    }

    @Test
    void readsAndVerifiesWhatSigstoreJsSignsAgainstTheStack() throws Exception {
        byte[] blob = "signed by sigstore-js\n".getBytes(StandardCharsets.UTF_8);
        Path art = Files.write(tmp.resolve("js.txt"), blob);
        Path b = tmp.resolve("js.sigstore.json");
        StringBuilder out = new StringBuilder();
        assertEquals(0, SigstoreStack.node(List.of(script("js-sign.js"), stack.dir().toString(), art.toString(),
                b.toString()), out), "sigstore-js signs: " + out);
        var verified = KeylessVerification.verify(Files.readString(b), Digest.newSha256().digest(blob), exact(),
                instance());
        assertEquals(stack.identity(), verified.identity());
    }

    @Test
    void identityAndIssuerMustMatchWholeValues() throws Exception {
        byte[] blob = "identity\n".getBytes(StandardCharsets.UTF_8);
        String bundle = signBlob(blob);
        byte[] digest = Digest.newSha256().digest(blob);
        String id = stack.identity();
        // A prefix of the identity as a regexp must not match (anchored), nor another repository.
        String prefix = "https://github\\.com/distill-test/app";
        VerificationException e = assertThrows(VerificationException.class, () -> KeylessVerification.verify(bundle,
                digest, new Identity(null, prefix, stack.issuer(), null, Map.of()), instance()));
        assertTrue(e.getMessage().contains("signed by someone else: identity '" + id + "'"), e.getMessage());
        assertThrows(VerificationException.class, () -> KeylessVerification.verify(bundle, digest,
                new Identity(id.replace("/app/", "/app-evil/"), null, stack.issuer(), null, Map.of()), instance()));
        e = assertThrows(VerificationException.class, () -> KeylessVerification.verify(bundle, digest,
                new Identity(id, null, "https://token.actions.githubusercontent.com", null, Map.of()), instance()));
        assertTrue(e.getMessage().contains("OIDC issuer 'https://oidc.distill.test'"), e.getMessage());
        e = assertThrows(VerificationException.class, () -> KeylessVerification.verify(bundle, digest,
                new Identity(id, null, stack.issuer(), null, Map.of("repository", "distill-test/app")), instance()));
        assertTrue(e.getMessage().contains("GitHub workflow repository '(none)'"), e.getMessage());
        var ok = KeylessVerification.verify(bundle, digest,
                new Identity(null, prefix + "/\\.github/workflows/.*", null, "https://oidc\\.distill\\.test",
                        Map.of()), instance());
        assertEquals(id, ok.identity());
    }

    @Test
    void refusesTamperedBundlesEachForItsOwnReason() throws Exception {
        byte[] blob = "negative corpus\n".getBytes(StandardCharsets.UTF_8);
        byte[] digest = Digest.newSha256().digest(blob);
        String good = signBlob(blob);
        SigstoreInstance inst = instance();
        Identity who = exact();

        ObjectNode badSig = (ObjectNode) JSON.readTree(good);
        String sig = badSig.path("messageSignature").path("signature").asText();
        ((ObjectNode) badSig.path("messageSignature")).put("signature", flip(sig));
        assertRefused(badSig.toString(), digest, who, inst, "signature was not valid");

        ObjectNode badType = (ObjectNode) JSON.readTree(good);
        badType.put("mediaType", "application/vnd.dev.sigstore.bundle.v9+json");
        assertRefused(badType.toString(), digest, who, inst, "unsupported bundle media type");

        assertRefused("{\"mediaType\": ", digest, who, inst, "not valid JSON");

        ObjectNode badBase64 = (ObjectNode) JSON.readTree(good);
        ((ObjectNode) badBase64.path("messageSignature")).put("signature", "%%%not base64%%%");
        assertRefused(badBase64.toString(), digest, who, inst, "the bundle cannot be read");

        ObjectNode badSet = (ObjectNode) JSON.readTree(good);
        ObjectNode entry = (ObjectNode) badSet.path("verificationMaterial").path("tlogEntries").get(0);
        ((ObjectNode) entry.path("inclusionPromise")).put("signedEntryTimestamp",
                flip(entry.path("inclusionPromise").path("signedEntryTimestamp").asText()));
        assertRefused(badSet.toString(), digest, who, inst, "SET was not valid");

        // An inclusion proof that does not climb to the checkpoint's root (one sibling hash altered).
        ObjectNode badProof = (ObjectNode) JSON.readTree(good);
        ObjectNode proof = (ObjectNode) badProof.path("verificationMaterial").path("tlogEntries").get(0)
                .path("inclusionProof");
        var hashes = (com.fasterxml.jackson.databind.node.ArrayNode) proof.path("hashes");
        assertTrue(hashes.size() > 0, "the stack proves against a tree larger than one leaf");
        hashes.set(0, JSON.getNodeFactory().textNode(flip(hashes.get(0).asText())));
        assertRefused(badProof.toString(), digest, who, inst, "nclusion proof");

        // A checkpoint whose signature does not verify with the log's key.
        ObjectNode badCheckpoint = (ObjectNode) JSON.readTree(good);
        ObjectNode cp = (ObjectNode) badCheckpoint.path("verificationMaterial").path("tlogEntries").get(0)
                .path("inclusionProof").path("checkpoint");
        String envelope = cp.path("envelope").asText();
        int sigAt = envelope.lastIndexOf(' ') + 1;
        cp.put("envelope", envelope.substring(0, sigAt) + flip(envelope.substring(sigAt).trim()) + "\n");
        assertRefused(badCheckpoint.toString(), digest, who, inst, "heckpoint");

        // A trusted root whose log key has no validity start is refused before anything is checked.
        ObjectNode root = (ObjectNode) JSON.readTree(stack.trustedRoot().toFile());
        ((ObjectNode) root.path("tlogs").get(0).path("publicKey")).remove("validFor");
        Path lax = Files.writeString(tmp.resolve("trusted_root.no-start.json"), root.toString());
        KeylessException k = assertThrows(KeylessException.class, () -> KeylessVerification.verify(good, digest, who,
                SigstoreInstance.of(lax, null)));
        assertTrue(k.getMessage().contains("has no validFor.start"), k.getMessage());

        // The bundle must be verified against the instance that issued it: another CA is not trusted.
        ObjectNode otherCa = (ObjectNode) JSON.readTree(stack.trustedRoot().toFile());
        ((ObjectNode) otherCa.path("certificateAuthorities").get(0).path("certChain").path("certificates").get(0))
                .put("rawBytes", otherCa.path("timestampAuthorities").get(0).path("certChain").path("certificates")
                        .get(1).path("rawBytes").asText());
        Path untrusted = Files.writeString(tmp.resolve("trusted_root.other-ca.json"), otherCa.toString());
        assertRefused(good, digest, who, SigstoreInstance.of(untrusted, null), "not verifiable against CAs");
    }

    @Test
    void refusesAnIntegratedTimeInTheFuture() throws Exception {
        byte[] blob = "from a log with a fast clock\n".getBytes(StandardCharsets.UTF_8);
        String rekor = JSON.readTree(stack.dir().resolve("stack.json").toFile()).path("rekor").asText();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        http.send(HttpRequest.newBuilder(URI.create(rekor + "/admin/skew?seconds=300"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        String bundle;
        try {
            bundle = signBlob(blob);
        } finally {
            http.send(HttpRequest.newBuilder(URI.create(rekor + "/admin/skew?seconds=0"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        }
        assertRefused(bundle, Digest.newSha256().digest(blob), exact(), instance(), "is in the future");
    }

    @Test
    void attestsKeylessThroughRekorV2AndATimestampAuthority() throws Exception {
        byte[] image = Digest.newSha256().digest("an image manifest".getBytes(StandardCharsets.UTF_8));
        String hex = java.util.HexFormat.of().formatHex(image);
        String statement = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"127.0.0.1/app\","
                + "\"digest\":{\"sha256\":\"" + hex + "\"}}],\"predicateType\":\"https://spdx.dev/Document\","
                + "\"predicate\":{\"spdxVersion\":\"SPDX-2.3\"}}";
        String bundle;
        try (KeylessSigning signing = KeylessSigning.open(instance(), IdentityTokens.resolve(stack.token(), Map.of()),
                true)) {
            bundle = signing.attest(statement.getBytes(StandardCharsets.UTF_8));
        }
        var json = JSON.readTree(bundle);
        assertEquals("application/vnd.in-toto+json", json.path("dsseEnvelope").path("payloadType").asText());
        assertEquals("0.0.2", json.path("verificationMaterial").path("tlogEntries").get(0).path("kindVersion")
                .path("version").asText(), "logged in Rekor v2");
        assertEquals(1, json.path("verificationMaterial").path("timestampVerificationData")
                .path("rfc3161Timestamps").size(), "with a TSA timestamp");

        var verified = KeylessVerification.verify(bundle, image, exact(), instance());
        assertEquals(stack.identity(), verified.identity());
        assertEquals(null, verified.integratedTime(), "Rekor v2: the time is the TSA's");
        assertRefused(bundle, Digest.newSha256().digest(new byte[1]), exact(), instance(), "");

        Path b = Files.writeString(tmp.resolve("att.sigstore.json"), bundle);
        StringBuilder out = new StringBuilder();
        assertEquals(0, SigstoreStack.node(List.of(script("js-verify.js"), stack.trustedRoot().toString(),
                b.toString(), b.toString(), stack.identity(), stack.issuer()), out), "sigstore-js: " + out);

        // A DSSE envelope with a second signature (a bad one) is refused, whatever the first.
        ObjectNode two = (ObjectNode) JSON.readTree(bundle);
        var sigs = (com.fasterxml.jackson.databind.node.ArrayNode) two.path("dsseEnvelope").path("signatures");
        ObjectNode bad = sigs.get(0).deepCopy();
        bad.put("sig", flip(bad.path("sig").asText()));
        sigs.add(bad);
        assertRefused(two.toString(), image, exact(), instance(), "exactly one signature");

        // Without the timestamp, a Rekor v2 entry gives no trusted time.
        ObjectNode untimed = (ObjectNode) JSON.readTree(bundle);
        ((ObjectNode) untimed.path("verificationMaterial")).remove("timestampVerificationData");
        assertRefused(untimed.toString(), image, exact(), instance(), "");
    }

    @Test
    void tellsWhatToDoWithoutAnIdentityToken() {
        KeylessException e = assertThrows(KeylessException.class, () -> IdentityTokens.resolve(null, Map.of()));
        assertTrue(e.getMessage().contains("SIGSTORE_ID_TOKEN"), e.getMessage());
        e = assertThrows(KeylessException.class, () -> IdentityTokens.resolve(tmp.resolve("missing").toString(),
                Map.of()));
        assertTrue(e.getMessage().contains("neither a JWT nor a readable file"), e.getMessage());
    }

    private static void assertRefused(String bundle, byte[] digest, Identity who, SigstoreInstance inst,
            String reason) {
        VerificationException e = assertThrows(VerificationException.class,
                () -> KeylessVerification.verify(bundle, digest, who, inst));
        assertTrue(e.getMessage().contains(reason), "expected '" + reason + "' in: " + e.getMessage());
    }

    private static String flip(String base64) {
        byte[] b = java.util.Base64.getDecoder().decode(base64);
        b[b.length / 2] ^= 1;
        return java.util.Base64.getEncoder().encodeToString(b);
    }

    private static String script(String name) {
        return Path.of("../fixtures/sigstore-stack", name).toAbsolutePath().toString();
    }
}
