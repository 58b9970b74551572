package dev.distill.attest.verify;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.distill.attest.AttestLimits;
import dev.distill.attest.VerificationException;
import dev.distill.attest.dsse.Dsse;
import dev.distill.attest.keyless.Identity;
import dev.distill.attest.keyless.KeylessException;
import dev.distill.attest.keyless.SigstoreInstance;
import dev.distill.attest.keyless.TrustedRoots;
import dev.distill.attest.keys.KeyTypes;
import dev.sigstore.fulcio.client.FulcioVerifier;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import dev.sigstore.trustroot.TransparencyLog;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The front door for verifying Sigstore bundles: built once, by key, by identity against a trusted root, or by key
 * against a trusted root (the log entries and timestamps of a key-signed bundle checked too), then used for any
 * number of bundles. Every bundle kind current Sigstore clients write verifies: bundle v0.1 to v0.3, message
 * signatures and DSSE envelopes, Rekor v1 {@code hashedrekord}, {@code dsse} and {@code intoto} entries, Rekor v2
 * {@code hashedrekord} (DSSE envelopes logged as the digest of their PAE included) and {@code dsse} entries, SETs,
 * inclusion proofs against signed checkpoints, RFC 3161 timestamps. The certificate chain and SCT are checked by
 * sigstore-java's Fulcio verifier; the rest is distill's own code (see attest/README.md for why). Each failure is
 * a {@link VerificationException} naming what failed: the caller fails closed.
 */
public final class Verifier {
    /** How far a trusted time may lie ahead of this machine's clock (clock skew), no more. */
    public static final Duration CLOCK_SKEW = TrustedRoots.CLOCK_SKEW;

    private final PublicKey key;
    private final Identity identity;
    private final SigstoreInstance instance;

    private Verifier(PublicKey key, Identity identity, SigstoreInstance instance) {
        this.key = key;
        this.identity = identity;
        this.instance = instance;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** By key ({@link #publicKey}) or by identity ({@link #identity}), optionally with a trusted root. */
    public static final class Builder {
        private PublicKey key;
        private Identity identity;
        private SigstoreInstance instance;

        /** Bundles signed with this key. */
        public Builder publicKey(PublicKey key) {
            this.key = key;
            return this;
        }

        /** Keyless bundles whose certificate names this signer. */
        public Builder identity(Identity identity) {
            this.identity = identity;
            return this;
        }

        /**
         * The Sigstore instance whose trusted root vouches for certificates, logs and timestamps; for keyless
         * bundles the public-good instance when not given. With a key, the bundle's log entries and timestamps are
         * checked against it; without, they are not read at all (and the result says so).
         */
        public Builder trustedRoot(SigstoreInstance instance) {
            this.instance = instance;
            return this;
        }

        public Verifier build() {
            if ((key == null) == (identity == null)) {
                throw new IllegalStateException("a verifier checks either a key or an identity");
            }
            return new Verifier(key, identity, identity != null && instance == null ? SigstoreInstance.publicGood()
                    : instance);
        }
    }

    /**
     * What is to be verified: a message signature's artifact (its SHA-256, and its bytes when known, which keys
     * that cannot sign digests need), or a DSSE statement's subject digest.
     */
    public record Artifact(byte[] sha256, byte[] bytes) {
        public Artifact {
            Objects.requireNonNull(sha256);
        }

        public static Artifact ofDigest(byte[] sha256) {
            return new Artifact(sha256, null);
        }
    }

    /**
     * What verified: the signer (identity and issuer, or null for a key), the log entries checked (empty when the
     * log was not read), the integrated time the log signed (null without one), every trusted time, and a DSSE
     * envelope's payload (null for a message signature).
     */
    public record Verified(String identity, String issuer, List<Long> logIndexes, Instant integratedTime,
                           List<Instant> times, byte[] payload, boolean logChecked) {
    }

    public Verified verify(String bundleJson, Artifact artifact) throws VerificationException, KeylessException {
        return verify(SigstoreBundle.parse(bundleJson), artifact);
    }

    /** Verifies a bundle already read ({@link SigstoreBundle#parse(JsonNode, byte[])}: a large envelope's payload
     * decoded once, from where it is stored). */
    public Verified verify(SigstoreBundle b, Artifact artifact) throws VerificationException, KeylessException {
        if (identity != null && b.keySigned()) {
            throw new VerificationException("the bundle is signed with a key, not keyless: verify it with --key");
        }
        if (key != null && !b.keySigned()) {
            throw new VerificationException("the bundle is signed keyless (it holds a certificate): verify it with "
                    + "--certificate-identity and --certificate-oidc-issuer");
        }
        SigstoreTrustedRoot root = null;
        FulcioVerifier fulcio = null;
        if (instance != null) {
            TrustedRoots.Trust trust = TrustedRoots.trust(instance);
            root = trust.root();
            fulcio = trust.fulcio();
        }
        // Exactly one entry is what every client writes; a second one would only be there to be misread.
        if (b.entries().size() > 1) {
            throw new VerificationException("the bundle carries " + b.entries().size()
                    + " transparency-log entries; exactly one is verified, so exactly one is accepted");
        }
        X509Certificate leaf = b.keySigned() ? null : b.certificates().get(0);
        if (leaf != null) {
            try {
                fulcio.verifySigningCertificate(CertificateFactory.getInstance("X.509").generateCertPath(
                        b.certificates()));
            } catch (Exception e) {
                throw new VerificationException("Fulcio certificate was not valid: " + String.valueOf(e.getMessage())
                        .replaceAll("\\s+", " "));
            }
        }
        PublicKey signerKey = leaf != null ? leaf.getPublicKey() : key;
        byte[] payload = checkSignature(b, artifact, signerKey);
        if (leaf != null) {
            identity.check(leaf);
        }
        if (root == null) {
            return new Verified(null, null, List.of(), null, List.of(), payload, false);
        }
        return checkLogAndTimes(b, artifact, leaf, signerKey, root, payload);
    }

    /** The signature over the artifact or the DSSE statement; returns the verified DSSE payload, else null. */
    private byte[] checkSignature(SigstoreBundle b, Artifact artifact, PublicKey signerKey)
            throws VerificationException {
        String hex = HexFormat.of().formatHex(artifact.sha256());
        if (b.dsse() == null) {
            byte[] stated = b.messageSignature().digest();
            if (stated != null && !java.security.MessageDigest.isEqual(stated, artifact.sha256())) {
                throw new VerificationException("the bundle is for another blob: its digest sha256:"
                        + HexFormat.of().formatHex(stated) + " does not match the blob's sha256:" + hex);
            }
            byte[] sig = b.messageSignature().signature();
            boolean ok = artifact.bytes() != null ? signedBy(signerKey, artifact.bytes(), sig, false)
                    : signedBy(signerKey, artifact.sha256(), sig, true);
            if (!ok) {
                throw new VerificationException(key != null ? "the signature does not verify with the given key"
                        : "the artifact signature was not valid for the certificate's key");
            }
            return null;
        }
        SigstoreBundle.Envelope dsse = b.dsse();
        if (!Dsse.IN_TOTO.equals(dsse.payloadType())) {
            throw new VerificationException("payload type '" + dsse.payloadType() + "' is not " + Dsse.IN_TOTO);
        }
        if (!signedByPae(signerKey, dsse)) {
            throw new VerificationException(key != null ? "the DSSE signature does not verify with the given key"
                    : "the DSSE signature was not valid for the certificate's key");
        }
        for (JsonNode s : subjects(dsse.payload())) {
            if (hex.equals(s.path("digest").path("sha256").asText())) {
                return dsse.payload();
            }
        }
        throw new VerificationException("the attestation is about another artifact: sha256:" + hex
                + " does not match any subject's digest");
    }

    /**
     * The statement's subjects, read as a stream: the predicate (an SBOM of hundreds of megabytes) is skipped,
     * never made a tree. A subject given twice is refused: readers could take either.
     */
    private static JsonNode subjects(byte[] statement) throws VerificationException {
        JsonNode subjects = null;
        try (JsonParser p = AttestLimits.json().createParser(statement)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new VerificationException("the envelope's payload is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("subject")) {
                    if (subjects != null) {
                        throw new VerificationException("the statement gives its subject twice");
                    }
                    subjects = p.readValueAsTree();
                } else {
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new VerificationException("the envelope's payload is not JSON");
            }
        } catch (IOException e) {
            throw new VerificationException("the envelope's payload is not JSON");
        }
        return subjects == null ? JsonNodeFactory.instance.arrayNode() : subjects;
    }

    /** The envelope's signature over its pre-authentication encoding, fed to the check without a copy of it. */
    private static boolean signedByPae(PublicKey signer, SigstoreBundle.Envelope dsse) throws VerificationException {
        try {
            Signature s = KeyTypes.verifying(signer);
            Dsse.update(s, dsse.payloadType(), dsse.payload());
            return s.verify(dsse.signature());
        } catch (SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new VerificationException("the signature cannot be checked: " + e.getMessage());
        }
    }

    /**
     * An artifact or envelope signature, with the algorithm cosign uses for the signer's key type ({@link KeyTypes}:
     * the same choice distill signs with); over the SHA-256 digest alone when only that is known.
     */
    private static boolean signedBy(PublicKey signer, byte[] data, byte[] signature, boolean digestOnly)
            throws VerificationException {
        try {
            Signature s = digestOnly ? KeyTypes.verifyingSha256Digest(signer) : KeyTypes.verifying(signer);
            s.update(data);
            return s.verify(signature);
        } catch (SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new VerificationException("the signature cannot be checked: " + e.getMessage());
        }
    }

    private Verified checkLogAndTimes(SigstoreBundle b, Artifact artifact, X509Certificate leaf, PublicKey signerKey,
                                      SigstoreTrustedRoot root, byte[] payload) throws VerificationException {
        if (leaf != null && b.entries().isEmpty()) {
            throw new VerificationException("the bundle has no transparency-log entry");
        }
        if (b.entries().isEmpty() && b.timestamps().isEmpty()) {
            throw new VerificationException("the bundle has no transparency-log entry and no timestamp to check "
                    + "against the trusted root");
        }
        BundleSigner signer = leaf != null ? BundleSigner.of(leaf) : BundleSigner.of(signerKey);
        byte[] digest = b.messageSignature() != null && b.messageSignature().digest() != null
                ? b.messageSignature().digest() : artifact.sha256();
        List<LogEntries.Checked> entries = new ArrayList<>();
        for (SigstoreBundle.LogEntry e : b.entries()) {
            entries.add(LogEntries.verify(e, b, signer, digest, root));
        }
        List<Instant> stamped = new ArrayList<>();
        for (byte[] ts : b.timestamps()) {
            stamped.add(Timestamps.verify(ts, b.signature(), root));
        }
        Instant integrated = entries.isEmpty() ? null : entries.get(0).signedTime();
        List<Instant> times = new ArrayList<>(stamped);
        if (integrated != null) {
            times.add(0, integrated);
        }
        if (times.isEmpty()) {
            throw new VerificationException("the bundle has no trusted time: its log entry carries no signed entry "
                    + "timestamp and it has no RFC 3161 timestamp, so nothing shows when it was signed");
        }
        Instant now = Instant.now();
        for (Instant t : times) {
            String what = t == integrated ? "the transparency-log entry's integrated time " : "the RFC 3161 "
                    + "timestamp ";
            if (t.isAfter(now.plus(CLOCK_SKEW))) {
                throw new VerificationException(what + t + " is in the future");
            }
            if (leaf != null && (t.isBefore(leaf.getNotBefore().toInstant())
                    || t.isAfter(leaf.getNotAfter().toInstant()))) {
                throw new VerificationException(what + t + " is outside the certificate's validity ("
                        + leaf.getNotBefore().toInstant() + " to " + leaf.getNotAfter().toInstant() + ")");
            }
        }
        // The log's key must have been valid when the entry was made: at its signed time, else at each timestamp.
        for (LogEntries.Checked c : entries) {
            for (Instant t : c.signedTime() != null ? List.of(c.signedTime()) : stamped) {
                if (TransparencyLog.find(root.getTLogs(), c.entry().logId(), t).isEmpty()) {
                    throw new VerificationException("the transparency log's key (log id "
                            + HexFormat.of().formatHex(c.entry().logId()) + ") is not valid at " + t
                            + " in the trusted root");
                }
            }
        }
        return new Verified(leaf == null ? null : Identity.subjectOf(leaf), leaf == null ? null
                : Identity.issuerOf(leaf), entries.stream().map(c -> c.entry().logIndex()).toList(), integrated,
                List.copyOf(times), payload, true);
    }
}
