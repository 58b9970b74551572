package dev.distill.attest.verify;

import dev.distill.attest.VerificationException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;

/**
 * The signatures of transparency logs (signed entry timestamps, checkpoints), by the log key's type as the trusted
 * root gives it: ECDSA (SHA-256, or SHA-384 for P-384), pure Ed25519 (as signed notes use it), RSA PKCS#1 v1.5
 * with SHA-256. Artifact signatures go through {@link dev.distill.attest.keys.KeyTypes}, cosign's choices.
 */
final class Signatures {
    private Signatures() {
    }

    /** Whether {@code signature} is the key's signature over {@code data}; a malformed signature is false. */
    static boolean verify(PublicKey key, byte[] data, byte[] signature) throws VerificationException {
        try {
            Signature s = Signature.getInstance(algorithm(key));
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (java.security.SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new VerificationException("a " + key.getAlgorithm() + " key cannot check this signature");
        }
    }

    private static String algorithm(PublicKey key) throws VerificationException {
        return switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> key instanceof ECPublicKey ec && ec.getParams().getCurve().getField()
                    .getFieldSize() > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "RSA" -> "SHA256withRSA";
            default -> throw new VerificationException("unsupported log key type " + key.getAlgorithm());
        };
    }
}
