package dev.distill.attest.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.distill.attest.AttestLimits;
import dev.distill.attest.bundle.BundleJson;
import dev.distill.attest.VerificationException;
import dev.distill.attest.dsse.Dsse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A Sigstore bundle (v0.1, v0.2, v0.3), read once from its JSON into the values every later check uses, so that
 * nothing verified is read a second time from other bytes. Protobuf JSON gives each field two names; either is
 * read ({@link BundleJson} has already refused a field given under both).
 *
 * @param certificates the signing certificate and any chain, leaf first; empty for a key-signed bundle
 * @param keyHint the public key's hint of a key-signed bundle (unauthenticated; never a reason to refuse)
 * @param messageSignature null for a DSSE bundle
 * @param dsse null for a message-signature bundle
 */
public record SigstoreBundle(String mediaType, List<X509Certificate> certificates, String keyHint,
                             MessageSignature messageSignature, Envelope dsse, List<LogEntry> entries,
                             List<byte[]> timestamps) {
    public static final Set<String> MEDIA_TYPES = Set.of("application/vnd.dev.sigstore.bundle+json;version=0.1",
            "application/vnd.dev.sigstore.bundle+json;version=0.2", "application/vnd.dev.sigstore.bundle+json;version=0.3",
            "application/vnd.dev.sigstore.bundle.v0.3+json");

    /** A signature over an artifact; {@code digest} (SHA-256) is null when the bundle does not state it. */
    public record MessageSignature(byte[] digest, byte[] signature) {
    }

    /** A DSSE envelope: exactly one signature (the bundle format allows no more). */
    public record Envelope(String payloadType, byte[] payload, byte[] signature) {
        /** The SHA-256 of the pre-authentication encoding the signature is over (no copy of the payload made). */
        public byte[] paeSha256() {
            return Dsse.paeSha256(payloadType, payload);
        }
    }

    /** One transparency-log entry as the bundle carries it; {@code set} and {@code proof} may be null. */
    public record LogEntry(long logIndex, byte[] logId, String kind, String version, long integratedTime, byte[] set,
                           InclusionProof proof, byte[] body) {
    }

    /** An RFC 6962 inclusion proof and the checkpoint (a signed note) it was made against. */
    public record InclusionProof(long logIndex, long treeSize, byte[] rootHash, List<byte[]> hashes,
                                 String checkpoint) {
    }

    /** Reads a bundle; every malformed or missing field is named. */
    public static SigstoreBundle parse(String json) throws VerificationException {
        return parse(BundleJson.parse(json, "the bundle"), null);
    }

    /**
     * Reads a bundle already parsed by {@link BundleJson#parse} ({@code b}). A DSSE bundle stored without its
     * envelope's payload (a legacy layer's annotation, a referrer's bundle as read) gets {@code payload}, the
     * payload as decoded once from where it is stored; null to read it from the bundle. Given both, it is refused.
     */
    public static SigstoreBundle parse(JsonNode b, byte[] payload) throws VerificationException {
        String mediaType = field(b, "mediaType").asText("");
        if (!MEDIA_TYPES.contains(mediaType)) {
            throw new VerificationException("unsupported bundle media type '" + mediaType + "'");
        }
        JsonNode material = field(b, "verificationMaterial");
        if (!material.isObject()) {
            throw new VerificationException("the bundle has no verification material");
        }
        List<X509Certificate> certs = new ArrayList<>();
        JsonNode cert = field(material, "certificate");
        JsonNode chain = field(material, "x509CertificateChain");
        JsonNode key = field(material, "publicKey");
        if ((cert.isMissingNode() ? 0 : 1) + (chain.isMissingNode() ? 0 : 1) + (key.isMissingNode() ? 0 : 1) != 1) {
            throw new VerificationException("the bundle must hold exactly one of a certificate, a certificate chain "
                    + "and a public key");
        }
        if (!cert.isMissingNode()) {
            certs.add(certificate(field(cert, "rawBytes")));
        }
        for (JsonNode c : field(chain, "certificates")) {
            certs.add(certificate(field(c, "rawBytes")));
        }
        if (key.isMissingNode() && certs.isEmpty()) {
            throw new VerificationException("the bundle's certificate chain is empty");
        }
        JsonNode ms = field(b, "messageSignature");
        JsonNode dsse = field(b, "dsseEnvelope");
        if (ms.isMissingNode() == dsse.isMissingNode()) {
            throw new VerificationException("the bundle must hold exactly one of a message signature and a DSSE "
                    + "envelope");
        }
        MessageSignature signature = null;
        if (!ms.isMissingNode()) {
            JsonNode md = field(ms, "messageDigest");
            byte[] digest = null;
            if (!md.isMissingNode()) {
                String alg = field(md, "algorithm").asText("");
                if (!alg.equals("SHA2_256")) {
                    throw new VerificationException("unsupported message digest algorithm '" + alg + "'");
                }
                digest = bytes(field(md, "digest"), "message digest");
            }
            signature = new MessageSignature(digest, bytes(field(ms, "signature"), "signature"));
        }
        Envelope envelope = null;
        if (!dsse.isMissingNode()) {
            JsonNode sigs = dsse.path("signatures");
            if (sigs.size() != 1) {
                throw new VerificationException("the DSSE envelope must carry exactly one signature, it has "
                        + sigs.size());
            }
            if (payload != null && dsse.has("payload")) {
                throw new VerificationException("the bundle's DSSE envelope carries a payload of its own besides the "
                        + "stored one: readers could take either");
            }
            envelope = new Envelope(field(dsse, "payloadType").asText(""), payload != null ? payload
                    : bytes(dsse.path("payload"), "DSSE payload"), bytes(sigs.get(0).path("sig"), "DSSE signature"));
        }
        List<LogEntry> entries = new ArrayList<>();
        for (JsonNode e : field(material, "tlogEntries")) {
            entries.add(entry(e));
        }
        List<byte[]> timestamps = new ArrayList<>();
        for (JsonNode t : field(field(material, "timestampVerificationData"), "rfc3161Timestamps")) {
            timestamps.add(bytes(field(t, "signedTimestamp"), "RFC 3161 timestamp"));
        }
        return new SigstoreBundle(mediaType, List.copyOf(certs), key.isMissingNode() ? null : field(key, "hint")
                .asText(null), signature, envelope, List.copyOf(entries), List.copyOf(timestamps));
    }

    /**
     * The certificates of a bundle (UTF-8 JSON), leaf first, reading only its verification material: the rest (a
     * DSSE envelope of hundreds of megabytes) is skipped, never parsed. Empty for a key-signed bundle.
     */
    public static List<X509Certificate> certificates(byte[] json) throws VerificationException {
        JsonNode material = null;
        try (JsonParser p = AttestLimits.strictJson().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new VerificationException("the bundle is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (BundleJson.jsonName(name).equals("verificationMaterial")) {
                    material = p.readValueAsTree();
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new VerificationException("the bundle is not valid JSON");
        }
        List<X509Certificate> certs = new ArrayList<>();
        if (material == null) {
            return certs;
        }
        JsonNode cert = field(material, "certificate");
        if (!cert.isMissingNode()) {
            certs.add(certificate(field(cert, "rawBytes")));
        }
        for (JsonNode c : field(field(material, "x509CertificateChain"), "certificates")) {
            certs.add(certificate(field(c, "rawBytes")));
        }
        return certs;
    }

    /** Whether the signer is a key (not a certificate). */
    public boolean keySigned() {
        return certificates.isEmpty();
    }

    /** The signature: the DSSE envelope's, or the message signature's. */
    public byte[] signature() {
        return dsse != null ? dsse.signature() : messageSignature.signature();
    }

    private static LogEntry entry(JsonNode e) throws VerificationException {
        JsonNode kv = field(e, "kindVersion");
        InclusionProof proof = null;
        JsonNode p = field(e, "inclusionProof");
        if (!p.isMissingNode()) {
            List<byte[]> hashes = new ArrayList<>();
            for (JsonNode h : p.path("hashes")) {
                hashes.add(bytes(h, "inclusion proof hash"));
            }
            proof = new InclusionProof(number(field(p, "logIndex"), "inclusion proof log index"),
                    number(field(p, "treeSize"), "inclusion proof tree size"), bytes(field(p, "rootHash"),
                    "inclusion proof root hash"), List.copyOf(hashes), field(field(p, "checkpoint"), "envelope")
                    .asText(""));
        }
        JsonNode promise = field(e, "inclusionPromise");
        JsonNode set = field(promise, "signedEntryTimestamp");
        JsonNode time = field(e, "integratedTime");
        return new LogEntry(number(field(e, "logIndex"), "log index"), bytes(field(field(e, "logId"), "keyId"),
                "log id"), field(kv, "kind").asText(""), field(kv, "version").asText(""),
                time.isMissingNode() ? 0 : number(time, "integrated time"),
                set.isMissingNode() || set.asText("").isEmpty() ? null : bytes(set, "signed entry timestamp"),
                proof, bytes(field(e, "canonicalizedBody"), "log entry body"));
    }

    /** A field by its JSON name, or by its protobuf (snake_case) name. */
    static JsonNode field(JsonNode node, String jsonName) {
        JsonNode n = node.path(jsonName);
        return n.isMissingNode() ? node.path(jsonName.replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT)) : n;
    }

    private static X509Certificate certificate(JsonNode raw) throws VerificationException {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(bytes(raw, "certificate")));
        } catch (CertificateException e) {
            throw new VerificationException("the bundle's certificate cannot be read");
        }
    }

    /** A protobuf bytes field: standard or URL-safe base64. */
    static byte[] bytes(JsonNode n, String what) throws VerificationException {
        if (!n.isTextual()) {
            throw new VerificationException("the bundle's " + what + " is missing");
        }
        try {
            return Base64.getDecoder().decode(n.asText().replace('-', '+').replace('_', '/'));
        } catch (IllegalArgumentException e) {
            throw new VerificationException("the bundle's " + what + " is not base64");
        }
    }

    /** A protobuf int64: a JSON string or number. */
    static long number(JsonNode n, String what) throws VerificationException {
        try {
            if (n.isIntegralNumber() && n.canConvertToLong()) {
                return n.asLong();
            }
            if (n.isTextual()) {
                return Long.parseLong(n.asText());
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new VerificationException("the bundle's " + what + " is " + (n.isMissingNode() ? "missing"
                : "not a whole number"));
    }
}
