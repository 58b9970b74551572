package dev.distill.attest.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Private keys in cosign's format: a PEM block {@code ENCRYPTED SIGSTORE PRIVATE KEY} (cosign also reads the
 * older {@code ENCRYPTED COSIGN PRIVATE KEY}) whose body is JSON: the scrypt parameters and salt, the
 * nacl/secretbox nonce, and the sealed PKCS#8 DER of the key. Generated keys are ECDSA P-256; imported ones may be
 * any type {@link KeyTypes} signs with, as in cosign. Public keys are PEM
 * {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo).
 */
public final class EncryptedKeys {
    public static final String PEM_TYPE = "ENCRYPTED SIGSTORE PRIVATE KEY";
    private static final String LEGACY_PEM_TYPE = "ENCRYPTED COSIGN PRIVATE KEY";
    private static final int N = 65536;
    private static final int R = 8;
    private static final int P = 1;
    private static final SecureRandom RANDOM = new SecureRandom();

    private EncryptedKeys() {
    }

    /** A new ECDSA P-256 key pair. */
    public static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The private key sealed with the password, as PEM text. */
    public static String encrypt(PrivateKey key, char[] password) {
        byte[] salt = new byte[32];
        byte[] nonce = new byte[SecretBox.NONCE];
        RANDOM.nextBytes(salt);
        RANDOM.nextBytes(nonce);
        byte[] secret = SCrypt.generate(utf8(password), salt, N, R, P, SecretBox.KEY);
        byte[] sealed = SecretBox.seal(secret, nonce, key.getEncoded());
        Arrays.fill(secret, (byte) 0);
        ObjectMapper m = new ObjectMapper();
        ObjectNode json = m.createObjectNode();
        ObjectNode kdf = json.putObject("kdf");
        kdf.put("name", "scrypt");
        kdf.putObject("params").put("N", N).put("r", R).put("p", P);
        kdf.put("salt", Base64.getEncoder().encodeToString(salt));
        json.putObject("cipher").put("name", "nacl/secretbox").put("nonce", Base64.getEncoder().encodeToString(nonce));
        json.put("ciphertext", Base64.getEncoder().encodeToString(sealed));
        return pem(PEM_TYPE, json.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Opens a cosign-format private key; {@code name} names the file in errors. */
    public static PrivateKey decrypt(String pemText, char[] password, String name) throws KeyException {
        PemObject pem = readPem(pemText, name);
        if (!pem.getType().equals(PEM_TYPE) && !pem.getType().equals(LEGACY_PEM_TYPE)) {
            throw new KeyException(name + ": a PEM block of type '" + pem.getType() + "', not an encrypted "
                    + "Sigstore/cosign private key" + (pem.getType().endsWith("PRIVATE KEY")
                    ? " (turn it into one with: distill key import " + name + ")" : ""));
        }
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(pem.getContent());
        } catch (IOException e) {
            throw new KeyException(name + ": the key's body is not the JSON cosign writes");
        }
        JsonNode kdf = json.path("kdf");
        JsonNode params = kdf.path("params");
        if (!kdf.path("name").asText().equals("scrypt") || !json.path("cipher").path("name").asText()
                .equals("nacl/secretbox")) {
            throw new KeyException(name + ": unsupported key encryption (expected scrypt and nacl/secretbox)");
        }
        int n = params.path("N").asInt();
        int r = params.path("r").asInt();
        int p = params.path("p").asInt();
        if (n < 2 || n > (1 << 20) || Integer.bitCount(n) != 1 || r < 1 || r > 32 || p < 1 || p > 16) {
            throw new KeyException(name + ": scrypt parameters out of range (N=" + n + ", r=" + r + ", p=" + p + ")");
        }
        byte[] salt;
        byte[] nonce;
        byte[] box;
        try {
            salt = Base64.getDecoder().decode(kdf.path("salt").asText());
            nonce = Base64.getDecoder().decode(json.path("cipher").path("nonce").asText());
            box = Base64.getDecoder().decode(json.path("ciphertext").asText());
        } catch (IllegalArgumentException e) {
            throw new KeyException(name + ": the key holds malformed base64");
        }
        if (nonce.length != SecretBox.NONCE) {
            throw new KeyException(name + ": the secretbox nonce is not 24 bytes");
        }
        byte[] secret = SCrypt.generate(utf8(password), salt, n, r, p, SecretBox.KEY);
        byte[] pkcs8 = SecretBox.open(secret, nonce, box);
        Arrays.fill(secret, (byte) 0);
        if (pkcs8 == null) {
            throw new KeyException(name + ": wrong password, or the key file was changed");
        }
        try {
            PrivateKey key = KeyFactory.getInstance(PemKeys.algorithm(PrivateKeyInfo.getInstance(pkcs8)
                    .getPrivateKeyAlgorithm().getAlgorithm(), name)).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            if (!KeyTypes.supported(key)) {
                throw new KeyException(name + ": a " + KeyTypes.describe(key) + " key, which distill cannot sign with");
            }
            return key;
        } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
            throw new KeyException(name + ": the decrypted key is not a PKCS#8 private key");
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    /** The public key of a private key (see {@link KeyTypes#publicKey}). */
    public static PublicKey publicKey(PrivateKey key) throws KeyException {
        return KeyTypes.publicKey(key);
    }

    public static String publicKeyPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    /** Reads a PEM {@code PUBLIC KEY} of any type distill verifies with (see {@link PemKeys#readPublicKey}). */
    public static PublicKey readPublicKey(String pemText, String name) throws KeyException {
        return PemKeys.readPublicKey(pemText, name);
    }

    private static PemObject readPem(String text, String name) throws KeyException {
        try (PemReader r = new PemReader(new StringReader(text))) {
            PemObject pem = r.readPemObject();
            if (pem == null) {
                throw new KeyException(name + ": no PEM block found");
            }
            return pem;
        } catch (IOException e) {
            throw new KeyException(name + ": malformed PEM (" + e.getMessage() + ")");
        }
    }

    private static String pem(String type, byte[] content) {
        StringWriter out = new StringWriter();
        try (PemWriter w = new PemWriter(out)) {
            w.writeObject(new PemObject(type, content));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static byte[] utf8(char[] password) {
        ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
