package dev.distill.attest.bundle;

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
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;

/**
 * Signing and verifying blobs with a key, stored as a Sigstore bundle (v0.3) holding a message signature: the
 * SHA-256 digest of the blob and an ECDSA P-256 signature over the blob, with a hint naming the public key. This
 * is what {@code cosign sign-blob --key K --bundle B --tlog-upload=false} records; no transparency-log entry is
 * made (that needs a Sigstore instance and comes with keyless signing).
 */
public final class BlobSignatures {
    public static final String BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";

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
}
