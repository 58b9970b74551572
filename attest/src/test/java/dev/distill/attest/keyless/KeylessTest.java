package dev.distill.attest.keyless;

import static dev.distill.attest.keyless.ForgedBundles.addDummyEntry;
import static dev.distill.attest.keyless.ForgedBundles.entry0;
import static dev.distill.attest.keyless.ForgedBundles.insideValidity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.attest.VerificationException;
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
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
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

        var verified = Verify.keyless(bundle, Digest.newSha256().digest(blob), exact(), instance());
        assertEquals(stack.identity(), verified.identity());
        assertEquals(stack.issuer(), verified.issuer());
        assertTrue(verified.logIndexes().get(0) >= 5, "logged after the stack's filler entries");

        Path b = Files.writeString(tmp.resolve("b.sigstore.json"), bundle);
        Path art = Files.write(tmp.resolve("art.json"), blob);
        StringBuilder out = new StringBuilder();
        assertEquals(0, stack.jsVerify(b, art, out), "sigstore-js verifies distill's keyless bundle: " + out);

        Path other = Files.writeString(tmp.resolve("other.json"), "{}\n");
        out.setLength(0);
        assertNotEquals(0, SigstoreStack.node(List.of(script("js-verify.js"), stack.trustedRoot().toString(),
                b.toString(), other.toString()), out), "sigstore-js refuses another artifact");
        VerificationException e = assertThrows(VerificationException.class, () -> Verify.keyless(
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
        var verified = Verify.keyless(Files.readString(b), Digest.newSha256().digest(blob), exact(),
                instance());
        assertEquals(stack.identity(), verified.identity());
    }

    @Test
    void readsAndVerifiesAnAttestationSigstoreJsSignsAgainstTheStack() throws Exception {
        byte[] subject = "the attested artifact".getBytes(StandardCharsets.UTF_8);
        String hex = java.util.HexFormat.of().formatHex(Digest.newSha256().digest(subject));
        Path statement = Files.writeString(tmp.resolve("statement.json"), "{\"_type\":\"https://in-toto.io/Statement/v1\","
                + "\"subject\":[{\"name\":\"artifact\",\"digest\":{\"sha256\":\"" + hex + "\"}}],"
                + "\"predicateType\":\"https://slsa.dev/provenance/v1\",\"predicate\":{}}");
        Path b = tmp.resolve("js.intoto.sigstore.json");
        StringBuilder out = new StringBuilder();
        assertEquals(0, SigstoreStack.node(List.of(script("js-sign.js"), stack.dir().toString(),
                statement.toString(), b.toString(), "attest"), out), "sigstore-js attests: " + out);
        String bundle = Files.readString(b);
        assertTrue(bundle.contains("dsseEnvelope"), bundle);
        var verified = Verify.keyless(bundle, Digest.newSha256().digest(subject), exact(), instance());
        assertEquals(stack.identity(), verified.identity());
        assertRefused(bundle, Digest.newSha256().digest(new byte[3]), exact(), instance(), "does not match");
    }

    @Test
    void identityAndIssuerMustMatchWholeValues() throws Exception {
        byte[] blob = "identity\n".getBytes(StandardCharsets.UTF_8);
        String bundle = signBlob(blob);
        byte[] digest = Digest.newSha256().digest(blob);
        String id = stack.identity();
        // A prefix of the identity as a regexp must not match (anchored), nor another repository.
        String prefix = "https://github\\.com/distill-test/app";
        VerificationException e = assertThrows(VerificationException.class, () -> Verify.keyless(bundle,
                digest, new Identity(null, prefix, stack.issuer(), null, Map.of()), instance()));
        assertTrue(e.getMessage().contains("signed by someone else: identity '" + id + "'"), e.getMessage());
        assertThrows(VerificationException.class, () -> Verify.keyless(bundle, digest,
                new Identity(id.replace("/app/", "/app-evil/"), null, stack.issuer(), null, Map.of()), instance()));
        e = assertThrows(VerificationException.class, () -> Verify.keyless(bundle, digest,
                new Identity(id, null, "https://token.actions.githubusercontent.com", null, Map.of()), instance()));
        assertTrue(e.getMessage().contains("OIDC issuer 'https://oidc.distill.test'"), e.getMessage());
        e = assertThrows(VerificationException.class, () -> Verify.keyless(bundle, digest,
                new Identity(id, null, stack.issuer(), null, Map.of("repository", "distill-test/app")), instance()));
        assertTrue(e.getMessage().contains("GitHub workflow repository '(none)'"), e.getMessage());
        var ok = Verify.keyless(bundle, digest,
                new Identity(null, prefix + "/\\.github/workflows/.*", null, "https://oidc\\.distill\\.test",
                        Map.of()), instance());
        assertEquals(id, ok.identity());
    }

    /** Signs with the stack's log clock moved by {@code seconds}: a log with a bad clock. */
    private String signWithLogSkew(byte[] blob, int seconds) throws Exception {
        String rekor = JSON.readTree(stack.dir().resolve("stack.json").toFile()).path("rekor").asText();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        http.send(HttpRequest.newBuilder(URI.create(rekor + "/admin/skew?seconds=" + seconds))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        try {
            return signBlob(blob);
        } finally {
            http.send(HttpRequest.newBuilder(URI.create(rekor + "/admin/skew?seconds=0"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        }
    }

    /** One bundle with one defect, and the reason it must be refused for. */
    private record Defect(String name, String bundle, byte[] digest, Identity who, SigstoreInstance instance,
                          String reason) {
    }

    /**
     * The negative corpus: each case is named after its defect, made from a bundle the stack really issued, and
     * must be refused for its own reason, not just refused.
     */
    @TestFactory
    List<DynamicTest> refusesEachDefectForItsOwnReason() throws Exception {
        byte[] blob = "negative corpus\n".getBytes(StandardCharsets.UTF_8);
        byte[] digest = Digest.newSha256().digest(blob);
        String good = signBlob(blob);
        SigstoreInstance inst = instance();
        Identity who = exact();
        List<Defect> corpus = new java.util.ArrayList<>();

        ObjectNode b = (ObjectNode) JSON.readTree(good);
        ((ObjectNode) b.path("messageSignature")).put("signature",
                flip(b.path("messageSignature").path("signature").asText()));
        corpus.add(new Defect("tampered-signature", b.toString(), digest, who, inst, "signature was not valid"));

        corpus.add(new Defect("signature-over-another-digest", good, Digest.newSha256().digest(new byte[1]), who,
                inst, "does not match"));

        b = (ObjectNode) JSON.readTree(good);
        b.put("mediaType", "application/vnd.dev.sigstore.bundle.v9+json");
        corpus.add(new Defect("unknown-bundle-media-type", b.toString(), digest, who, inst,
                "unsupported bundle media type"));

        corpus.add(new Defect("malformed-json", good.substring(0, good.length() / 2), digest, who, inst,
                "not valid JSON"));

        b = (ObjectNode) JSON.readTree(good);
        ((ObjectNode) b.path("messageSignature")).put("signature", "%%%not base64%%%");
        corpus.add(new Defect("malformed-base64", b.toString(), digest, who, inst, "signature is not base64"));

        corpus.add(new Defect("identity-mismatch", good, digest, new Identity(stack.identity().replace("/app/",
                "/app-evil/"), null, stack.issuer(), null, Map.of()), inst, "signed by someone else: identity"));
        corpus.add(new Defect("identity-regexp-matching-only-a-prefix", good, digest, new Identity(null,
                "https://github\\.com/distill-test/app", stack.issuer(), null, Map.of()), inst,
                "(whole value)"));
        corpus.add(new Defect("issuer-mismatch", good, digest, new Identity(stack.identity(), null,
                "https://token.actions.githubusercontent.com", null, Map.of()), inst, "OIDC issuer"));

        ObjectNode root = (ObjectNode) JSON.readTree(stack.trustedRoot().toFile());
        ((ObjectNode) root.path("certificateAuthorities").get(0).path("certChain").path("certificates").get(0))
                .put("rawBytes", root.path("timestampAuthorities").get(0).path("certChain").path("certificates")
                        .get(1).path("rawBytes").asText());
        corpus.add(new Defect("certificate-from-an-untrusted-ca", good, digest, who, SigstoreInstance.of(
                Files.writeString(tmp.resolve("untrusted-ca.json"), root.toString()), null),
                "not verifiable against CAs"));

        // The log's key in the trusted root replaced by another key under the same log id.
        root = (ObjectNode) JSON.readTree(stack.trustedRoot().toFile());
        ((ObjectNode) root.path("tlogs").get(0).path("publicKey")).put("rawBytes",
                root.path("ctlogs").get(0).path("publicKey").path("rawBytes").asText());
        corpus.add(new Defect("set-signed-by-an-unknown-log-key", good, digest, who, SigstoreInstance.of(
                Files.writeString(tmp.resolve("unknown-log-key.json"), root.toString()), null),
                "SET was not valid"));

        b = (ObjectNode) JSON.readTree(good);
        ObjectNode entry = (ObjectNode) b.path("verificationMaterial").path("tlogEntries").get(0);
        ((ObjectNode) entry.path("inclusionPromise")).put("signedEntryTimestamp",
                flip(entry.path("inclusionPromise").path("signedEntryTimestamp").asText()));
        corpus.add(new Defect("tampered-signed-entry-timestamp", b.toString(), digest, who, inst,
                "SET was not valid"));

        b = (ObjectNode) JSON.readTree(good);
        var hashes = (com.fasterxml.jackson.databind.node.ArrayNode) b.path("verificationMaterial")
                .path("tlogEntries").get(0).path("inclusionProof").path("hashes");
        assertTrue(hashes.size() > 0, "the stack proves against a tree larger than one leaf");
        hashes.set(0, JSON.getNodeFactory().textNode(flip(hashes.get(0).asText())));
        corpus.add(new Defect("inclusion-proof-not-reaching-the-checkpoint", b.toString(), digest, who, inst,
                "nclusion proof"));

        b = (ObjectNode) JSON.readTree(good);
        ObjectNode cp = (ObjectNode) b.path("verificationMaterial").path("tlogEntries").get(0)
                .path("inclusionProof").path("checkpoint");
        String envelope = cp.path("envelope").asText();
        int sigAt = envelope.lastIndexOf(' ') + 1;
        cp.put("envelope", envelope.substring(0, sigAt) + flip(envelope.substring(sigAt).trim()) + "\n");
        corpus.add(new Defect("checkpoint-with-a-bad-signature", b.toString(), digest, who, inst, "heckpoint"));

        byte[] future = "from a log whose clock runs ahead\n".getBytes(StandardCharsets.UTF_8);
        corpus.add(new Defect("integrated-time-in-the-future", signWithLogSkew(future, 300),
                Digest.newSha256().digest(future), who, inst, "is in the future"));

        // A certificate valid for 10 minutes, logged an hour before it existed: no logged time inside its
        // validity, so nothing shows it was valid when it signed.
        byte[] past = "certificate with no time inside its validity\n".getBytes(StandardCharsets.UTF_8);
        corpus.add(new Defect("certificate-without-a-logged-time-inside-its-validity", signWithLogSkew(past, -3600),
                Digest.newSha256().digest(past), who, inst, "outside the certificate's validity"));

        List<DynamicTest> tests = new java.util.ArrayList<>();
        for (Defect d : corpus) {
            tests.add(DynamicTest.dynamicTest(d.name(), () -> assertRefused(d.bundle(), d.digest(), d.who(),
                    d.instance(), d.reason())));
        }
        tests.add(DynamicTest.dynamicTest("trusted-root-log-without-a-validity-start", () -> {
            ObjectNode lax = (ObjectNode) JSON.readTree(stack.trustedRoot().toFile());
            ((ObjectNode) lax.path("tlogs").get(0).path("publicKey")).remove("validFor");
            Path file = Files.writeString(tmp.resolve("no-start.json"), lax.toString());
            KeylessException k = assertThrows(KeylessException.class, () -> Verify.keyless(good, digest,
                    who, SigstoreInstance.of(file, null)));
            assertTrue(k.getMessage().contains("has no validFor.start"), k.getMessage());
        }));
        tests.add(DynamicTest.dynamicTest("the-same-signature-as-a-v0.1-bundle-verifies", () -> {
            ObjectNode v01 = (ObjectNode) JSON.readTree(good);
            v01.put("mediaType", "application/vnd.dev.sigstore.bundle+json;version=0.1");
            ObjectNode material = (ObjectNode) v01.path("verificationMaterial");
            material.putObject("x509CertificateChain").putArray("certificates").add(material.remove("certificate"));
            assertEquals(stack.identity(), Verify.keyless(v01.toString(), digest, who, inst).identity());
        }));
        tests.add(DynamicTest.dynamicTest("the-same-signature-under-v0.3's-older-media-type-verifies", () -> {
            ObjectNode v03 = (ObjectNode) JSON.readTree(good);
            v03.put("mediaType", "application/vnd.dev.sigstore.bundle+json;version=0.3");
            assertEquals(stack.identity(), Verify.keyless(v03.toString(), digest, who, inst).identity());
        }));
        tests.add(DynamicTest.dynamicTest("the-unaltered-bundle-verifies", () ->
                assertEquals(stack.identity(), Verify.keyless(good, digest, who, inst).identity())));
        return tests;
    }

    /**
     * Security finding 1: an expired Fulcio certificate must not pass through a time nobody vouched for. Each
     * bundle is signed by sigstore-js under a certificate that had expired when it signed (the log and the TSA
     * keep the true time), then edited as an attacker would; each must be refused for its own reason.
     */
    @TestFactory
    List<DynamicTest> refusesAnExpiredCertificateHiddenBehindAnUnauthenticatedTime() throws Exception {
        byte[] blob = "signed after the certificate expired\n".getBytes(StandardCharsets.UTF_8);
        byte[] digest = Digest.newSha256().digest(blob);
        Path art = Files.write(tmp.resolve("expired.txt"), blob);
        String signed = stack.jsSignExpired(art, "sign");
        long inside = insideValidity(signed);
        SigstoreInstance inst = instance();
        Identity who = exact();
        List<Defect> corpus = new java.util.ArrayList<>();
        corpus.add(new Defect("expired-certificate-with-its-true-log-time", signed, digest, who, inst,
                "outside the certificate's validity"));

        ObjectNode b = (ObjectNode) JSON.readTree(signed);
        entry0(b).remove("inclusionPromise");
        entry0(b).put("integratedTime", String.valueOf(inside));
        corpus.add(new Defect("expired-certificate-set-removed-and-time-forged", b.toString(), digest, who, inst,
                "no trusted time"));
        addDummyEntry(b, 0);
        corpus.add(new Defect("expired-certificate-set-removed-time-forged-and-a-dummy-entry", b.toString(), digest,
                who, inst, "carries 2 transparency-log entries"));

        b = (ObjectNode) JSON.readTree(signed);
        entry0(b).set("integrated_time", entry0(b).remove("integratedTime"));
        corpus.add(new Defect("expired-certificate-time-under-its-protobuf-alias", b.toString(), digest, who, inst,
                "outside the certificate's validity"));
        addDummyEntry(b, inside);
        corpus.add(new Defect("expired-certificate-time-under-its-protobuf-alias-and-a-dummy-entry", b.toString(),
                digest, who, inst, "carries 2 transparency-log entries"));

        b = (ObjectNode) JSON.readTree(signed);
        entry0(b).put("integrated_time", String.valueOf(inside));
        corpus.add(new Defect("integrated-time-under-both-of-its-names", b.toString(), digest, who, inst,
                "under two names"));

        String text = signed.replaceFirst("\"integratedTime\"\\s*:", "\"integratedTime\": \"" + inside
                + "\", \"integratedTime\":");
        corpus.add(new Defect("integrated-time-given-twice", text, digest, who, inst, "duplicate key"));

        byte[] subject = Digest.newSha256().digest("an image attested too late".getBytes(StandardCharsets.UTF_8));
        Path statement = Files.writeString(tmp.resolve("expired-statement.json"), "{\"_type\":\"https://in-toto.io/"
                + "Statement/v1\",\"subject\":[{\"name\":\"app\",\"digest\":{\"sha256\":\""
                + java.util.HexFormat.of().formatHex(subject) + "\"}}],\"predicateType\":\"https://slsa.dev/"
                + "provenance/v1\",\"predicate\":{}}");
        String attested = stack.jsSignExpired(statement, "attest-v2");
        corpus.add(new Defect("expired-certificate-rekor-v2-with-its-true-timestamp", attested, subject, who, inst,
                "timestamp"));
        b = (ObjectNode) JSON.readTree(attested);
        ((ObjectNode) b.path("verificationMaterial")).remove("timestampVerificationData");
        corpus.add(new Defect("expired-certificate-rekor-v2-timestamp-removed", b.toString(), subject, who, inst,
                "no trusted time"));
        addDummyEntry(b, insideValidity(attested));
        corpus.add(new Defect("expired-certificate-rekor-v2-timestamp-removed-and-a-dummy-entry", b.toString(),
                subject, who, inst, "carries 2 transparency-log entries"));

        List<DynamicTest> tests = new java.util.ArrayList<>();
        for (Defect d : corpus) {
            tests.add(DynamicTest.dynamicTest(d.name(), () -> assertRefused(d.bundle(), d.digest(), d.who(),
                    d.instance(), d.reason())));
        }
        return tests;
    }

    /** A copy of the stack's trusted root whose log {@code index} has a key that expired a second after it began. */
    private SigstoreInstance withExpiredLogKey(int index) throws Exception {
        ObjectNode root = (ObjectNode) JSON.readTree(stack.trustedRoot().toFile());
        ObjectNode validFor = (ObjectNode) root.path("tlogs").get(index).path("publicKey").path("validFor");
        validFor.put("end", java.time.Instant.parse(validFor.path("start").asText()).plusSeconds(1).toString());
        return SigstoreInstance.of(Files.writeString(tmp.resolve("expired-log-key-" + index + ".json"),
                root.toString()), null);
    }

    /** Security finding 2: a log key whose validity ended before the entry's time vouches for nothing. */
    @Test
    void refusesEntriesOfALogWhoseKeyHadExpired() throws Exception {
        byte[] blob = "logged by a retired log key\n".getBytes(StandardCharsets.UTF_8);
        assertRefused(signBlob(blob), Digest.newSha256().digest(blob), exact(), withExpiredLogKey(0),
                "is not valid at");

        byte[] image = Digest.newSha256().digest("rekor v2 with a retired key".getBytes(StandardCharsets.UTF_8));
        String statement = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"app\","
                + "\"digest\":{\"sha256\":\"" + java.util.HexFormat.of().formatHex(image) + "\"}}],"
                + "\"predicateType\":\"https://slsa.dev/provenance/v1\",\"predicate\":{}}";
        String bundle;
        try (KeylessSigning signing = KeylessSigning.open(instance(), IdentityTokens.resolve(stack.token(), Map.of()),
                true)) {
            bundle = signing.attest(statement.getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(stack.identity(), Verify.keyless(bundle, image, exact(), instance()).identity());
        assertRefused(bundle, image, exact(), withExpiredLogKey(1), "is not valid at");
    }

    /**
     * A statement larger than the log takes whole (the local Rekor v2 refuses request bodies over 4 MiB, as public
     * logs refuse large entries) is logged as the digest of its envelope's pre-authentication encoding: a Rekor v2
     * hashedrekord, which the Verifier checks against the envelope. Before, attesting it failed at the log.
     */
    @Test
    void aLargeStatementIsLoggedAsTheDigestOfItsEnvelope() throws Exception {
        byte[] image = Digest.newSha256().digest("a large sbom".getBytes(StandardCharsets.UTF_8));
        String hex = java.util.HexFormat.of().formatHex(image);
        String statement = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"127.0.0.1/app\","
                + "\"digest\":{\"sha256\":\"" + hex + "\"}}],\"predicateType\":\"https://spdx.dev/Document\","
                + "\"predicate\":{\"spdxVersion\":\"SPDX-2.3\",\"comment\":\"" + "x".repeat(5 << 20) + "\"}}";
        String bundle;
        try (dev.distill.attest.sign.Signer signer = dev.distill.attest.sign.Signer.builder().keyless(instance(),
                IdentityTokens.resolve(stack.token(), Map.of())).build()) {
            bundle = new String(signer.signStatement(statement.getBytes(StandardCharsets.UTF_8)),
                    StandardCharsets.UTF_8);
        }
        var entry = JSON.readTree(bundle).path("verificationMaterial").path("tlogEntries").get(0);
        assertEquals("hashedrekord", entry.path("kindVersion").path("kind").asText());
        assertEquals("0.0.2", entry.path("kindVersion").path("version").asText());
        var verified = Verify.keyless(bundle, image, exact(), instance());
        assertEquals(stack.identity(), verified.identity());
        assertEquals(statement, new String(verified.payload(), StandardCharsets.UTF_8));
        // Another statement under the same signature and log entry is refused.
        ObjectNode tampered = (ObjectNode) JSON.readTree(bundle);
        ((ObjectNode) tampered.path("dsseEnvelope")).put("payload", statement.replace("xxxx", "xxxy")
                .getBytes(StandardCharsets.UTF_8));
        assertThrows(VerificationException.class, () -> Verify.keyless(tampered.toString(), image, exact(),
                instance()));

        // sigstore-js: @sigstore/verify 4.1.3 checks a hashedrekord against the digest of the envelope's PAE and
        // verifies the bundle, and refuses the tampered one; 3.1.1 compares it with the payload's digest instead.
        Path b = Files.writeString(tmp.resolve("large.sigstore.json"), bundle);
        Path t = Files.writeString(tmp.resolve("tampered.sigstore.json"), tampered.toString());
        StringBuilder out = new StringBuilder();
        assertEquals(0, stack.jsVerify(b, b, out, SigstoreStack.SIGSTORE_VERIFY_4), "sigstore-js 4: " + out);
        out.setLength(0);
        assertNotEquals(0, stack.jsVerify(t, t, out, SigstoreStack.SIGSTORE_VERIFY_4), "sigstore-js 4: " + out);
        assertTrue(out.toString().contains("TLOG_BODY_ERROR"), out.toString());
        out.setLength(0);
        assertNotEquals(0, stack.jsVerify(b, b, out), "sigstore-js 3.1.1: " + out);
        assertTrue(out.toString().contains("digest mismatch"), out.toString());
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

        var verified = Verify.keyless(bundle, image, exact(), instance());
        assertEquals(stack.identity(), verified.identity());
        assertEquals(null, verified.integratedTime(), "Rekor v2: the time is the TSA's");
        assertRefused(bundle, Digest.newSha256().digest(new byte[1]), exact(), instance(), "does not match");

        Path b = Files.writeString(tmp.resolve("att.sigstore.json"), bundle);
        StringBuilder out = new StringBuilder();
        assertEquals(0, stack.jsVerify(b, b, out), "sigstore-js: " + out);

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
        assertRefused(untimed.toString(), image, exact(), instance(), "timestamp");
    }

    /**
     * sigstore-java 2.0.0 puts the payload's length in UTF-16 characters into the DSSE pre-authentication encoding;
     * a statement with other than ASCII (an SBOM naming a copyright holder "Müller", a package "café") was signed
     * over the wrong bytes, and neither sigstore-js nor distill could verify it. Statements are signed as ASCII JSON.
     */
    @Test
    void attestsAStatementWithCharactersBeyondAsciiThatSigstoreJsVerifies() throws Exception {
        byte[] image = Digest.newSha256().digest("non-ascii".getBytes(StandardCharsets.UTF_8));
        String statement = "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"app\","
                + "\"digest\":{\"sha256\":\"" + java.util.HexFormat.of().formatHex(image) + "\"}}],\"predicateType\":"
                + "\"https://spdx.dev/Document\",\"predicate\":{\"name\":\"caf\u00e9 \u00a9 M\u00fcller \ud83d\udce6\"}}";
        String bundle;
        try (KeylessSigning signing = KeylessSigning.open(instance(), IdentityTokens.resolve(stack.token(), Map.of()),
                true)) {
            bundle = signing.attest(statement.getBytes(StandardCharsets.UTF_8));
        }
        var verified = Verify.keyless(bundle, image, exact(), instance());
        assertEquals("caf\u00e9 \u00a9 M\u00fcller \ud83d\udce6", JSON.readTree(verified.payload()).path("predicate")
                .path("name").asText(), "the same JSON value");
        Path b = Files.writeString(tmp.resolve("non-ascii.sigstore.json"), bundle);
        StringBuilder out = new StringBuilder();
        assertEquals(0, stack.jsVerify(b, b, out), "sigstore-js: " + out);
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
                () -> Verify.keyless(bundle, digest, who, inst));
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
