package dev.distill.attest.image;

import dev.distill.attest.AttestLimits;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.attest.VerificationException;
import dev.distill.attest.bundle.BlobSignatures;
import dev.distill.attest.dsse.Dsse;
import dev.distill.attest.keyless.Identity;
import dev.distill.attest.keyless.KeylessException;
import dev.distill.oci.Descriptor;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageException;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.wire.DescriptorTemplate;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * In-toto attestations (Statement v1 in a DSSE envelope) about an image, signed with a key and stored as cosign
 * stores them: envelope layers of the manifest tagged {@code sha256-<hex>.att}, each with a
 * {@code predicateType} annotation. Verification checks the envelope's signature and payload type, that the
 * statement's subject is the image's digest, and that the predicate type is the one asked for; a statement of
 * another type never passes (cosign once let it: GHSA-w6c6-c85g-mmv6).
 */
public final class ImageAttestations {
    public static final String ENVELOPE_TYPE = "application/vnd.dsse.envelope.v1+json";
    public static final String STATEMENT_V1 = "https://in-toto.io/Statement/v1";

    private ImageAttestations() {
    }

    /** Short names cosign users know, or any URI. */
    public static String predicateType(String nameOrUri) {
        return switch (nameOrUri.toLowerCase(Locale.ROOT)) {
            case "spdx", "spdxjson" -> "https://spdx.dev/Document";
            case "cyclonedx" -> "https://cyclonedx.org/bom";
            case "slsaprovenance", "slsaprovenance1" -> "https://slsa.dev/provenance/v1";
            case "vuln" -> "https://cosign.sigstore.dev/attestation/vuln/v1";
            case "custom" -> "https://cosign.sigstore.dev/attestation/v1";
            default -> {
                if (!nameOrUri.contains(":")) {
                    throw new IllegalArgumentException("unknown predicate type '" + nameOrUri + "' (spdx, cyclonedx, "
                            + "slsaprovenance, or a URI)");
                }
                yield nameOrUri;
            }
        };
    }

    public static String attestationTag(Digest image) {
        return image.algorithm() + "-" + image.hex() + ".att";
    }

    /** An envelope (JSON) and the annotations of the layer that carries it. */
    public record Signed(byte[] envelope, Map<String, String> annotations) {
    }

    /**
     * Checks one attestation layer ({@code name} for messages): returns the DSSE payload that verified, of type
     * in-toto, or throws naming what did not hold. {@code image} is the digest the attestation must be about.
     */
    @FunctionalInterface
    public interface EnvelopeCheck {
        byte[] verify(byte[] envelope, Map<String, String> annotations, Digest image, String name)
                throws VerificationException, KeylessException;

        /** The hint (base64 SHA-256 of the SubjectPublicKeyInfo) of the key this check verifies with; null keyless. */
        default String keyHint() {
            return null;
        }
    }

    /** The envelope's signature must verify with the public key. */
    public static EnvelopeCheck withKey(PublicKey key) {
        String hint = BlobSignatures.hint(key);
        return new EnvelopeCheck() {
            @Override
            public byte[] verify(byte[] envelope, Map<String, String> annotations, Digest image, String name)
                    throws VerificationException {
                return Dsse.verify(envelope, Dsse.IN_TOTO, key);
            }

            @Override
            public String keyHint() {
                return hint;
            }
        };
    }

    /**
     * Who signed an attestation: a key by its hint, or a certificate's identity and OIDC issuer. For one that
     * verified, the key or certificate that verified it; for one that did not, what its verification material
     * claims (unauthenticated), or null when it names nothing (a key-signed legacy layer carries no key hint).
     */
    public record SignedBy(String keyHint, String identity, String issuer) {
        static SignedBy key(String hint) {
            return hint == null ? null : new SignedBy(hint, null, null);
        }

        /** From a certificate (PEM or base64 DER); null when it cannot be read. */
        static SignedBy certificate(String pemOrBase64) {
            try {
                byte[] der = pemOrBase64.contains("-----BEGIN") ? pemOrBase64.getBytes(StandardCharsets.US_ASCII)
                        : Base64.getDecoder().decode(pemOrBase64);
                X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                        new ByteArrayInputStream(der));
                return new SignedBy(null, Identity.subjectOf(c), Identity.issuerOf(c));
            } catch (CertificateException | VerificationException | IllegalArgumentException e) {
                return null;
            }
        }
    }

    /** The in-toto Statement v1 about the image's digest: compact JSON in a fixed key order. */
    public static byte[] statement(ImageReference ref, Digest digest, String predicateType, byte[] predicateJson)
            throws ImageException {
        if (predicateJson.length > AttestLimits.maxAttestationBytes()) {
            throw new ImageException("the predicate is " + predicateJson.length + " bytes, more than the "
                    + AttestLimits.maxAttestationBytes() + " attestations may hold (--max-attestation-bytes)");
        }
        // Streamed, never held as a tree: a predicate of hundreds of megabytes is copied token by token.
        ByteArrayOutputStream out = new ByteArrayOutputStream(predicateJson.length + 512);
        try (JsonParser p = AttestLimits.json().createParser(predicateJson);
             JsonGenerator g = AttestLimits.json().createGenerator(out)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ImageException("the predicate is not a JSON object");
            }
            g.writeStartObject();
            g.writeStringField("_type", STATEMENT_V1);
            g.writeArrayFieldStart("subject");
            g.writeStartObject();
            g.writeStringField("name", ref.registry() + "/" + ref.repository());
            g.writeObjectFieldStart("digest");
            g.writeStringField(digest.algorithm(), digest.hex());
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndArray();
            g.writeStringField("predicateType", predicateType);
            g.writeFieldName("predicate");
            g.copyCurrentStructure(p);
            if (p.nextToken() != null) {
                throw new ImageException("the predicate has more than one JSON value");
            }
            g.writeEndObject();
        } catch (ImageException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageException("the predicate is not JSON: " + String.valueOf(e.getMessage()).lines()
                    .findFirst().orElse(""));
        }
        return out.toByteArray();
    }

    /**
     * A verified statement: the digest it is about, its predicate type, and its predicate, parsed when first asked
     * for (a predicate may be hundreds of megabytes, and most checks need only its type and subject).
     */
    public static final class Verified {
        private final Digest image;
        private final String predicateType;
        private final byte[] statement;
        private JsonNode predicate;

        public Verified(Digest image, String predicateType, byte[] statement) {
            this.image = image;
            this.predicateType = predicateType;
            this.statement = statement;
        }

        public Digest image() {
            return image;
        }

        public String predicateType() {
            return predicateType;
        }

        /** The predicate (a missing node when the statement has none); the statement verified as JSON. */
        public synchronized JsonNode predicate() {
            if (predicate == null) {
                try {
                    predicate = AttestLimits.json().readTree(statement).path("predicate");
                } catch (IOException e) {
                    throw new IllegalStateException("a verified statement stopped being JSON", e);
                }
            }
            return predicate;
        }

        /**
         * Writes the predicate to {@code g} (null when the statement has none), copied token by token from the
         * statement unless it was already parsed: no tree of it is built for this.
         */
        public void writePredicate(JsonGenerator g) throws IOException {
            synchronized (this) {
                if (predicate != null) {
                    g.writeTree(predicate.isMissingNode() ? null : predicate);
                    return;
                }
            }
            try (JsonParser p = AttestLimits.json().createParser(statement)) {
                p.nextToken();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    if (field.equals("predicate")) {
                        g.copyCurrentStructure(p);
                        return;
                    }
                    p.skipChildren();
                }
            }
            g.writeNull();
        }
    }

    /**
     * One attestation considered: its name (the layer's short digest, or "referrer" and the referrer's), where it
     * is stored, the size in bytes of its DSSE envelope as stored (-1 when it could not be read), who signed it
     * ({@link SignedBy}; may be null), the predicate type its verified statement has (null when it did not verify),
     * its predicate when it counted, and why it did not (null when it counted).
     */
    public record Attempt(Digest image, String name, ReferrerBundles.Mode storage, long size, SignedBy signer,
                          String predicateType, Verified statement, String reason) {
        public boolean verified() {
            return reason == null;
        }

        /** The predicate of an attestation that counted; null otherwise. */
        public JsonNode predicate() {
            return statement == null ? null : statement.predicate();
        }
    }

    /**
     * The attestations of the wanted predicate type that pass the check ({@code by} names the signer in messages)
     * and are about the image's digest; at least one, or VerificationException listing why each candidate failed.
     */
    public static List<Verified> verify(RegistryClient client, ImageReference ref, EnvelopeCheck key, String by,
                                        String predicateType)
            throws IOException, VerificationException, KeylessException {
        return verify(client, ref, key, by, predicateType, null);
    }

    /** As {@link #verify(RegistryClient, ImageReference, EnvelopeCheck, String, String)}; {@code record} (when not
     * null) receives every attestation considered and what became of it. */
    public static List<Verified> verify(RegistryClient client, ImageReference ref, EnvelopeCheck key, String by,
                                        String predicateType, List<Attempt> record)
            throws IOException, VerificationException, KeylessException {
        Digest digest = client.resolve(ref);
        List<Verified> ok = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (Candidate c : candidates(client, ref, digest, key)) {
            String reason = null;
            if (c.failure() != null) {
                reason = c.failure();
            } else if (!c.verified().predicateType().equals(predicateType)) {
                reason = "attestation " + c.name() + " has predicate type " + c.verified().predicateType();
            } else if (!c.about()) {
                reason = "attestation " + c.name() + " is about another image, not " + digest;
            } else {
                ok.add(c.verified());
            }
            if (reason != null) {
                reasons.add(reason);
            }
            if (record != null) {
                record.add(c.attempt(digest, reason));
            }
        }
        if (ok.isEmpty()) {
            throw new VerificationException("no attestation of type " + predicateType + " about " + ref.repository()
                    + "@" + digest + " verifies with " + by + (reasons.isEmpty() ? "" : ": "
                    + String.join("; ", reasons)));
        }
        return ok;
    }

    /**
     * Every attestation of the given types that verifies with the key and is about the image, by type (an empty
     * list for a type with none). The tag is resolved once and each envelope read and verified once, so all
     * types are about the same image even if the tag moves meanwhile; pass a digest reference to pin it.
     */
    public static Map<String, List<Verified>> verifyAll(RegistryClient client, ImageReference ref, EnvelopeCheck key,
                                                        Set<String> predicateTypes)
            throws IOException, KeylessException {
        return verifyAll(client, ref, key, predicateTypes, null);
    }

    /** As {@link #verifyAll(RegistryClient, ImageReference, EnvelopeCheck, Set)}, recording every attestation
     * considered in {@code record} when it is not null (one of another type than those asked counts as not
     * needed, with that reason). */
    public static Map<String, List<Verified>> verifyAll(RegistryClient client, ImageReference ref, EnvelopeCheck key,
                                                        Set<String> predicateTypes, List<Attempt> record)
            throws IOException, KeylessException {
        Map<String, List<Verified>> out = new LinkedHashMap<>();
        predicateTypes.forEach(t -> out.put(t, new ArrayList<>()));
        Digest digest = client.resolve(ref);
        List<Candidate> candidates;
        try {
            candidates = candidates(client, ref, digest, key);
        } catch (VerificationException none) {
            return out;
        }
        for (Candidate c : candidates) {
            String reason = c.failure();
            if (reason == null && !c.about()) {
                reason = "attestation " + c.name() + " is about another image, not " + digest;
            } else if (reason == null && !out.containsKey(c.verified().predicateType())) {
                reason = "attestation " + c.name() + " has predicate type " + c.verified().predicateType()
                        + ", which nothing asks for";
            }
            if (reason == null) {
                out.get(c.verified().predicateType()).add(c.verified());
            }
            if (record != null) {
                record.add(c.attempt(digest, reason));
            }
        }
        return out;
    }

    /**
     * One envelope: where it is stored, its size and signer, and verified (its type and subject still to be judged),
     * or why not.
     */
    private record Candidate(String name, ReferrerBundles.Mode storage, long size, SignedBy signer, Verified verified,
                             boolean about, String failure) {
        Candidate failed(String why) {
            return new Candidate(name, storage, size, signer, null, false, why);
        }

        Candidate signedBy(String name, SignedBy by) {
            return new Candidate(name, storage, size, by, null, false, null);
        }

        Attempt attempt(Digest digest, String reason) {
            return new Attempt(digest, name, storage, size, signer, verified == null ? null
                    : verified.predicateType(), reason == null ? verified : null, reason);
        }
    }

    private static List<Candidate> candidates(RegistryClient client, ImageReference ref, Digest digest,
                                              EnvelopeCheck key)
            throws IOException, VerificationException, KeylessException {
        String tag = attestationTag(digest);
        List<Candidate> out = new ArrayList<>();
        // cosign's .att tag, then Sigstore bundles referring to the digest. Each envelope is judged by the
        // statement that verified, never by the predicate type a tag or annotation claims.
        for (DescriptorTemplate layer : ImageSignatures.layers(client, ref, tag, "attestation manifest")
                .orElse(List.of())) {
            out.add(layerCandidate(client, ref, layer, digest, key));
        }
        List<String> unreadable = new ArrayList<>();
        for (ReferrerBundles.Found f : ReferrerBundles.find(client, ref, digest, ReferrerBundles.DSSE_ENVELOPE,
                unreadable)) {
            out.add(referrerCandidate(f, digest, key));
        }
        unreadable.forEach(u -> out.add(new Candidate("referrer", ReferrerBundles.Mode.OCI_1_1, -1, null, null, false,
                u)));
        if (out.isEmpty()) {
            throw new VerificationException("no attestations for " + ref.repository() + "@" + digest + " (no " + tag
                    + " tag and no Sigstore bundle referring to it)");
        }
        return out;
    }

    /**
     * Reads back the one attestation just written, and only it: the layer of digest {@code written} in the image's
     * {@code .att} manifest (legacy), or the referrer manifest {@code written} as the image's referrers list it
     * (oci-1-1). Returns what became of it, checked for {@code predicateType} and the image's digest as
     * {@link #verify} checks it; null when the registry does not return it.
     */
    public static Attempt readBack(RegistryClient client, ImageReference pinned, EnvelopeCheck key,
                                   String predicateType, ReferrerBundles.Mode storage, Digest written)
            throws IOException, KeylessException {
        Digest digest = pinned.digest();
        Candidate c = null;
        if (storage == ReferrerBundles.Mode.LEGACY) {
            for (DescriptorTemplate layer : ImageSignatures.layers(client, pinned, attestationTag(digest),
                    "attestation manifest").orElse(List.of())) {
                if (written.toString().equals(layer.digest())) {
                    c = layerCandidate(client, pinned, layer, digest, key);
                }
            }
        } else {
            for (Descriptor d : client.referrers(pinned.repo(), digest)) {
                if (d.digest().equals(written)) {
                    try {
                        c = referrerCandidate(ReferrerBundles.read(client, pinned, d, digest,
                                ReferrerBundles.DSSE_ENVELOPE), digest, key);
                    } catch (VerificationException e) {
                        c = new Candidate("referrer " + written.shortHex(), storage, -1, null, null, false,
                                e.getMessage());
                    }
                }
            }
        }
        if (c == null) {
            return null;
        }
        String reason = c.failure();
        if (reason == null && !c.verified().predicateType().equals(predicateType)) {
            reason = "attestation " + c.name() + " has predicate type " + c.verified().predicateType();
        } else if (reason == null && !c.about()) {
            reason = "attestation " + c.name() + " is about another image, not " + digest;
        }
        return c.attempt(digest, reason);
    }

    private static Candidate layerCandidate(RegistryClient client, ImageReference ref, DescriptorTemplate layer,
                                            Digest digest, EnvelopeCheck key) throws IOException, KeylessException {
        Map<String, String> annotations = layer.annotations() == null ? Map.of() : layer.annotations();
        String cert = annotations.get(CosignLayers.CERTIFICATE_ANNOTATION);
        Candidate c = new Candidate(shortName(layer), ReferrerBundles.Mode.LEGACY, layer.size(),
                cert == null ? null : SignedBy.certificate(cert), null, false, null);
        try {
            ImageSignatures.LayerBytes l = ImageSignatures.readLayer(client, ref, layer, ENVELOPE_TYPE,
                    AttestLimits.maxEnvelopeBytes(), "DSSE envelope");
            String name = l.descriptor().digest().shortHex();
            byte[] payload = key.verify(l.bytes(), annotations, digest, name);
            // A key-signed layer names no key: the one that verified it is the signer.
            return judge(c.signedBy(name, c.signer() != null ? c.signer() : SignedBy.key(key.keyHint())), payload,
                    digest);
        } catch (VerificationException e) {
            return c.failed(e.getMessage());
        }
    }

    private static Candidate referrerCandidate(ReferrerBundles.Found f, Digest digest, EnvelopeCheck key)
            throws KeylessException {
        JsonNode material = f.bundle().path("verificationMaterial");
        SignedBy claimed;
        if (material.has("publicKey")) {
            claimed = SignedBy.key(material.path("publicKey").path("hint").asText(null));
        } else {
            JsonNode cert = material.has("certificate") ? material.path("certificate")
                    : material.path("x509CertificateChain").path("certificates").path(0);
            claimed = cert.path("rawBytes").isTextual() ? SignedBy.certificate(cert.path("rawBytes").asText())
                    : null;
        }
        String name = "referrer " + f.name();
        Candidate c = new Candidate(name, ReferrerBundles.Mode.OCI_1_1, f.envelope().length, claimed, null, false,
                null);
        try {
            byte[] payload = key.verify(f.envelope(), Map.of(CosignLayers.SIGSTORE_BUNDLE_ANNOTATION, f.bundleJson()),
                    digest, name);
            // What verified is the key, whatever hint the bundle gives.
            return judge(key.keyHint() == null ? c : c.signedBy(name, SignedBy.key(key.keyHint())), payload, digest);
        } catch (VerificationException e) {
            return c.failed(e.getMessage());
        }
    }

    /** A layer's short digest, or its digest text as given when that is malformed. */
    private static String shortName(DescriptorTemplate layer) {
        try {
            return Digest.parse(layer.digest()).shortHex();
        } catch (RuntimeException e) {
            return String.valueOf(layer.digest());
        }
    }

    /** A verified payload: an in-toto statement, about the digest or not, of some predicate type. */
    private static Candidate judge(Candidate c, byte[] payload, Digest digest) {
        try {
            return judged(c, payload, digest);
        } catch (VerificationException e) {
            return c.failed(e.getMessage());
        }
    }

    private static Candidate judged(Candidate c, byte[] payload, Digest digest) throws VerificationException {
        String name = c.name();
        // Streamed: the type, predicate type and subjects are read, the predicate only checked to be JSON.
        String type = null;
        String predicateType = "";
        boolean about = false;
        try (JsonParser p = AttestLimits.json().createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new VerificationException("attestation " + name + " is not an in-toto statement");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "_type" -> type = value == JsonToken.VALUE_STRING ? p.getText() : "";
                    case "predicateType" -> predicateType = value == JsonToken.VALUE_STRING ? p.getText() : "";
                    case "subject" -> {
                        for (JsonNode s : (JsonNode) p.readValueAsTree()) {
                            if (s.path("digest").path(digest.algorithm()).asText("").equals(digest.hex())) {
                                about = true;
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new VerificationException("attestation " + name + " is not JSON");
            }
        } catch (IOException e) {
            throw new VerificationException("attestation " + name + " is not JSON");
        }
        if (!STATEMENT_V1.equals(type) && !"https://in-toto.io/Statement/v0.1".equals(type)) {
            throw new VerificationException("attestation " + name + " is not an in-toto statement");
        }
        return new Candidate(name, c.storage(), c.size(), c.signer(), new Verified(digest, predicateType, payload),
                about, null);
    }
}
