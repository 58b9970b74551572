package dev.distill.attest.image;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.attest.AttestLimits;
import dev.distill.attest.dsse.Dsse;
import dev.distill.attest.sign.SigningException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * cosign's layout of signature and attestation layers, translated from the Sigstore bundles a
 * {@link dev.distill.attest.sign.Signer} makes: which annotations a layer carries, and the envelope an
 * attestation layer holds. The annotation names live here, with the storage, not with the signer.
 */
public final class CosignLayers {
    /** The base64 signature of a signature layer (empty on attestation layers, whose envelope holds it). */
    public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
    /** A keyless layer's Fulcio certificate (PEM). */
    public static final String CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate";
    /** The certificates above it, when the bundle has a chain (PEM, concatenated). */
    public static final String CHAIN_ANNOTATION = "dev.sigstore.cosign/chain";
    /** cosign's Rekor "bundle": the signed entry timestamp and the entry, for Rekor v1 entries only. */
    public static final String REKOR_BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle";
    /**
     * The whole Sigstore bundle, with the inclusion proof and checkpoint that cosign's SET-only annotation lacks;
     * distill verifies keyless layers from it. cosign ignores annotations it does not know.
     */
    public static final String SIGSTORE_BUNDLE_ANNOTATION = "dev.distill/sigstore-bundle";

    private static final ObjectMapper JSON = new ObjectMapper();

    private CosignLayers() {
    }

    /**
     * The annotations of a signature layer, from a message-signature bundle: the signature; for a keyless bundle
     * also the certificate, the chain when there is one, the Rekor bundle when the entry has a signed entry
     * timestamp, and the Sigstore bundle itself. A key-signed layer carries the signature alone, as cosign's.
     */
    public static Map<String, String> signatureAnnotations(String bundleJson) throws SigningException {
        JsonNode b = read(bundleJson);
        Map<String, String> out = new LinkedHashMap<>();
        out.put(SIGNATURE_ANNOTATION, b.path("messageSignature").path("signature").asText());
        out.putAll(keylessAnnotations(b));
        return out;
    }

    /**
     * The envelope of an attestation layer and the layer's annotations, from a DSSE bundle: the envelope as cosign
     * writes it (one signature, empty key id), an empty signature annotation, and for a keyless bundle the
     * certificate, chain and Sigstore bundle as for signatures.
     */
    public static ImageAttestations.Signed attestationLayer(byte[] bundleJson) throws SigningException {
        // Read as a stream: the envelope's payload may be hundreds of megabytes, the rest is small.
        String mediaType = null;
        JsonNode material = null;
        String payloadType = null;
        byte[] payload = null;
        JsonNode signatures = null;
        try (JsonParser p = AttestLimits.json().createParser(bundleJson)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new SigningException("the signer returned a bundle that is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "mediaType" -> mediaType = p.getValueAsString();
                    case "verificationMaterial" -> material = p.readValueAsTree();
                    case "dsseEnvelope" -> {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            p.nextToken();
                            switch (f) {
                                case "payloadType" -> payloadType = p.getValueAsString();
                                case "payload" -> payload = p.getBinaryValue();
                                case "signatures" -> signatures = p.readValueAsTree();
                                default -> p.skipChildren();
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new SigningException("the signer returned a bundle that is not JSON");
        }
        if (payloadType == null || payload == null || signatures == null || signatures.size() != 1) {
            throw new SigningException("the signer returned a bundle without a DSSE envelope of one signature");
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(signatures.path(0).path("sig").asText());
        } catch (IllegalArgumentException e) {
            throw new SigningException("the signer returned a signature that is not base64");
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(SIGNATURE_ANNOTATION, "");
        ObjectNode b = JSON.createObjectNode();
        b.put("mediaType", mediaType);
        b.set("verificationMaterial", material == null ? JSON.createObjectNode() : material);
        // The bundle without the payload, which the layer's envelope carries: a manifest has room for kilobytes
        // of annotations, not for the statement (verification puts the layer's payload back in).
        ObjectNode dsse = b.putObject("dsseEnvelope");
        dsse.put("payloadType", payloadType);
        dsse.set("signatures", signatures);
        annotations.putAll(keylessAnnotations(b));
        return new ImageAttestations.Signed(Dsse.envelope(payloadType, payload, signature), annotations);
    }

    private static Map<String, String> keylessAnnotations(JsonNode b) throws SigningException {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode material = b.path("verificationMaterial");
        List<String> certs = new ArrayList<>();
        if (material.has("certificate")) {
            certs.add(material.path("certificate").path("rawBytes").asText());
        }
        for (JsonNode c : material.path("x509CertificateChain").path("certificates")) {
            certs.add(c.path("rawBytes").asText());
        }
        if (certs.isEmpty()) {
            return out; // signed with a key
        }
        out.put(CERTIFICATE_ANNOTATION, pem(certs.get(0)));
        if (certs.size() > 1) {
            StringBuilder chain = new StringBuilder();
            certs.subList(1, certs.size()).forEach(c -> chain.append(pem(c)));
            out.put(CHAIN_ANNOTATION, chain.toString());
        }
        JsonNode entry = material.path("tlogEntries").path(0);
        // cosign's Rekor "bundle" holds a signed entry timestamp, which Rekor v2 entries do not have.
        if (entry.isObject() && entry.has("inclusionPromise")) {
            ObjectNode rekor = JSON.createObjectNode();
            rekor.put("SignedEntryTimestamp", entry.path("inclusionPromise").path("signedEntryTimestamp").asText());
            ObjectNode p = rekor.putObject("Payload");
            p.put("body", entry.path("canonicalizedBody").asText());
            p.put("integratedTime", entry.path("integratedTime").asLong());
            p.put("logIndex", entry.path("logIndex").asLong());
            try {
                p.put("logID", HexFormat.of().formatHex(Base64.getDecoder().decode(
                        entry.path("logId").path("keyId").asText())));
            } catch (IllegalArgumentException e) {
                throw new SigningException("the signer returned a bundle whose log id is not base64");
            }
            out.put(REKOR_BUNDLE_ANNOTATION, rekor.toString());
        }
        out.put(SIGSTORE_BUNDLE_ANNOTATION, b.toString());
        return out;
    }

    private static JsonNode read(String bundleJson) throws SigningException {
        try {
            JsonNode b = AttestLimits.json().readTree(bundleJson);
            if (b == null || !b.isObject()) {
                throw new SigningException("the signer returned a bundle that is not a JSON object");
            }
            return b;
        } catch (IOException e) {
            throw new SigningException("the signer returned a bundle that is not JSON");
        }
    }

    private static String pem(String base64Der) {
        String body = base64Der.replaceAll("(.{64})", "$1\n");
        return "-----BEGIN CERTIFICATE-----\n" + body + (body.endsWith("\n") ? "" : "\n")
                + "-----END CERTIFICATE-----\n";
    }
}
