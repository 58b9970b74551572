package dev.distill.attest.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distill.attest.bundle.BundleJson;
import dev.distill.attest.VerificationException;
import dev.distill.attest.dsse.Dsse;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.image.ImageSignatures;
import dev.distill.attest.keyless.Identity;
import dev.distill.attest.image.CosignLayers;
import dev.distill.attest.keyless.SigstoreInstance;
import dev.distill.oci.Digest;
import java.security.MessageDigest;
import java.util.HexFormat;

/** The keyless checks of image signature and attestation layers, through the {@link Verifier}. */
public final class ImageChecks {
    private ImageChecks() {
    }

    /**
     * Checks keyless attestation layers: the layer's Sigstore bundle must verify, signed by {@code who}, with
     * an in-toto statement whose subject is the image's digest; the layer's envelope must carry that same
     * statement. Returns the statement that verified.
     */
    public static ImageAttestations.EnvelopeCheck envelopeCheck(Identity who, SigstoreInstance instance) {
        return (envelope, annotations, image, name) -> {
            String bundle = annotations.get(CosignLayers.SIGSTORE_BUNDLE_ANNOTATION);
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
                // The layer's envelope is read as a stream, its payload decoded once from the base64 (a predicate of
                // hundreds of megabytes is never held as text, nor twice).
                byte[] layerPayload = Dsse.parse(envelope).payload();
                SigstoreBundle signed;
                if (!dsse.has("payload")) {
                    // The annotation holds the bundle without its payload, which is the layer's (a manifest has
                    // no room for the statement): the layer's payload goes back in, and must verify.
                    signed = SigstoreBundle.parse(b, layerPayload);
                } else {
                    signed = SigstoreBundle.parse(b, null);
                }
                byte[] payload = Verifier.builder().identity(who).trustedRoot(instance).build().verify(signed,
                        Verifier.Artifact.ofDigest(HexFormat.of().parseHex(image.hex()))).payload();
                if (payload == null || !MessageDigest.isEqual(payload, layerPayload)) {
                    throw new VerificationException("the envelope differs from the one its Sigstore bundle signs");
                }
                return payload;
            } catch (VerificationException e) {
                throw new VerificationException("attestation " + name + ": " + e.getMessage());
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
            String bundle = annotations.get(CosignLayers.SIGSTORE_BUNDLE_ANNOTATION);
            if (bundle == null && annotations.containsKey(CosignLayers.CERTIFICATE_ANNOTATION)) {
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
                Verifier.builder().identity(who).trustedRoot(instance).build().verify(bundle, new Verifier.Artifact(
                        Digest.newSha256().digest(payload), payload));
            } catch (VerificationException e) {
                throw new VerificationException("signature " + name + ": " + e.getMessage());
            }
        };
    }

}
