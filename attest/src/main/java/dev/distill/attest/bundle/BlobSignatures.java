package dev.distill.attest.bundle;

import dev.distill.attest.VerificationException;
import dev.distill.attest.AttestLimits;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.attest.dsse.Dsse;
import dev.distill.attest.dsse.ExactBytes;
import dev.distill.attest.keys.KeyTypes;
import dev.distill.oci.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Signing and verifying blobs with a key, stored as a Sigstore bundle (v0.3) holding a message signature: the
 * SHA-256 digest of the blob and an ECDSA P-256 signature over the blob, with a hint naming the public key. This
 * is what {@code cosign sign-blob --key K --bundle B --tlog-upload=false} records; no transparency-log entry is
 * made (that needs a Sigstore instance and comes with keyless signing).
 */
public final class BlobSignatures {
    public static final String BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";
    private static final Set<String> BUNDLE_TYPES = Set.of("application/vnd.dev.sigstore.bundle+json;version=0.1",
            "application/vnd.dev.sigstore.bundle+json;version=0.2", BUNDLE_V03);

    private BlobSignatures() {
    }

    /** Signs the blob's bytes; returns the bundle JSON. */
    public static String sign(PrivateKey key, PublicKey publicKey, byte[] blob) throws GeneralSecurityException {
        Signature s = KeyTypes.signing(key);
        s.update(blob);
        byte[] signature = s.sign();
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode bundle = m.createObjectNode();
        bundle.put("mediaType", BUNDLE_V03);
        ObjectNode material = bundle.putObject("verificationMaterial");
        material.putObject("publicKey").put("hint", hint(publicKey));
        material.putArray("tlogEntries");
        ObjectNode ms = bundle.putObject("messageSignature");
        ms.putObject("messageDigest").put("algorithm", "SHA2_256")
                .put("digest", Base64.getEncoder().encodeToString(Digest.newSha256().digest(blob)));
        ms.put("signature", Base64.getEncoder().encodeToString(signature));
        try {
            return m.writeValueAsString(bundle) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A key-signed DSSE envelope (JSON, as {@link dev.distill.attest.dsse.Dsse#sign} writes it) in a Sigstore
     * bundle v0.3, with no transparency-log entry; what referrer attestations signed with a key carry.
     */
    public static String dsseBundle(PublicKey publicKey, byte[] envelopeJson) throws IOException {
        ObjectNode material = new ObjectMapper().createObjectNode();
        material.put("mediaType", BUNDLE_V03);
        ObjectNode verification = material.putObject("verificationMaterial");
        verification.putObject("publicKey").put("hint", hint(publicKey));
        verification.putArray("tlogEntries");
        return withEnvelope(material, envelopeJson);
    }

    /**
     * A DSSE bundle signed with a key: the public key's hint, no log entry, and the envelope of one signature over
     * the payload (as {@link #dsseBundle(ObjectNode, String, byte[], byte[])} writes it).
     */
    public static byte[] dsseBundle(PublicKey publicKey, String payloadType, byte[] payload, byte[] signature)
            throws IOException {
        ObjectNode material = new ObjectMapper().createObjectNode();
        material.put("mediaType", BUNDLE_V03);
        ObjectNode verification = material.putObject("verificationMaterial");
        verification.putObject("publicKey").put("hint", hint(publicKey));
        verification.putArray("tlogEntries");
        return dsseBundle(material, payloadType, payload, signature);
    }

    /**
     * The bundle {@code rest} (media type and verification material) with a DSSE envelope as its last field, and a
     * newline: UTF-8 JSON written as a stream into an array of its exact size, the payload's base64 straight from
     * its bytes. The same bytes as {@link #withEnvelope} makes of the same envelope.
     */
    public static byte[] dsseBundle(ObjectNode rest, String payloadType, byte[] payload, byte[] signature)
            throws IOException {
        return ExactBytes.of(payload, (g, p) -> {
            g.writeStartObject();
            for (Iterator<Map.Entry<String, JsonNode>> it = rest.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                g.writeFieldName(f.getKey());
                g.writeTree(f.getValue());
            }
            g.writeFieldName("dsseEnvelope");
            Dsse.write(g, payloadType, p, signature);
            g.writeEndObject();
            g.writeRaw('\n');
        });
    }

    /**
     * The bundle {@code rest} (media type and verification material) with the DSSE envelope (JSON, as
     * {@link dev.distill.attest.dsse.Dsse#envelope} writes it) as its last field, and a newline.
     */
    public static String withEnvelope(ObjectNode rest, byte[] envelopeJson) throws IOException {
        if (envelopeJson.length < 2 || envelopeJson[0] != '{' || envelopeJson[envelopeJson.length - 1] != '}') {
            throw new IOException("a DSSE envelope must be a JSON object");
        }
        // The envelope is spliced in as it is, not parsed and written again: it may hold hundreds of megabytes.
        String head = rest.toString();
        return head.substring(0, head.length() - 1) + (rest.isEmpty() ? "" : ",") + "\"dsseEnvelope\":"
                + new String(envelopeJson, StandardCharsets.UTF_8) + "}\n";
    }

    /** The key's hint: base64 of the SHA-256 of its SubjectPublicKeyInfo. */
    public static String hint(PublicKey key) {
        return Base64.getEncoder().encodeToString(Digest.newSha256().digest(key.getEncoded()));
    }

    /**
     * Verifies a bundle against a blob (its bytes) or only its digest ({@code blob} null, {@code sha256} given),
     * with a public key. Every check must hold; the first that does not is the exception's message.
     */
    public static void verify(String bundleJson, PublicKey key, byte[] blob, byte[] sha256)
            throws VerificationException {
        JsonNode bundle;
        try {
            bundle = AttestLimits.json().readTree(bundleJson);
        } catch (IOException e) {
            throw new VerificationException("the bundle is not valid JSON");
        }
        String mediaType = bundle.path("mediaType").asText("");
        if (!BUNDLE_TYPES.contains(mediaType)) {
            throw new VerificationException("unsupported bundle media type '" + mediaType + "'");
        }
        JsonNode ms = bundle.path("messageSignature");
        byte[] digest = blob != null ? Digest.newSha256().digest(blob) : sha256;
        if (digest == null) {
            throw new VerificationException("nothing to verify against: neither the blob nor its digest");
        }
        if (ms.isObject() == bundle.has("dsseEnvelope")) {
            throw new VerificationException("the bundle must hold exactly one of a message signature and a DSSE "
                    + "envelope");
        }
        String hint = bundle.path("verificationMaterial").path("publicKey").path("hint").asText(null);
        if (hint != null && !hint.isEmpty() && !hint.equals(hint(key))) {
            throw new VerificationException("the bundle names another public key (hint " + hint + ")");
        }
        if (!ms.isObject()) {
            verifyStatement(bundle.path("dsseEnvelope"), key, digest);
            return;
        }
        JsonNode md = ms.path("messageDigest");
        if (!md.isMissingNode()) {
            if (!md.path("algorithm").asText().equals("SHA2_256")) {
                throw new VerificationException("unsupported message digest algorithm '" + md.path("algorithm")
                        .asText() + "'");
            }
            if (!MessageDigest.isEqual(decode(md.path("digest").asText(), "message digest"), digest)) {
                throw new VerificationException("the bundle is for another blob: its digest is sha256:"
                        + HexFormat.of().formatHex(decode(md.path("digest").asText(), "message digest"))
                        + ", the blob's is sha256:" + HexFormat.of().formatHex(digest));
            }
        }
        byte[] signature = decode(ms.path("signature").asText(""), "signature");
        try {
            boolean ok;
            if (blob != null) {
                Signature s = KeyTypes.verifying(key);
                s.update(blob);
                ok = s.verify(signature);
            } else {
                Signature s = KeyTypes.verifyingSha256Digest(key);
                s.update(digest);
                ok = s.verify(signature);
            }
            if (!ok) {
                throw new VerificationException("the signature does not verify with the given key");
            }
        } catch (GeneralSecurityException e) {
            throw new VerificationException("the signature cannot be checked: " + e.getMessage());
        }
    }

    /**
     * A DSSE envelope in a bundle: exactly one signature (the bundle format allows no more), which must verify
     * with the key over an in-toto statement whose subjects include the digest.
     */
    private static void verifyStatement(JsonNode envelope, PublicKey key, byte[] digest)
            throws VerificationException {
        if (envelope.path("signatures").size() != 1) {
            throw new VerificationException("the DSSE envelope must carry exactly one signature, it has "
                    + envelope.path("signatures").size());
        }
        byte[] payload = dev.distill.attest.dsse.Dsse.verify(envelope.toString().getBytes(
                java.nio.charset.StandardCharsets.UTF_8), dev.distill.attest.dsse.Dsse.IN_TOTO, key);
        JsonNode statement;
        try {
            statement = new ObjectMapper().readTree(payload);
        } catch (IOException e) {
            throw new VerificationException("the envelope's payload is not JSON");
        }
        String hex = HexFormat.of().formatHex(digest);
        for (JsonNode s : statement == null ? List.<JsonNode>of() : statement.path("subject")) {
            if (hex.equals(s.path("digest").path("sha256").asText())) {
                return;
            }
        }
        throw new VerificationException("the attestation is about another artifact: no subject has digest sha256:"
                + hex);
    }

    private static byte[] decode(String b64, String what) throws VerificationException {
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new VerificationException("the bundle's " + what + " is not base64");
        }
    }
}
