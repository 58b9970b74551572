package dev.distill.attest.keyless;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sigstore.AlgorithmRegistry;
import dev.sigstore.KeylessSigner;
import dev.sigstore.bundle.Bundle;
import dev.sigstore.oidc.client.OidcClients;
import java.time.Duration;
import java.util.List;

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

    /** The innermost cause's message, which names the service and what it said. */
    public static String message(Throwable e) {
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
