package dev.distill.attest.keyless;

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

    public static KeylessSigning open(SigstoreInstance instance, OidcClients tokens) throws KeylessException {
        try {
            KeylessSigner signer = KeylessSigner.builder()
                    .trustedRootProvider(instance.trustedRootProvider())
                    .signingConfigProvider(instance.signingConfigProvider())
                    .forceCredentialProviders(tokens)
                    .allowedOidcIdentities(List.of())
                    .signingAlgorithm(AlgorithmRegistry.SigningAlgorithm.PKIX_ECDSA_P256_SHA_256)
                    .minSigningCertificateLifetime(Duration.ofMinutes(1))
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
