package dev.distill.attest.keys;

import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * Plain PEM keys, as openssl and other tools write them, read with BouncyCastle's PEM parser: private keys as
 * PKCS#8 ({@code PRIVATE KEY}, or {@code ENCRYPTED PRIVATE KEY} with a password), SEC1 ({@code EC PRIVATE KEY})
 * or PKCS#1 ({@code RSA PRIVATE KEY}), the forms {@code cosign import-key-pair} takes (cosign has no encrypted
 * PKCS#8; distill reads it too); public keys as X.509 SubjectPublicKeyInfo ({@code PUBLIC KEY}). The JCA key is
 * made by the JDK's own key factory for the key's algorithm, so that keys read here and keys decrypted from
 * cosign's format are the same objects.
 */
public final class PemKeys {
    private static final Map<String, String> ALGORITHMS = Map.of(
            "1.2.840.10045.2.1", "EC",
            "1.2.840.113549.1.1.1", "RSA",
            "1.3.101.112", "Ed25519");

    /** BouncyCastle's provider, made only when an encrypted key is opened: its set-up is slow to start. */
    private static final class Bc {
        static final BouncyCastleProvider PROVIDER = new BouncyCastleProvider();
    }

    private PemKeys() {
    }

    /**
     * Reads a private key; {@code password} opens an encrypted PKCS#8 key (it may be null for the others).
     * The key must be one {@link KeyTypes} signs with.
     */
    public static PrivateKey readPrivateKey(String pemText, char[] password, String name) throws KeyException {
        Object parsed = parse(pemText, name);
        PrivateKeyInfo info;
        if (parsed instanceof PEMKeyPair pair) {
            info = pair.getPrivateKeyInfo();
        } else if (parsed instanceof PrivateKeyInfo i) {
            info = i;
        } else if (parsed instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
            if (password == null) {
                throw new KeyException(name + ": an encrypted PKCS#8 key, and no password was given");
            }
            try {
                // BouncyCastle's provider: through the JDK's providers the PBES2 keys openssl writes (PBKDF2 with
                // HMAC-SHA256, AES-256-CBC) did not open.
                info = encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
                        .setProvider(Bc.PROVIDER).build(password));
            } catch (PKCSException | OperatorCreationException e) {
                throw new KeyException(name + ": wrong password, or an encryption distill cannot open", e);
            }
        } else if (parsed instanceof PEMEncryptedKeyPair) {
            throw new KeyException(name + ": a key encrypted in OpenSSL's legacy format (Proc-Type header); "
                    + "convert it to PKCS#8 first: openssl pkcs8 -topk8 -in KEY -out KEY.p8");
        } else {
            throw new KeyException(name + ": " + what(parsed) + ", not a private key");
        }
        PrivateKey key;
        try {
            key = KeyFactory.getInstance(algorithm(info.getPrivateKeyAlgorithm().getAlgorithm(), name))
                    .generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (GeneralSecurityException | IOException e) {
            throw new KeyException(name + ": the private key cannot be read", e);
        }
        if (!KeyTypes.supported(key)) {
            throw new KeyException(name + ": a " + KeyTypes.describe(key) + " key; cosign and distill sign with "
                    + "ECDSA P-256, P-384 or P-521, RSA of 2048, 3072 or 4096 bits, or Ed25519");
        }
        return key;
    }

    /** Reads a public key (PEM {@code PUBLIC KEY}) of any type {@link KeyTypes} verifies with. */
    public static PublicKey readPublicKey(String pemText, String name) throws KeyException {
        Object parsed = parse(pemText, name);
        if (!(parsed instanceof SubjectPublicKeyInfo info)) {
            throw new KeyException(name + ": " + what(parsed) + ", not a PUBLIC KEY");
        }
        PublicKey key;
        try {
            key = KeyFactory.getInstance(algorithm(info.getAlgorithm().getAlgorithm(), name))
                    .generatePublic(new X509EncodedKeySpec(info.getEncoded()));
        } catch (GeneralSecurityException | IOException e) {
            throw new KeyException(name + ": the public key cannot be read", e);
        }
        if (!KeyTypes.supported(key)) {
            throw new KeyException(name + ": a " + KeyTypes.describe(key) + " public key, which distill does not "
                    + "verify with");
        }
        return key;
    }

    /** The JCA name of a key algorithm, or an error naming the unsupported one. */
    static String algorithm(ASN1ObjectIdentifier oid, String name) throws KeyException {
        String a = ALGORITHMS.get(oid.getId());
        if (a == null) {
            throw new KeyException(name + ": a key of algorithm " + oid.getId() + "; distill reads EC, RSA and "
                    + "Ed25519 keys");
        }
        return a;
    }

    private static final Set<String> TYPES = Set.of("PRIVATE KEY", "ENCRYPTED PRIVATE KEY",
            "EC PRIVATE KEY", "RSA PRIVATE KEY", "PUBLIC KEY");

    private static Object parse(String pemText, String name) throws KeyException {
        String type;
        try (PemReader r = new PemReader(new StringReader(pemText))) {
            PemObject first = r.readPemObject();
            if (first == null) {
                throw new KeyException(name + ": no PEM block found");
            }
            type = first.getType();
        } catch (IOException e) {
            throw new KeyException(name + ": a PEM block that cannot be read (bad base64)");
        }
        if (!TYPES.contains(type)) {
            throw new KeyException(name + ": a PEM block of type '" + type + "', not a key distill reads (PRIVATE "
                    + "KEY, ENCRYPTED PRIVATE KEY, EC PRIVATE KEY, RSA PRIVATE KEY or PUBLIC KEY)");
        }
        try (PEMParser p = new PEMParser(new StringReader(pemText))) {
            Object o = p.readObject();
            if (o == null) {
                throw new KeyException(name + ": no PEM block found");
            }
            return o;
        } catch (IOException e) {
            throw new KeyException(name + ": a PEM block that cannot be read (bad base64 or DER)");
        }
    }

    private static String what(Object parsed) {
        return parsed instanceof SubjectPublicKeyInfo ? "a public key" : "a private key";
    }
}
