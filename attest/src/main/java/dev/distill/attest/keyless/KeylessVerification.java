package dev.distill.attest.keyless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.attest.bundle.BundleJson;
import dev.distill.attest.bundle.VerificationException;
import dev.distill.attest.dsse.Dsse;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.image.ImageSignatures;
import dev.sigstore.KeylessVerificationException;
import dev.sigstore.KeylessVerifier;
import dev.sigstore.VerificationOptions;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.fulcio.client.FulcioVerifier;
import dev.sigstore.rekor.client.RekorEntry;
import dev.sigstore.timestamp.client.ImmutableTimestampResponse;
import dev.sigstore.trustroot.TransparencyLog;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import dev.sigstore.encryption.certificates.Certificates;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies a keyless Sigstore bundle (v0.1, v0.2 or v0.3; a message signature, or a DSSE envelope whose in-toto
 * subject must be the given digest) against a trusted root, offline. sigstore-java's {@link KeylessVerifier}
 * checks the certificate chain to a Fulcio CA, the embedded SCT, the signature, the Rekor entry (signed entry
 * timestamp, inclusion proof against the signed checkpoint, entry consistent with the bundle) and RFC 3161
 * timestamps. Added here, because sigstore-java 2.0.0 does not: JSON that two readers could read differently is
 * refused ({@link BundleJson}); exactly one log entry (sigstore-java verifies only the first); a trusted time is
 * required, and only the integrated time the log signed (a verified SET) or a verified RFC 3161 timestamp counts;
 * every trusted time must not lie in the future and must fall inside the certificate's validity; the log's key
 * must be valid at that time; a trusted root whose logs or authorities lack a validity start is refused; and the
 * signer's identity is matched with anchored expressions
 * ({@link Identity}). Any failed check is a {@link VerificationException}: the caller fails closed.
 */
public final class KeylessVerification {
    /** How far an integrated time may lie ahead of this machine's clock (clock skew), no more. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(2);
    private static final Set<String> BUNDLE_TYPES = Set.of("application/vnd.dev.sigstore.bundle+json;version=0.1",
            "application/vnd.dev.sigstore.bundle+json;version=0.2", "application/vnd.dev.sigstore.bundle+json;version=0.3",
            "application/vnd.dev.sigstore.bundle.v0.3+json");
    private static final Map<Path, Trust> TRUST = new HashMap<>();

    private KeylessVerification() {
    }

    /**
     * What a verified bundle says about its signing: the signer, the log entry, the times that vouch for it
     * ({@code integratedTime} only when the log signed it; null when only a TSA vouches), and for a DSSE envelope
     * the payload that verified.
     */
    public record Verified(String identity, String issuer, Instant integratedTime, long logIndex,
                           List<Instant> timestamps, byte[] payload) {
    }

    /**
     * Verifies the bundle for the artifact with this SHA-256 digest, signed by {@code who}, against the
     * instance's trusted root. Every fact used after sigstore-java's checks (the log entry, its integrated time,
     * the timestamps, the DSSE payload) is read from the bundle sigstore-java parsed and verified, never from a
     * second reading of the JSON; the JSON is first refused if two readings of it could differ ({@link BundleJson}).
     */
    public static Verified verify(String bundleJson, byte[] sha256, Identity who, SigstoreInstance instance)
            throws VerificationException, KeylessException {
        checkShape(BundleJson.parse(bundleJson, "the bundle"));
        Trust trust = trust(instance);
        Bundle bundle;
        try {
            bundle = Bundle.from(new StringReader(bundleJson));
        } catch (Exception e) {
            throw new VerificationException("the bundle cannot be read: " + KeylessSigning.message(e));
        }
        // sigstore-java verifies the first entry only; an entry nobody verified must not be there to be read.
        if (bundle.getEntries().size() != 1) {
            throw new VerificationException("the bundle carries " + bundle.getEntries().size()
                    + " transparency-log entries; exactly one is verified, so exactly one is accepted");
        }
        try {
            trust.verifier().verify(sha256, bundle, VerificationOptions.empty());
        } catch (KeylessVerificationException e) {
            throw new VerificationException(KeylessSigning.message(e));
        } catch (RuntimeException e) {
            throw new VerificationException("the bundle is malformed: " + KeylessSigning.message(e));
        }
        X509Certificate leaf;
        try {
            leaf = Certificates.getLeaf(bundle.getCertPath());
        } catch (Exception e) {
            throw new VerificationException("the bundle's certificate cannot be read");
        }
        who.check(leaf);
        RekorEntry entry = bundle.getEntries().get(0);
        // The integrated time is trusted only when the log signed it: sigstore-java checked the SET over these
        // very values. A Rekor v2 entry has neither; its time comes from RFC 3161 timestamps.
        String set = entry.getVerification().getSignedEntryTimestamp();
        Instant integrated = set == null || set.isEmpty() ? null : entry.getIntegratedTimeInstant();
        List<Instant> stamped = new ArrayList<>();
        for (Bundle.Timestamp ts : bundle.getTimestamps()) {
            try {
                stamped.add(ImmutableTimestampResponse.builder().encoded(ts.getRfc3161Timestamp()).build()
                        .getGenTime().toInstant());
            } catch (Exception e) {
                throw new VerificationException("an RFC 3161 timestamp of the bundle cannot be read");
            }
        }
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
            if (t.isBefore(leaf.getNotBefore().toInstant()) || t.isAfter(leaf.getNotAfter().toInstant())) {
                throw new VerificationException(what + t + " is outside the certificate's validity ("
                        + leaf.getNotBefore().toInstant() + " to " + leaf.getNotAfter().toInstant() + ")");
            }
        }
        checkLogKeyValidity(trust.root(), entry, integrated != null ? List.of(integrated) : stamped);
        byte[] payload = bundle.getDsseEnvelope().map(Bundle.DsseEnvelope::getPayload).orElse(null);
        return new Verified(Identity.subjectOf(leaf), Identity.issuerOf(leaf), integrated, entry.getLogIndex(),
                List.copyOf(times), payload);
    }

    /**
     * The log's key must have been valid when the entry was made (at its signed integrated time, else at each
     * timestamp): a key the trusted root retired vouches for nothing after its end. sigstore-java 2.0.0 finds the
     * log by its id alone.
     */
    private static void checkLogKeyValidity(SigstoreTrustedRoot root, RekorEntry entry, List<Instant> times)
            throws VerificationException {
        byte[] logId = HexFormat.of().parseHex(entry.getLogID());
        for (Instant t : times) {
            if (TransparencyLog.find(root.getTLogs(), logId, t).isEmpty()) {
                throw new VerificationException("the transparency log's key (log id " + entry.getLogID()
                        + ") is not valid at " + t + " in the trusted root");
            }
        }
    }

    /**
     * Checks keyless attestation layers: the layer's Sigstore bundle must verify, signed by {@code who}, with
     * an in-toto statement whose subject is the image's digest; the layer's envelope must carry that same
     * statement. Returns the statement that verified.
     */
    public static ImageAttestations.EnvelopeCheck envelopeCheck(Identity who, SigstoreInstance instance) {
        return (envelope, annotations, image, name) -> {
            String bundle = annotations.get(KeylessSigning.SIGSTORE_BUNDLE_ANNOTATION);
            if (bundle == null) {
                throw new VerificationException("attestation " + name + " carries no Sigstore bundle (signed with "
                        + "a key, or a cosign keyless attestation without an inclusion proof)");
            }
            try {
                JsonNode b = BundleJson.parse(bundle, "its Sigstore bundle");
                JsonNode dsse = b.path("dsseEnvelope");
                if (!dsse.isObject()) {
                    throw new VerificationException("its Sigstore bundle holds no DSSE envelope");
                }
                if (!Dsse.IN_TOTO.equals(dsse.path("payloadType").asText())) {
                    throw new VerificationException("payload type '" + dsse.path("payloadType").asText()
                            + "' is not " + Dsse.IN_TOTO);
                }
                byte[] payload = verify(bundle, HexFormat.of().parseHex(image.hex()), who, instance).payload();
                JsonNode layer = BundleJson.parse(new String(envelope, StandardCharsets.UTF_8), "its envelope");
                byte[] layerPayload = Base64.getDecoder().decode(layer.path("payload").asText(""));
                if (payload == null || !MessageDigest.isEqual(payload, layerPayload)) {
                    throw new VerificationException("the envelope differs from the one its Sigstore bundle signs");
                }
                return payload;
            } catch (VerificationException e) {
                throw new VerificationException("attestation " + name + ": " + e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new VerificationException("attestation " + name + ": malformed base64 in its envelope");
            }
        };
    }

    /**
     * Checks keyless image signature layers: the Sigstore bundle the layer carries must verify for the digest of
     * the payload, signed by {@code who}. A layer cosign signed keyless, with only its certificate and signed
     * entry timestamp, is checked by {@link CosignLegacySignatures}.
     */
    public static ImageSignatures.SignatureCheck signatureCheck(Identity who, SigstoreInstance instance) {
        return (payload, annotations, name) -> {
            String bundle = annotations.get(KeylessSigning.SIGSTORE_BUNDLE_ANNOTATION);
            if (bundle == null && annotations.containsKey(KeylessSigning.CERTIFICATE_ANNOTATION)) {
                // cosign's own keyless signature: certificate and signed entry timestamp, no inclusion proof.
                try {
                    CosignLegacySignatures.verify(payload, annotations, who, instance);
                    return;
                } catch (VerificationException e) {
                    throw new VerificationException("signature " + name + ": " + e.getMessage());
                }
            }
            if (bundle == null) {
                throw new VerificationException("signature " + name + " carries no certificate and no Sigstore "
                        + "bundle (it was made with a key: verify with --key)");
            }
            try {
                verify(bundle, dev.distill.oci.Digest.newSha256().digest(payload), who, instance);
            } catch (VerificationException e) {
                throw new VerificationException("signature " + name + ": " + e.getMessage());
            }
        };
    }

    /** An instance's trusted root, and the verifiers built from it. */
    record Trust(SigstoreTrustedRoot root, KeylessVerifier verifier, FulcioVerifier fulcio) {
    }

    /**
     * The instance's trusted root, checked strictly ({@link #checkTrustedRoot}) and loaded once per run; every
     * keyless check, sigstore-java's and distill's own ({@link CosignLegacySignatures}), takes it from here.
     */
    static synchronized Trust trust(SigstoreInstance instance) throws KeylessException {
        Path key = instance.trustedRoot() == null ? Path.of("") : instance.trustedRoot().toAbsolutePath();
        Trust t = TRUST.get(key);
        if (t == null) {
            if (instance.trustedRoot() != null) {
                checkTrustedRoot(instance.trustedRoot());
            }
            try {
                SigstoreTrustedRoot root = instance.trustedRootProvider().get();
                t = new Trust(root, KeylessVerifier.builder().trustedRootProvider(() -> root).build(),
                        FulcioVerifier.newFulcioVerifier(root));
            } catch (Exception e) {
                throw new KeylessException(instance.describe() + ": cannot load the trusted root: "
                        + e.getMessage(), e);
            }
            TRUST.put(key, t);
        }
        return t;
    }

    /**
     * Refusals that need no cryptography, in our words, before sigstore-java reads the bundle. They only ever
     * refuse, so reading the JSON for them cannot let anything through; fields are looked up under both of their
     * protobuf names.
     */
    private static void checkShape(JsonNode json) throws VerificationException {
        String mediaType = field(json, "mediaType").asText("");
        if (!BUNDLE_TYPES.contains(mediaType)) {
            throw new VerificationException("unsupported bundle media type '" + mediaType + "'");
        }
        JsonNode material = field(json, "verificationMaterial");
        if (!field(material, "publicKey").isMissingNode()) {
            throw new VerificationException("the bundle is signed with a key, not keyless: verify it with --key");
        }
        if (field(material, "certificate").isMissingNode() && field(material, "x509CertificateChain")
                .isMissingNode()) {
            throw new VerificationException("the bundle holds no signing certificate");
        }
        JsonNode dsse = field(json, "dsseEnvelope");
        if (field(json, "messageSignature").isMissingNode() == dsse.isMissingNode()) {
            throw new VerificationException("the bundle must hold exactly one of a message signature and a DSSE "
                    + "envelope");
        }
        if (dsse.isObject() && dsse.path("signatures").size() != 1) {
            throw new VerificationException("the DSSE envelope must carry exactly one signature, it has "
                    + dsse.path("signatures").size());
        }
        boolean signedTime = false;
        for (JsonNode entry : field(material, "tlogEntries")) {
            signedTime |= !field(field(entry, "inclusionPromise"), "signedEntryTimestamp").asText("").isEmpty();
        }
        if (!signedTime && field(field(material, "timestampVerificationData"), "rfc3161Timestamps").size() == 0) {
            throw new VerificationException("the bundle has no trusted time: no log entry carries a signed entry "
                    + "timestamp and it has no RFC 3161 timestamp, so nothing shows when it was signed");
        }
    }

    /** A field by its JSON name or its protobuf (snake_case) name; {@link BundleJson} refuses both at once. */
    private static JsonNode field(JsonNode node, String jsonName) {
        JsonNode n = node.path(jsonName);
        return n.isMissingNode() ? node.path(jsonName.replaceAll("([A-Z])", "_$1").toLowerCase(
                java.util.Locale.ROOT)) : n;
    }

    /**
     * A trusted root whose transparency logs, CT logs, CAs or TSAs have no validity start is refused: such an
     * entry would vouch for signatures made at any time, before the key existed.
     */
    static void checkTrustedRoot(Path file) throws KeylessException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new KeylessException(file + ": not a valid trusted root (not JSON)");
        }
        for (String list : new String[] {"tlogs", "ctlogs"}) {
            for (JsonNode log : root.path(list)) {
                if (log.path("publicKey").path("validFor").path("start").asText("").isEmpty()) {
                    throw new KeylessException(file + ": " + list + " entry " + log.path("baseUrl").asText("?")
                            + " has no validFor.start; refusing a log key valid since forever");
                }
            }
        }
        for (String list : new String[] {"certificateAuthorities", "timestampAuthorities"}) {
            for (JsonNode ca : root.path(list)) {
                if (ca.path("validFor").path("start").asText("").isEmpty()) {
                    throw new KeylessException(file + ": " + list + " entry " + ca.path("uri").asText("?")
                            + " has no validFor.start; refusing an authority valid since forever");
                }
            }
        }
    }
}
