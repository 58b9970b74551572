package dev.distill.attest.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.attest.bundle.BundleJson;
import dev.distill.attest.VerificationException;
import dev.distill.oci.Digest;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import dev.sigstore.trustroot.TransparencyLog;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Checks one transparency-log entry of a bundle against the trusted root, by distill's own code: sigstore-java
 * 2.0.0 reads only some entry kinds (not Rekor v1 {@code intoto}, not a DSSE envelope logged as a Rekor v2
 * {@code hashedrekord}) and cannot check the entries of key-signed bundles at all. What holds after {@link #verify}:
 * the entry's body is about exactly this bundle (digest or payload hash, signature, and the signer where the body
 * names it); the signed entry timestamp (SET), when there is one, verifies with the key of the log the entry
 * names; the inclusion proof leads from the body to the root of a checkpoint that log signed.
 */
final class LogEntries {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LogEntries() {
    }

    /** A verified entry: its log, and its integrated time when the log signed it (a SET), else null. */
    record Checked(SigstoreBundle.LogEntry entry, TransparencyLog log, Instant signedTime) {
    }

    static Checked verify(SigstoreBundle.LogEntry e, SigstoreBundle bundle, BundleSigner signer, byte[] artifactDigest,
                          SigstoreTrustedRoot root) throws VerificationException {
        checkBody(e, bundle, signer, artifactDigest);
        TransparencyLog log = TransparencyLog.find(root.getTLogs(), e.logId()).orElseThrow(() ->
                new VerificationException("the log entry names a log the trusted root does not have (log id "
                        + HexFormat.of().formatHex(e.logId()) + ")"));
        PublicKey key = logKey(log);
        Instant signedTime = null;
        if (e.set() != null) {
            ObjectNode signed = JSON.createObjectNode();
            // Keys in the order RFC 8785 gives them.
            signed.put("body", Base64.getEncoder().encodeToString(e.body()));
            signed.put("integratedTime", e.integratedTime());
            signed.put("logID", HexFormat.of().formatHex(e.logId()));
            signed.put("logIndex", e.logIndex());
            if (!Signatures.verify(key, signed.toString().getBytes(StandardCharsets.UTF_8), e.set())) {
                throw new VerificationException("the log entry's SET was not valid: the log did not sign this entry");
            }
            signedTime = Instant.ofEpochSecond(e.integratedTime());
        }
        if (e.proof() == null) {
            throw new VerificationException("the log entry has no inclusion proof");
        }
        checkInclusion(e, log, key);
        return new Checked(e, log, signedTime);
    }

    /** The body the log holds must be about this bundle's signature and content. */
    private static void checkBody(SigstoreBundle.LogEntry e, SigstoreBundle bundle, BundleSigner signer,
                                  byte[] artifactDigest) throws VerificationException {
        JsonNode body = BundleJson.parse(new String(e.body(), StandardCharsets.UTF_8), "the log entry's body");
        String kind = body.path("kind").asText("");
        String version = body.path("apiVersion").asText("");
        if (!kind.equals(e.kind()) || !version.equals(e.version())) {
            throw new VerificationException("the log entry says it is " + e.kind() + " " + e.version()
                    + " but its body is " + kind + " " + version);
        }
        SigstoreBundle.Envelope dsse = bundle.dsse();
        byte[] signature = bundle.signature();
        JsonNode spec = body.path("spec");
        switch (kind + " " + version) {
            case "hashedrekord 0.0.1" -> {
                // A message signature's artifact digest; for a DSSE envelope, the digest of its PAE (the hashed
                // logging of cosign and sigstore-java 2.2, which keeps the log's size limit off the envelope).
                expectHash(spec.path("data").path("hash"), "sha256", dsse == null ? artifactDigest
                        : dsse.paeSha256(), "digest");
                expectEqual(decode(spec.path("signature").path("content"), "signature"), signature, "signature");
                signer.expect(decode(spec.path("signature").path("publicKey").path("content"), "public key"), true);
            }
            case "hashedrekord 0.0.2" -> {
                JsonNode h = spec.path("hashedRekordV002");
                expectAlgorithm(h.path("data").path("algorithm"));
                expectEqual(decode(h.path("data").path("digest"), "digest"), dsse == null ? artifactDigest
                        : dsse.paeSha256(), "digest");
                expectEqual(decode(h.path("signature").path("content"), "signature"), signature, "signature");
                signer.expectVerifier(h.path("signature").path("verifier"));
            }
            case "dsse 0.0.1" -> {
                requireDsse(dsse, kind);
                expectHash(spec.path("payloadHash"), "sha256", sha256(dsse.payload()), "payload hash");
                JsonNode sigs = spec.path("signatures");
                expectOne(sigs);
                expectEqual(decode(sigs.get(0).path("signature"), "signature"), signature, "signature");
                signer.expect(decode(sigs.get(0).path("verifier"), "verifier"), true);
            }
            case "dsse 0.0.2" -> {
                requireDsse(dsse, kind);
                JsonNode d = spec.path("dsseV002");
                expectAlgorithm(d.path("payloadHash").path("algorithm"));
                expectEqual(decode(d.path("payloadHash").path("digest"), "payload hash"), sha256(dsse.payload()),
                        "payload hash");
                JsonNode sigs = d.path("signatures");
                expectOne(sigs);
                expectEqual(decode(sigs.get(0).path("content"), "signature"), signature, "signature");
                signer.expectVerifier(sigs.get(0).path("verifier"));
            }
            case "intoto 0.0.2" -> {
                // What cosign attest logged for years. The signature is base64 twice over in this body.
                requireDsse(dsse, kind);
                JsonNode content = spec.path("content");
                expectHash(content.path("payloadHash"), "sha256", sha256(dsse.payload()), "payload hash");
                JsonNode sigs = content.path("envelope").path("signatures");
                expectOne(sigs);
                byte[] once = decode(sigs.get(0).path("sig"), "signature");
                try {
                    expectEqual(Base64.getDecoder().decode(new String(once, StandardCharsets.US_ASCII)), signature,
                            "signature");
                } catch (IllegalArgumentException ex) {
                    throw new VerificationException("the log entry's signature is not base64");
                }
            }
            default -> throw new VerificationException("the log entry is a " + kind + " " + version
                    + " entry, which distill does not read");
        }
    }

    /** The inclusion proof reaches the root of a checkpoint signed by the entry's log. */
    private static void checkInclusion(SigstoreBundle.LogEntry e, TransparencyLog log, PublicKey key)
            throws VerificationException {
        SigstoreBundle.InclusionProof p = e.proof();
        if (p.logIndex() != e.logIndex()) {
            throw new VerificationException("the inclusion proof is for log index " + p.logIndex() + ", the entry "
                    + "has " + e.logIndex());
        }
        byte[] root = MerkleProofs.rootFromInclusionProof(e.body(), p.logIndex(), p.treeSize(), p.hashes());
        if (root == null || !MessageDigest.isEqual(root, p.rootHash())) {
            throw new VerificationException("the inclusion proof does not lead to its root hash");
        }
        Checkpoints.verify(p.checkpoint(), log, key, p.treeSize(), p.rootHash());
    }

    private static PublicKey logKey(TransparencyLog log) throws VerificationException {
        try {
            return log.getPublicKey().toJavaPublicKey();
        } catch (GeneralSecurityException e) {
            throw new VerificationException("the trusted root's key for log " + log.getBaseUrl() + " cannot be read");
        }
    }

    private static void requireDsse(SigstoreBundle.Envelope dsse, String kind) throws VerificationException {
        if (dsse == null) {
            throw new VerificationException("the log entry is a " + kind + " entry, but the bundle holds a message "
                    + "signature");
        }
    }

    private static void expectOne(JsonNode signatures) throws VerificationException {
        if (signatures.size() != 1) {
            throw new VerificationException("the log entry carries " + signatures.size() + " signatures, not one");
        }
    }

    private static void expectAlgorithm(JsonNode algorithm) throws VerificationException {
        if (!"SHA2_256".equals(algorithm.asText())) {
            throw new VerificationException("the log entry's hash algorithm '" + algorithm.asText()
                    + "' is not SHA2_256");
        }
    }

    private static void expectHash(JsonNode hash, String algorithm, byte[] expected, String what)
            throws VerificationException {
        if (!algorithm.equals(hash.path("algorithm").asText())) {
            throw new VerificationException("the log entry's " + what + " algorithm '" + hash.path("algorithm")
                    .asText() + "' is not " + algorithm);
        }
        byte[] value;
        try {
            value = HexFormat.of().parseHex(hash.path("value").asText(""));
        } catch (IllegalArgumentException ex) {
            throw new VerificationException("the log entry's " + what + " is not hex");
        }
        expectEqual(value, expected, what);
    }

    private static void expectEqual(byte[] logged, byte[] expected, String what) throws VerificationException {
        if (!MessageDigest.isEqual(logged, expected)) {
            throw new VerificationException("the log entry's " + what + " does not match the bundle's: the entry is "
                    + "about something else");
        }
    }

    static byte[] decode(JsonNode n, String what) throws VerificationException {
        try {
            return Base64.getDecoder().decode(n.asText(""));
        } catch (IllegalArgumentException ex) {
            throw new VerificationException("the log entry's " + what + " is not base64");
        }
    }

    static byte[] sha256(byte[] data) {
        return Digest.newSha256().digest(data);
    }
}
