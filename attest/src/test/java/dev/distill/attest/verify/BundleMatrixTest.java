package dev.distill.attest.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.attest.VerificationException;
import dev.distill.attest.keyless.Identity;
import dev.distill.attest.keyless.SigstoreInstance;
import dev.distill.attest.keyless.SigstoreStack;
import dev.distill.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bundle kind current Sigstore clients write verifies with the {@link Verifier}, offline against the local
 * stack's trusted root, each signed by sigstore-js (fixtures/sigstore-stack/js-sign.js): message signatures and
 * DSSE envelopes logged in Rekor v1 (hashedrekord, dsse, intoto as cosign wrote them) and in Rekor v2
 * (hashedrekord, dsse, and a DSSE envelope logged as the hashedrekord of its PAE, as cosign v3 does), keyless and
 * with a key. Each defect is refused for its own reason.
 */
@Timeout(300)
class BundleMatrixTest {
    @RegisterExtension
    static SigstoreStack stack = new SigstoreStack();

    @TempDir
    static Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static byte[] blob;
    private static byte[] digest;
    private static Path blobFile;
    private static Path statementFile;
    private static KeyPair key;
    private static Path keyFile;

    @BeforeAll
    static void artifacts() throws Exception {
        blob = "the artifact of the bundle matrix\n".getBytes(StandardCharsets.UTF_8);
        digest = Digest.newSha256().digest(blob);
        blobFile = Files.write(tmp.resolve("artifact.txt"), blob);
        statementFile = Files.writeString(tmp.resolve("statement.json"), "{\"_type\":\"https://in-toto.io/Statement/v1\","
                + "\"subject\":[{\"name\":\"artifact\",\"digest\":{\"sha256\":\"" + HexFormat.of().formatHex(digest)
                + "\"}}],\"predicateType\":\"https://slsa.dev/provenance/v1\",\"predicate\":{}}");
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        key = g.generateKeyPair();
        keyFile = Files.writeString(tmp.resolve("signing.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(
                key.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    }

    private static SigstoreInstance root() throws Exception {
        return SigstoreInstance.of(stack.trustedRoot(), null);
    }

    private static Verifier keyless() throws Exception {
        return Verifier.builder().identity(new Identity(stack.identity(), null, stack.issuer(), null, Map.of()))
                .trustedRoot(root()).build();
    }

    /** Signs with sigstore-js; with {@code withKey}, under the test's key instead of a Fulcio certificate. */
    private static String sign(String mode, boolean withKey) throws Exception {
        return stack.jsSign(mode.startsWith("attest") ? statementFile : blobFile, mode, withKey ? keyFile : null);
    }

    private static Verifier.Artifact artifact(String mode) {
        return mode.startsWith("attest") ? Verifier.Artifact.ofDigest(digest) : new Verifier.Artifact(digest, blob);
    }

    @TestFactory
    List<DynamicTest> everyKeylessBundleKindVerifies() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String mode : List.of("sign", "attest", "attest-intoto", "sign-v2", "attest-v2", "attest-v2-hashed")) {
            tests.add(DynamicTest.dynamicTest(mode, () -> {
                String bundle = sign(mode, false);
                var kind = JSON.readTree(bundle).at("/verificationMaterial/tlogEntries/0/kindVersion");
                var verified = keyless().verify(bundle, artifact(mode));
                assertEquals(stack.identity(), verified.identity(), kind.toString());
                assertTrue(verified.logChecked());
                assertEquals(mode.contains("v2"), verified.integratedTime() == null, "Rekor v2: the TSA's time");
                assertFalse(verified.times().isEmpty());
                assertEquals(mode.startsWith("attest"), verified.payload() != null);
                // A byte of the logged body changed: the entry is about something else (or not in the log).
                ObjectNode b = (ObjectNode) JSON.readTree(bundle);
                ObjectNode entry = (ObjectNode) b.at("/verificationMaterial/tlogEntries/0");
                byte[] body = Base64.getDecoder().decode(entry.path("canonicalizedBody").asText());
                String text = new String(body, StandardCharsets.UTF_8);
                String sig = JSON.readTree(text).at(mode.contains("v2") ? (mode.equals("attest-v2")
                        ? "/spec/dsseV002/signatures/0/content" : "/spec/hashedRekordV002/signature/content")
                        : mode.equals("attest-intoto") ? "/spec/content/payloadHash/value" : mode.equals("attest")
                        ? "/spec/payloadHash/value" : "/spec/data/hash/value").asText();
                String other = sig.substring(0, 8) + (sig.charAt(8) == 'A' ? 'B' : 'A') + sig.substring(9);
                entry.put("canonicalizedBody", Base64.getEncoder().encodeToString(text.replace(sig, other)
                        .getBytes(StandardCharsets.UTF_8)));
                VerificationException e = assertThrows(VerificationException.class, () -> keyless().verify(
                        b.toString(), artifact(mode)));
                assertTrue(e.getMessage().contains("does not match the bundle's") || e.getMessage().contains("not "
                        + "base64") || e.getMessage().contains("not hex"), e.getMessage());
            }));
        }
        return tests;
    }

    @Test
    void aKeySignedBundleVerifiesWithItsLogEntriesCheckedOnlyWhenATrustedRootIsGiven() throws Exception {
        for (String mode : List.of("sign", "attest-v2")) {
            String bundle = sign(mode, true);
            var alone = Verifier.builder().publicKey(key.getPublic()).build().verify(bundle, artifact(mode));
            assertFalse(alone.logChecked(), "a key alone reads no log entry");
            var withRoot = Verifier.builder().publicKey(key.getPublic()).trustedRoot(root()).build().verify(bundle,
                    artifact(mode));
            assertTrue(withRoot.logChecked() && withRoot.logIndexes().size() == 1, mode);
            assertFalse(withRoot.times().isEmpty(), mode);

            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            VerificationException wrong = assertThrows(VerificationException.class, () -> Verifier.builder()
                    .publicKey(g.generateKeyPair().getPublic()).build().verify(bundle, artifact(mode)));
            assertTrue(wrong.getMessage().contains("does not verify with the given key"), wrong.getMessage());

            // The hint is not authenticated: another hint changes nothing.
            ObjectNode hinted = (ObjectNode) JSON.readTree(bundle);
            ((ObjectNode) hinted.at("/verificationMaterial/publicKey")).put("hint", "not-cosign's-format");
            assertTrue(Verifier.builder().publicKey(key.getPublic()).trustedRoot(root()).build().verify(
                    hinted.toString(), artifact(mode)).logChecked());
        }
        ObjectNode tampered = (ObjectNode) JSON.readTree(sign("sign", true));
        ObjectNode promise = (ObjectNode) tampered.at("/verificationMaterial/tlogEntries/0/inclusionPromise");
        String set = promise.path("signedEntryTimestamp").asText();
        byte[] raw = Base64.getDecoder().decode(set);
        raw[raw.length / 2] ^= 1;
        promise.put("signedEntryTimestamp", Base64.getEncoder().encodeToString(raw));
        VerificationException e = assertThrows(VerificationException.class, () -> Verifier.builder()
                .publicKey(key.getPublic()).trustedRoot(root()).build().verify(tampered.toString(), artifact("sign")));
        assertTrue(e.getMessage().contains("SET was not valid"), e.getMessage());
    }

    @Test
    void aTimestampFromAnUntrustedAuthorityIsRefused() throws Exception {
        String bundle = sign("attest-v2", false);
        ObjectNode rootJson = (ObjectNode) JSON.readTree(stack.trustedRoot().toFile());
        var tsaCerts = (com.fasterxml.jackson.databind.node.ArrayNode) rootJson.at(
                "/timestampAuthorities/0/certChain/certificates");
        ((ObjectNode) tsaCerts.get(0)).put("rawBytes", rootJson.at(
                "/certificateAuthorities/0/certChain/certificates/0/rawBytes").asText());
        Path untrusted = Files.writeString(tmp.resolve("untrusted-tsa.json"), rootJson.toString());
        VerificationException e = assertThrows(VerificationException.class, () -> Verifier.builder()
                .identity(new Identity(stack.identity(), null, stack.issuer(), null, Map.of()))
                .trustedRoot(SigstoreInstance.of(untrusted, null)).build().verify(bundle, artifact("attest-v2")));
        assertTrue(e.getMessage().contains("not signed by a timestamp authority of the trusted root"), e.getMessage());
    }

    @Test
    void aBundleTheVerifierCannotUseIsRefusedWithItsKind() throws Exception {
        String keyless = sign("sign", false);
        VerificationException e = assertThrows(VerificationException.class, () -> Verifier.builder()
                .publicKey(key.getPublic()).build().verify(keyless, artifact("sign")));
        assertTrue(e.getMessage().contains("signed keyless"), e.getMessage());
        String keyed = sign("sign", true);
        e = assertThrows(VerificationException.class, () -> keyless().verify(keyed, artifact("sign")));
        assertTrue(e.getMessage().contains("signed with a key"), e.getMessage());
    }
}
