package dev.distill.attest.keys;

import java.io.IOException;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.EdDSAParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;

/**
 * The key types distill signs and verifies with, and the signature algorithm each one uses: the choices cosign
 * makes (sigstore's algorithm registry, {@code LoadDefaultSignerVerifier}) so that a key imported here signs what
 * cosign verifies and the other way round:
 * <ul>
 *   <li>ECDSA P-256 with SHA-256, P-384 with SHA-384, P-521 with SHA-512 (ASN.1 DER signatures);</li>
 *   <li>RSA of 2048, 3072 or 4096 bits, PKCS#1 v1.5 with SHA-256;</li>
 *   <li>Ed25519 as Ed25519ph (SHA-512 prehash, RFC 8032), cosign's default for Ed25519 keys since it is the only
 *       Ed25519 variant a hashedrekord entry can hold.</li>
 * </ul>
 * Every signing and verifying call of attest goes through {@link #signing} and {@link #verifying}, so that a key
 * type is added here and nowhere else.
 */
public final class KeyTypes {
    private KeyTypes() {
    }

    /** A signature object initialised for signing with the key. */
    public static Signature signing(PrivateKey key) throws GeneralSecurityException {
        Signature s = instance(key);
        s.initSign(key);
        return s;
    }

    /** A signature object initialised for verifying with the key. */
    public static Signature verifying(PublicKey key) throws GeneralSecurityException {
        Signature s = instance(key);
        s.initVerify(key);
        return s;
    }

    /**
     * A signature object that verifies a signature given only the SHA-256 digest of what was signed: possible for
     * ECDSA P-256 alone, whose signature is over exactly that digest.
     */
    public static Signature verifyingSha256Digest(PublicKey key) throws GeneralSecurityException {
        if (!describe(key).equals("ECDSA P-256")) {
            throw new GeneralSecurityException("a " + describe(key) + " key signs the whole blob, not its SHA-256 "
                    + "digest; verify the file itself");
        }
        Signature s = Signature.getInstance("NONEwithECDSA");
        s.initVerify(key);
        return s;
    }

    private static Signature instance(Key key) throws GeneralSecurityException {
        String type = describe(key);
        switch (type) {
            case "ECDSA P-256":
                return Signature.getInstance("SHA256withECDSA");
            case "ECDSA P-384":
                return Signature.getInstance("SHA384withECDSA");
            case "ECDSA P-521":
                return Signature.getInstance("SHA512withECDSA");
            case "RSA 2048", "RSA 3072", "RSA 4096":
                return Signature.getInstance("SHA256withRSA");
            case "Ed25519": {
                Signature s = Signature.getInstance("Ed25519");
                s.setParameter(new EdDSAParameterSpec(true));
                return s;
            }
            default:
                throw new GeneralSecurityException("a " + type + " key, which cosign does not sign with (ECDSA "
                        + "P-256, P-384 or P-521, RSA of 2048, 3072 or 4096 bits, or Ed25519)");
        }
    }

    /** The key's type and size, e.g. "ECDSA P-256", "RSA 3072", "Ed25519"; an unsupported key says what it is. */
    public static String describe(Key key) {
        if (key instanceof ECKey ec) {
            String curve = curveName(ec);
            return "ECDSA " + (curve == null ? "on an unnamed curve" : curve);
        }
        if (key instanceof RSAKey rsa) {
            return "RSA " + rsa.getModulus().bitLength();
        }
        if (key instanceof EdECKey ed ? ed.getParams().getName().equalsIgnoreCase("Ed25519")
                : key.getAlgorithm().equals("Ed25519")) {
            return "Ed25519";
        }
        return key.getAlgorithm();
    }

    /** Whether distill (and cosign) sign with this key. */
    public static boolean supported(Key key) {
        try {
            instance(key);
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The NIST curves distill signs with, by the JDK's names for them. */
    private static final Map<String, String> CURVES = Map.of("P-256", "secp256r1", "P-384", "secp384r1",
            "P-521", "secp521r1");

    /**
     * The key's curve among the three distill signs with, compared by the JDK's own parameters: BouncyCastle's
     * conversion of the key's parameters tested the field prime for primality on every call (a fifth of an
     * offline key verification's time).
     */
    private static String curveName(ECKey key) {
        ECParameterSpec spec = key.getParams();
        for (String name : new String[] {"P-256", "P-384", "P-521"}) {
            ECParameterSpec named;
            try {
                AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
                p.init(new ECGenParameterSpec(CURVES.get(name)));
                named = p.getParameterSpec(ECParameterSpec.class);
            } catch (GeneralSecurityException e) {
                continue;
            }
            if (named.getCurve().equals(spec.getCurve()) && named.getGenerator().equals(spec.getGenerator())
                    && named.getOrder().equals(spec.getOrder()) && named.getCofactor() == spec.getCofactor()) {
                return name;
            }
        }
        return null;
    }

    /** The public key of a private key (EC and RSA keys carry what it takes; Ed25519 derives it). */
    public static PublicKey publicKey(PrivateKey key) throws KeyException {
        try {
            if (key instanceof ECPrivateKey ec) {
                var bcSpec = EC5Util.convertSpec(ec.getParams());
                var q = bcSpec.getG().multiply(ec.getS()).normalize();
                ECPoint w = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
                return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, ec.getParams()));
            }
            if (key instanceof RSAPrivateCrtKey rsa) {
                return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(),
                        rsa.getPublicExponent()));
            }
            if (describe(key).equals("Ed25519")) {
                var params = (Ed25519PrivateKeyParameters) PrivateKeyFactory.createKey(
                        PrivateKeyInfo.getInstance(key.getEncoded()));
                byte[] spki = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(params.generatePublicKey())
                        .getEncoded();
                return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            }
        } catch (GeneralSecurityException | IOException | ClassCastException e) {
            throw new KeyException("cannot derive the public key of the " + describe(key) + " key", e);
        }
        throw new KeyException("a " + describe(key) + " private key, which distill cannot sign with");
    }
}
