package dev.distill.attest.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distill.attest.VerificationException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;

/**
 * Who signed a bundle, as the log entries must name it: the leaf certificate of a keyless bundle, or the public key
 * the verifier was given for a key-signed one. A log entry that names another signer is about something else.
 */
record BundleSigner(X509Certificate certificate, PublicKey key) {
    static BundleSigner of(X509Certificate leaf) {
        return new BundleSigner(leaf, leaf.getPublicKey());
    }

    static BundleSigner of(PublicKey key) {
        return new BundleSigner(null, key);
    }

    /** Rekor v1 bodies name the signer as a PEM certificate or public key (bytes as logged). */
    void expect(byte[] pem, boolean required) throws VerificationException {
        if (pem.length == 0) {
            if (required) {
                throw new VerificationException("the log entry names no signer");
            }
            return;
        }
        String text = new String(pem, StandardCharsets.US_ASCII);
        if (text.contains("BEGIN CERTIFICATE")) {
            expectCertificate(der(text));
        } else if (text.contains("BEGIN PUBLIC KEY")) {
            expectKey(der(text));
        } else {
            throw new VerificationException("the log entry's signer is neither a PEM certificate nor a PEM key");
        }
    }

    /** Rekor v2 bodies name the signer as {@code x509Certificate.rawBytes} or {@code publicKey.rawBytes}. */
    void expectVerifier(JsonNode verifier) throws VerificationException {
        JsonNode cert = verifier.path("x509Certificate").path("rawBytes");
        JsonNode key = verifier.path("publicKey").path("rawBytes");
        if (cert.isTextual()) {
            expectCertificate(LogEntries.decode(cert, "certificate"));
        } else if (key.isTextual()) {
            expectKey(LogEntries.decode(key, "public key"));
        } else {
            throw new VerificationException("the log entry names no signer");
        }
    }

    private void expectCertificate(byte[] der) throws VerificationException {
        try {
            if (certificate == null) {
                // A key-signed bundle: sigstore-js logs the key itself under x509Certificate in Rekor v2 entries.
                X509Certificate logged;
                try {
                    logged = (X509Certificate) CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(der));
                } catch (CertificateException notACertificate) {
                    expectKey(der);
                    return;
                }
                expectKey(logged.getPublicKey().getEncoded());
                return;
            }
            if (!MessageDigest.isEqual(der, certificate.getEncoded())) {
                throw new VerificationException("the log entry names another certificate than the bundle's");
            }
        } catch (CertificateException e) {
            throw new VerificationException("the log entry's certificate cannot be read");
        }
    }

    private void expectKey(byte[] spki) throws VerificationException {
        if (!MessageDigest.isEqual(spki, key.getEncoded())) {
            throw new VerificationException("the log entry names another public key than the "
                    + (certificate == null ? "one given" : "certificate's"));
        }
    }

    private static byte[] der(String pem) throws VerificationException {
        String body = pem.replaceAll("-----[^-]+-----", "").replaceAll("\\s+", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new VerificationException("the log entry's signer is not valid PEM");
        }
    }
}
