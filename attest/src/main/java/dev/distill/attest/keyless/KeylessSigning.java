package dev.distill.attest.keyless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.image.ImageSignatures;
import dev.sigstore.AlgorithmRegistry;
import dev.sigstore.KeylessSigner;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.oidc.client.OidcClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keyless signing through sigstore-java's {@link KeylessSigner}: an ephemeral P-256 key, a short-lived Fulcio
 * certificate for the identity token's subject, the signature logged in Rekor (the inclusion proof and signed
 * checkpoint are checked before a bundle is returned). One instance signs many digests with one certificate.
 */
public final class KeylessSigning implements AutoCloseable {
    private final KeylessSigner signer;
    private final SigstoreInstance instance;

    private KeylessSigning(KeylessSigner signer, SigstoreInstance instance) {
        this.signer = signer;
        this.instance = instance;
    }

    /**
     * Opens a signer. For attestations ({@code forAttestations}), sigstore-java logs the DSSE envelope in Rekor
     * v2 and takes a timestamp from the TSA (its {@code attest} needs both); otherwise it uses Rekor v1, whose
     * signed entry timestamp cosign's legacy image-signature annotations carry.
     */
    public static KeylessSigning open(SigstoreInstance instance, OidcClients tokens, boolean forAttestations)
            throws KeylessException {
        try {
            KeylessSigner signer = KeylessSigner.builder()
                    .trustedRootProvider(instance.trustedRootProvider())
                    .signingConfigProvider(instance.signingConfigProvider())
                    .forceCredentialProviders(tokens)
                    .allowedOidcIdentities(List.of())
                    .signingAlgorithm(AlgorithmRegistry.SigningAlgorithm.PKIX_ECDSA_P256_SHA_256)
                    .minSigningCertificateLifetime(Duration.ofMinutes(1))
                    .enableRekorV2(forAttestations)
                    .build();
            return new KeylessSigning(signer, instance);
        } catch (KeylessException e) {
            throw e;
        } catch (Exception e) {
            throw new KeylessException(instance.describe() + ": cannot set up keyless signing: " + message(e), e);
        }
    }

    /** Signs a SHA-256 digest (of a blob, or of an image signature payload); returns the Sigstore bundle JSON. */
    public String signDigest(byte[] sha256) throws KeylessException {
        try {
            Bundle bundle = signer.sign(sha256);
            return bundle.toJson();
        } catch (Exception e) {
            throw new KeylessException(instance.describe() + ": keyless signing failed: " + message(e), e);
        }
    }

    /**
     * Signs an in-toto statement (JSON) into a DSSE envelope; returns the Sigstore bundle JSON. The statement is
     * signed as ASCII JSON (other characters as {@code \\u} escapes, the same JSON value): sigstore-java 2.0.0
     * (and 2.2.0) builds the DSSE pre-authentication encoding with the payload's length in UTF-16 characters, not
     * bytes, so any other character would yield a signature that no DSSE verifier (sigstore-js, cosign, distill)
     * accepts.
     */
    public String attest(byte[] statement) throws KeylessException {
        try {
            return signer.attest(new String(asciiJson(statement), java.nio.charset.StandardCharsets.US_ASCII))
                    .toJson();
        } catch (Exception e) {
            throw new KeylessException(instance.describe() + ": keyless attestation failed: " + message(e), e);
        }
    }

    /**
     * Signs image attestations keyless: the layer carries the DSSE envelope, with the certificate and the whole
     * Sigstore bundle (Rekor v2 entry and TSA timestamp) as annotations.
     */
    public ImageAttestations.EnvelopeSigner envelopeSigner() {
        return statement -> {
            String bundle = attest(statement);
            try {
                JsonNode dsse = new ObjectMapper().readTree(bundle).path("dsseEnvelope");
                ObjectNode envelope = new ObjectMapper().createObjectNode();
                envelope.put("payloadType", dsse.path("payloadType").asText());
                envelope.put("payload", dsse.path("payload").asText());
                ObjectNode sig = envelope.putArray("signatures").addObject();
                sig.put("keyid", "");
                sig.put("sig", dsse.path("signatures").path(0).path("sig").asText());
                Map<String, String> annotations = layerAnnotations(bundle);
                annotations.put(ImageSignatures.SIGNATURE_ANNOTATION, "");
                return new ImageAttestations.Signed(envelope.toString().getBytes(
                        java.nio.charset.StandardCharsets.UTF_8), annotations);
            } catch (java.io.IOException e) {
                throw new KeylessException("the signing service returned an unreadable bundle", e);
            }
        };
    }

    /** The JSON re-written with every character past ASCII escaped; unchanged when it is ASCII already. */
    static byte[] asciiJson(byte[] json) throws KeylessException {
        for (byte b : json) {
            if (b < 0) {
                try {
                    ObjectMapper m = new ObjectMapper();
                    return m.writer().with(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII)
                            .writeValueAsBytes(m.readTree(json));
                } catch (java.io.IOException e) {
                    throw new KeylessException("the statement to sign is not JSON", e);
                }
            }
        }
        return json;
    }

    /** Cosign's layer annotations for a keyless image signature (see {@link #layerAnnotations}). */
    public static final String CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate";
    public static final String CHAIN_ANNOTATION = "dev.sigstore.cosign/chain";
    public static final String REKOR_BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle";
    /**
     * The whole Sigstore bundle, with the inclusion proof and checkpoint that cosign's SET-only annotation lacks;
     * distill verifies keyless image signatures from it. cosign ignores annotations it does not know.
     */
    public static final String SIGSTORE_BUNDLE_ANNOTATION = "dev.distill/sigstore-bundle";

    /** Signs image signature payloads keyless: the digest of the payload, as cosign does. */
    public ImageSignatures.PayloadSigner payloadSigner() {
        return payload -> layerAnnotations(signDigest(dev.distill.oci.Digest.newSha256().digest(payload)));
    }

    /**
     * The annotations cosign writes on a keyless signature layer, from a Sigstore bundle: the signature, the
     * certificate (PEM), the chain when the bundle has one, and the Rekor "bundle" (signed entry timestamp and
     * the entry), plus the Sigstore bundle itself.
     */
    static Map<String, String> layerAnnotations(String bundleJson) throws KeylessException {
        try {
            JsonNode b = new ObjectMapper().readTree(bundleJson);
            Map<String, String> out = new LinkedHashMap<>();
            out.put(ImageSignatures.SIGNATURE_ANNOTATION, b.path("messageSignature").path("signature").asText());
            JsonNode material = b.path("verificationMaterial");
            List<String> certs = new ArrayList<>();
            if (material.has("certificate")) {
                certs.add(material.path("certificate").path("rawBytes").asText());
            }
            for (JsonNode c : material.path("x509CertificateChain").path("certificates")) {
                certs.add(c.path("rawBytes").asText());
            }
            if (certs.isEmpty()) {
                throw new KeylessException("the signing service returned a bundle without a certificate");
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
                ObjectNode rekor = new ObjectMapper().createObjectNode();
                rekor.put("SignedEntryTimestamp", entry.path("inclusionPromise").path("signedEntryTimestamp").asText());
                ObjectNode p = rekor.putObject("Payload");
                p.put("body", entry.path("canonicalizedBody").asText());
                p.put("integratedTime", entry.path("integratedTime").asLong());
                p.put("logIndex", entry.path("logIndex").asLong());
                p.put("logID", HexFormat.of().formatHex(Base64.getDecoder().decode(
                        entry.path("logId").path("keyId").asText())));
                out.put(REKOR_BUNDLE_ANNOTATION, rekor.toString());
            }
            out.put(SIGSTORE_BUNDLE_ANNOTATION, new ObjectMapper().readTree(bundleJson).toString());
            return out;
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new KeylessException("the signing service returned an unreadable bundle: " + e.getMessage(), e);
        }
    }

    private static String pem(String base64Der) {
        String body = base64Der.replaceAll("(.{64})", "$1\n");
        return "-----BEGIN CERTIFICATE-----\n" + body + (body.endsWith("\n") ? "" : "\n")
                + "-----END CERTIFICATE-----\n";
    }

    /** The innermost cause's message, which names the service and what it said. */
    static String message(Throwable e) {
        Throwable t = e;
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null && !sb.toString().contains(t.getMessage())) {
                sb.append(": ").append(t.getMessage());
            }
        }
        return sb.toString().replaceAll("\\s+", " ");
    }

    @Override
    public void close() {
        signer.close();
    }
}
