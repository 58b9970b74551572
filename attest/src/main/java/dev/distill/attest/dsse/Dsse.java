package dev.distill.attest.dsse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.attest.bundle.VerificationException;
import dev.distill.attest.keys.KeyTypes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * Dead Simple Signing Envelopes: the signature is over the pre-authentication encoding
 * {@code "DSSEv1" SP len(type) SP type SP len(payload) SP payload}, never over the bare payload, so a payload
 * cannot be replayed as another type.
 */
public final class Dsse {
    public static final String IN_TOTO = "application/vnd.in-toto+json";

    private Dsse() {
    }

    /** The pre-authentication encoding. */
    public static byte[] pae(String payloadType, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(type);
        out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** An envelope with one ECDSA signature, as compact JSON. */
    public static byte[] sign(PrivateKey key, String payloadType, byte[] payload) throws GeneralSecurityException {
        Signature s = KeyTypes.signing(key);
        s.update(pae(payloadType, payload));
        ObjectNode env = new ObjectMapper().createObjectNode();
        env.put("payloadType", payloadType);
        env.put("payload", Base64.getEncoder().encodeToString(payload));
        env.putArray("signatures").addObject().put("keyid", "").put("sig",
                Base64.getEncoder().encodeToString(s.sign()));
        return env.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Verifies an envelope of the expected payload type with the key; returns the payload. At least one signature
     * must verify; the payload type is checked, not assumed.
     */
    public static byte[] verify(byte[] envelope, String expectedType, PublicKey key) throws VerificationException {
        JsonNode env;
        try {
            env = new ObjectMapper().readTree(envelope);
        } catch (IOException e) {
            throw new VerificationException("the DSSE envelope is not valid JSON");
        }
        String type = env.path("payloadType").asText("");
        if (!type.equals(expectedType)) {
            throw new VerificationException("the envelope's payload type is '" + type + "', not " + expectedType);
        }
        byte[] payload;
        try {
            payload = Base64.getDecoder().decode(env.path("payload").asText(""));
        } catch (IllegalArgumentException e) {
            throw new VerificationException("the envelope's payload is not base64");
        }
        byte[] pae = pae(type, payload);
        for (JsonNode sig : env.path("signatures")) {
            try {
                Signature s = KeyTypes.verifying(key);
                s.update(pae);
                if (s.verify(Base64.getDecoder().decode(sig.path("sig").asText("")))) {
                    return payload;
                }
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // a malformed signature is one that does not verify; the others may
            }
        }
        throw new VerificationException("no signature of the envelope verifies with the key");
    }
}
