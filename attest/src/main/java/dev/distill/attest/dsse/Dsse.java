package dev.distill.attest.dsse;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.distill.attest.AttestLimits;
import dev.distill.attest.VerificationException;
import dev.distill.attest.keys.KeyTypes;
import dev.distill.oci.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Dead Simple Signing Envelopes: the signature is over the pre-authentication encoding
 * {@code "DSSEv1" SP len(type) SP type SP len(payload) SP payload}, never over the bare payload, so a payload
 * cannot be replayed as another type.
 */
public final class Dsse {
    public static final String IN_TOTO = "application/vnd.in-toto+json";
    /** Standard base64, padding optional, as {@link Base64#getDecoder()} reads it. */
    private static final Base64Variant BASE64 = Base64Variants.MIME_NO_LINEFEEDS.withReadPadding(
            Base64Variant.PaddingReadBehaviour.PADDING_ALLOWED);

    private Dsse() {
    }

    /** The pre-authentication encoding. */
    public static byte[] pae(String payloadType, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            pae(payloadType, payload, out::writeBytes);
        } catch (SignatureException e) {
            throw new IllegalStateException("a byte array does not fail", e);
        }
        return out.toByteArray();
    }

    /** Feeds the pre-authentication encoding to a signature without copying the payload into it. */
    public static void update(Signature s, String payloadType, byte[] payload) throws SignatureException {
        pae(payloadType, payload, s::update);
    }

    /** The SHA-256 of the pre-authentication encoding, without a copy of the payload. */
    public static byte[] paeSha256(String payloadType, byte[] payload) {
        MessageDigest d = Digest.newSha256();
        try {
            pae(payloadType, payload, d::update);
        } catch (SignatureException e) {
            throw new IllegalStateException("a digest does not fail", e);
        }
        return d.digest();
    }

    /** The pre-authentication encoding in its four parts, the payload as given (not copied). */
    private static void pae(String payloadType, byte[] payload, Sink sink) throws SignatureException {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        sink.accept(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.UTF_8));
        sink.accept(type);
        sink.accept((" " + payload.length + " ").getBytes(StandardCharsets.UTF_8));
        sink.accept(payload);
    }

    /** Where the encoding's parts go: a buffer, a digest or a signature (only the last can fail). */
    private interface Sink {
        void accept(byte[] part) throws SignatureException;
    }

    /** The signature over the pre-authentication encoding (what an envelope's one signature is). */
    public static byte[] signature(PrivateKey key, String payloadType, byte[] payload)
            throws GeneralSecurityException {
        Signature s = KeyTypes.signing(key);
        update(s, payloadType, payload);
        return s.sign();
    }

    /** An envelope with one signature, as compact JSON, written as a stream (the payload may be large). */
    public static byte[] sign(PrivateKey key, String payloadType, byte[] payload) throws GeneralSecurityException {
        return envelope(payloadType, payload, signature(key, payloadType, payload));
    }

    /** The envelope JSON: payload type, base64 payload, one signature with an empty key id. */
    public static byte[] envelope(String payloadType, byte[] payload, byte[] signature) {
        try {
            return ExactBytes.of(payload, (g, p) -> write(g, payloadType, p, signature));
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed: " + e.getMessage(), e);
        }
    }

    /**
     * Writes the envelope object to {@code g}, the payload as base64 straight from its bytes (never a string of
     * it): the one envelope writer, for envelopes alone and inside bundles.
     */
    public static void write(JsonGenerator g, String payloadType, byte[] payload, byte[] signature)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("payloadType", payloadType);
        g.writeFieldName("payload");
        g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, payload, 0, payload.length);
        g.writeArrayFieldStart("signatures");
        g.writeStartObject();
        g.writeStringField("keyid", "");
        g.writeStringField("sig", Base64.getEncoder().encodeToString(signature));
        g.writeEndObject();
        g.writeEndArray();
        g.writeEndObject();
    }

    /**
     * Verifies an envelope of the expected payload type with the key; returns the payload. At least one signature
     * must verify; the payload type is checked, not assumed.
     */
    public static byte[] verify(byte[] envelope, String expectedType, PublicKey key) throws VerificationException {
        Parsed env = parse(envelope);
        if (!env.payloadType().equals(expectedType)) {
            throw new VerificationException("the envelope's payload type is '" + env.payloadType() + "', not "
                    + expectedType);
        }
        for (String sig : env.signatures()) {
            try {
                Signature s = KeyTypes.verifying(key);
                update(s, env.payloadType(), env.payload());
                if (s.verify(Base64.getDecoder().decode(sig))) {
                    return env.payload();
                }
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // a malformed signature is one that does not verify; the others may
            }
        }
        throw new VerificationException("no signature of the envelope verifies with the key");
    }

    /** An envelope as read: its payload type, decoded payload and base64 signatures. */
    public record Parsed(String payloadType, byte[] payload, List<String> signatures) {
    }

    /**
     * Reads an envelope as a stream, decoding the payload straight from its base64 (a payload of hundreds of
     * megabytes is never held as text). A field given twice is refused: two readers could take either.
     */
    public static Parsed parse(byte[] envelope) throws VerificationException {
        String type = null;
        byte[] payload = null;
        List<String> signatures = null;
        try (JsonParser p = AttestLimits.strictJson().createParser(envelope)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new VerificationException("the DSSE envelope is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "payloadType" -> type = value == JsonToken.VALUE_STRING ? p.getText() : "";
                    case "payload" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            throw new VerificationException("the envelope's payload is not base64");
                        }
                        payload = p.getBinaryValue(BASE64);
                    }
                    case "signatures" -> {
                        signatures = new ArrayList<>();
                        for (JsonNode sig : (JsonNode) p.readValueAsTree()) {
                            signatures.add(sig.path("sig").asText(""));
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (com.fasterxml.jackson.core.JsonParseException e) {
            if (e.getMessage() != null && e.getMessage().contains("Failed to decode")) {
                throw new VerificationException("the envelope's payload is not base64");
            }
            throw new VerificationException("the DSSE envelope is not valid JSON");
        } catch (IOException | IllegalArgumentException e) {
            throw new VerificationException("the DSSE envelope is not valid JSON");
        }
        return new Parsed(type == null ? "" : type, payload == null ? new byte[0] : payload,
                signatures == null ? List.of() : signatures);
    }
}
