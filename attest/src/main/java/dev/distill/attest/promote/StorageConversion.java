package dev.distill.attest.promote;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.attest.AttestLimits;
import dev.distill.attest.VerificationException;
import dev.distill.attest.bundle.BlobSignatures;
import dev.distill.attest.dsse.Dsse;
import dev.distill.attest.image.CosignLayers;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.sign.SigningException;
import dev.distill.oci.ImageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Attestations re-packaged from one storage into the other without signing again: an attestation is a DSSE
 * envelope in both, signed over the same pre-authentication encoding of the same statement, so moving it is
 * moving bytes. A {@code .att} layer holds the envelope and, when keyless, the Sigstore bundle without its payload
 * (certificate, log entry, timestamps) in an annotation; a referrer holds that bundle whole. Signatures cannot be
 * moved this way: a {@code .sig} layer signs cosign's simple-signing payload and a referrer signature signs the
 * image manifest itself, so one is not the other without the signer's key (see {@link AttachmentCopy}).
 */
final class StorageConversion {
    /** An attachment that cannot be stored the way a promotion asks without signing it again. */
    static final class NotConvertible extends ImageException {
        NotConvertible(String message) {
            super(message);
        }
    }

    private StorageConversion() {
    }

    /**
     * Why the {@code .att} layer with these annotations cannot become a bundle, or null when it can: a keyless
     * layer needs distill's whole Sigstore bundle (cosign's own keyless layer carries only the certificate and the
     * log's signed entry timestamp, not the inclusion proof a bundle needs).
     */
    static String whyNotBundle(Map<String, String> annotations) {
        Map<String, String> a = annotations == null ? Map.of() : annotations;
        if (a.containsKey(CosignLayers.SIGSTORE_BUNDLE_ANNOTATION)) {
            return null;
        }
        if (a.containsKey(CosignLayers.CERTIFICATE_ANNOTATION) || a.containsKey(CosignLayers.REKOR_BUNDLE_ANNOTATION)) {
            return "it carries a certificate or log entry without the Sigstore bundle (cosign keyless, no inclusion "
                    + "proof), which a referrer bundle cannot be made from";
        }
        return null;
    }

    /**
     * The Sigstore bundle a {@code .att} layer stands for: keyless, the layer's bundle annotation with the
     * envelope's payload put back in (as verification does); with a key, the envelope as it is, with an empty
     * public-key hint (the layer does not say which key; a verifier with the key does not need it).
     */
    static byte[] bundleOf(byte[] envelope, Map<String, String> annotations, String name) throws ImageException {
        String why = whyNotBundle(annotations);
        if (why != null) {
            throw new NotConvertible("attestation " + name + " cannot be stored as a referrer: " + why);
        }
        String annotated = annotations == null ? null : annotations.get(CosignLayers.SIGSTORE_BUNDLE_ANNOTATION);
        try {
            if (annotated == null) {
                if (envelope.length < 2 || envelope[0] != '{') {
                    throw new ImageException("attestation " + name + " holds no DSSE envelope");
                }
                ObjectNode head = AttestLimits.json().createObjectNode();
                head.put("mediaType", BlobSignatures.BUNDLE_V03);
                ObjectNode material = head.putObject("verificationMaterial");
                material.putObject("publicKey");
                material.putArray("tlogEntries");
                String h = head.toString();
                // The envelope spliced in as it is: its payload may be hundreds of megabytes.
                String body = new String(envelope, StandardCharsets.UTF_8).strip();
                return (h.substring(0, h.length() - 1) + ",\"dsseEnvelope\":" + body + "}\n")
                        .getBytes(StandardCharsets.UTF_8);
            }
            JsonNode b = AttestLimits.json().readTree(annotated);
            JsonNode layer = AttestLimits.json().readTree(envelope);
            if (b == null || !b.path("dsseEnvelope").isObject() || layer == null || !layer.path("payload").isTextual()) {
                throw new ImageException("attestation " + name + ": its Sigstore bundle or envelope holds no DSSE "
                        + "envelope");
            }
            ObjectNode dsse = (ObjectNode) b.path("dsseEnvelope");
            if (dsse.has("payload") && !dsse.path("payload").equals(layer.path("payload"))) {
                throw new ImageException("attestation " + name + ": its envelope differs from the one its Sigstore "
                        + "bundle signs");
            }
            dsse.set("payload", layer.path("payload"));
            return (AttestLimits.json().writeValueAsString(b) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (ImageException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageException("attestation " + name + " is not JSON");
        }
    }

    /** The {@code .att} layer a DSSE bundle stands for, as {@code distill attest} writes it from the same bundle. */
    static ImageAttestations.Signed layerOf(byte[] bundle, String name) throws ImageException {
        ImageAttestations.Signed layer;
        try {
            layer = CosignLayers.attestationLayer(bundle);
        } catch (SigningException e) {
            throw new ImageException("referrer " + name + " cannot be stored as a .att layer: "
                    + e.getMessage().replace("the signer returned ", "it is "));
        }
        Map<String, String> annotations = new LinkedHashMap<>(layer.annotations());
        annotations.put("predicateType", predicateType(layer.envelope(), name));
        return new ImageAttestations.Signed(layer.envelope(), annotations);
    }

    /** The predicate type of the statement an envelope carries (a listing hint, as the annotation is). */
    static String predicateType(byte[] envelope, String name) throws ImageException {
        byte[] statement;
        try {
            statement = Dsse.parse(envelope).payload();
        } catch (VerificationException e) {
            throw new ImageException("attestation " + name + ": " + e.getMessage());
        }
        try (JsonParser p = AttestLimits.json().createParser(statement)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (field.equals("predicateType") && value == JsonToken.VALUE_STRING) {
                        return p.getText();
                    }
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new ImageException("attestation " + name + " does not carry a JSON statement");
        }
        throw new ImageException("attestation " + name + " carries a statement without a predicate type");
    }
}
