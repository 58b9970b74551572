package dev.distill.attest.verify;

import dev.distill.attest.bundle.VerificationException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;

/**
 * Signature checks by the kind of key: ECDSA (SHA-256, or SHA-384 for P-384 and larger), Ed25519, RSA PKCS#1 v1.5
 * with SHA-256. Over a digest alone only ECDSA can be checked.
 */
final class Signatures {
    private Signatures() {
    }

    /** Whether {@code signature} is the key's signature over {@code data}; a malformed signature is false. */
    static boolean verify(PublicKey key, byte[] data, byte[] signature) throws VerificationException {
        try {
            Signature s = Signature.getInstance(algorithm(key, false));
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (java.security.SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new VerificationException("a " + key.getAlgorithm() + " key cannot check this signature");
        }
    }

    /** Whether {@code signature} is the key's signature over a message whose SHA-256 digest is given. */
    static boolean verifyDigest(PublicKey key, byte[] sha256, byte[] signature) throws VerificationException {
        try {
            Signature s = Signature.getInstance(algorithm(key, true));
            s.initVerify(key);
            s.update(sha256);
            return s.verify(signature);
        } catch (java.security.SignatureException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new VerificationException("a " + key.getAlgorithm() + " key cannot check a signature over a "
                    + "digest alone: give the file, not its digest");
        }
    }

    private static String algorithm(PublicKey key, boolean prehashed) throws VerificationException {
        switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> {
                int bits = key instanceof ECPublicKey ec ? ec.getParams().getCurve().getField().getFieldSize() : 256;
                if (prehashed) {
                    return "NONEwithECDSA";
                }
                return bits > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
            }
            case "Ed25519", "EdDSA" -> {
                if (prehashed) {
                    throw new VerificationException("an Ed25519 key signs whole messages, not digests");
                }
                return "Ed25519";
            }
            case "RSA" -> {
                if (prehashed) {
                    throw new VerificationException("distill checks RSA signatures over whole messages only");
                }
                return "SHA256withRSA";
            }
            default -> throw new VerificationException("unsupported key type " + key.getAlgorithm());
        }
    }
}
