package dev.distill.attest.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class EncryptedKeysTest {
    private static final char[] PASSWORD = "correct horse battery staple".toCharArray();

    @Test
    void roundTripsAndSigns() throws Exception {
        KeyPair pair = EncryptedKeys.generate();
        String pem = EncryptedKeys.encrypt(pair.getPrivate(), PASSWORD);
        assertTrue(pem.startsWith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"), pem);
        PrivateKey back = EncryptedKeys.decrypt(pem, PASSWORD, "test.key");
        assertArrayEquals(pair.getPrivate().getEncoded(), back.getEncoded());
        assertArrayEquals(pair.getPublic().getEncoded(), EncryptedKeys.publicKey(back).getEncoded());
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(back);
        s.update(new byte[] {1, 2, 3});
        byte[] sig = s.sign();
        Signature v = Signature.getInstance("SHA256withECDSA");
        v.initVerify(EncryptedKeys.readPublicKey(EncryptedKeys.publicKeyPem(pair.getPublic()), "test.pub"));
        v.update(new byte[] {1, 2, 3});
        assertTrue(v.verify(sig));
    }

    @Test
    void writesWhatCosignWrites() throws Exception {
        String pem = EncryptedKeys.encrypt(EncryptedKeys.generate().getPrivate(), PASSWORD);
        String body = pem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
        JsonNode json = new ObjectMapper().readTree(Base64.getDecoder().decode(body));
        assertEquals("scrypt", json.at("/kdf/name").asText());
        assertEquals(65536, json.at("/kdf/params/N").asInt());
        assertEquals(8, json.at("/kdf/params/r").asInt());
        assertEquals(1, json.at("/kdf/params/p").asInt());
        assertEquals(32, Base64.getDecoder().decode(json.at("/kdf/salt").asText()).length);
        assertEquals("nacl/secretbox", json.at("/cipher/name").asText());
        assertEquals(24, Base64.getDecoder().decode(json.at("/cipher/nonce").asText()).length);
    }

    @Test
    void wrongPasswordsAndTamperingAreRefusedWithoutLeakingTheKey() throws Exception {
        String pem = EncryptedKeys.encrypt(EncryptedKeys.generate().getPrivate(), PASSWORD);
        KeyException wrong = assertThrows(KeyException.class,
                () -> EncryptedKeys.decrypt(pem, "nope".toCharArray(), "ci.key"));
        assertEquals("ci.key: wrong password, or the key file was changed", wrong.getMessage());
        String body = pem.lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
        String json = new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8);
        String ct = new ObjectMapper().readTree(json).get("ciphertext").asText();
        byte[] raw = Base64.getDecoder().decode(ct);
        raw[raw.length - 1] ^= 1;
        String tampered = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n" + Base64.getMimeEncoder()
                .encodeToString(json.replace(ct, Base64.getEncoder().encodeToString(raw))
                        .getBytes(StandardCharsets.UTF_8)) + "\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";
        assertThrows(KeyException.class, () -> EncryptedKeys.decrypt(tampered, PASSWORD, "ci.key"));
        assertThrows(KeyException.class, () -> EncryptedKeys.decrypt("-----BEGIN PRIVATE KEY-----\nAAAA\n"
                + "-----END PRIVATE KEY-----\n", PASSWORD, "plain.key"));
        assertThrows(KeyException.class, () -> EncryptedKeys.decrypt("not pem", PASSWORD, "x.key"));
    }

    @Test
    void secretBoxMatchesNaclsConstruction() {
        byte[] key = new byte[32];
        byte[] nonce = new byte[24];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) i;
        }
        byte[] box = SecretBox.seal(key, nonce, "message".getBytes(StandardCharsets.UTF_8));
        assertEquals(16 + 7, box.length, "tag first, then the ciphertext");
        assertArrayEquals("message".getBytes(StandardCharsets.UTF_8), SecretBox.open(key, nonce, box));
        key[0] ^= 1;
        assertEquals(null, SecretBox.open(key, nonce, box));
    }

    /** fixtures/keys: a key Node's scrypt and tweetnacl encrypted, committed, and its public key. */
    @Test
    void readsTheFixedVectorAnIndependentImplementationWrote() throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of("../fixtures/keys");
        PrivateKey key = EncryptedKeys.decrypt(java.nio.file.Files.readString(dir.resolve("node-written.key")),
                "vector password".toCharArray(), "node-written.key");
        var expected = EncryptedKeys.readPublicKey(java.nio.file.Files.readString(dir.resolve("node-written.pub")),
                "node-written.pub");
        assertArrayEquals(expected.getEncoded(), EncryptedKeys.publicKey(key).getEncoded());
        assertThrows(KeyException.class, () -> EncryptedKeys.decrypt(java.nio.file.Files.readString(
                dir.resolve("node-written.key")), "vector passworD".toCharArray(), "node-written.key"));
    }

    /** Live, both directions: Node decrypts what distill writes; distill decrypts what Node writes. */
    @Test
    void anIndependentImplementationReadsOurKeysAndWeReadItsKeys(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path tmp) throws Exception {
        KeyPair pair = EncryptedKeys.generate();
        java.nio.file.Path ours = java.nio.file.Files.writeString(tmp.resolve("ours.key"),
                EncryptedKeys.encrypt(pair.getPrivate(), PASSWORD));
        StringBuilder out = new StringBuilder();
        assertEquals(0, dev.distill.attest.keyless.SigstoreStack.node(java.util.List.of(script(), "decrypt",
                new String(PASSWORD), ours.toString()), out), out.toString());
        String pkcs8 = out.toString().lines().filter(l -> !l.startsWith("-----")).reduce("", String::concat);
        assertArrayEquals(pair.getPrivate().getEncoded(), Base64.getDecoder().decode(pkcs8));

        java.nio.file.Path plain = java.nio.file.Files.writeString(tmp.resolve("plain.pem"),
                "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(
                        pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        java.nio.file.Path theirs = tmp.resolve("theirs.key");
        out.setLength(0);
        assertEquals(0, dev.distill.attest.keyless.SigstoreStack.node(java.util.List.of(script(), "encrypt",
                new String(PASSWORD), plain.toString(), theirs.toString()), out), out.toString());
        PrivateKey back = EncryptedKeys.decrypt(java.nio.file.Files.readString(theirs), PASSWORD, "theirs.key");
        assertArrayEquals(pair.getPrivate().getEncoded(), back.getEncoded());
    }

    private static String script() {
        return java.nio.file.Path.of("../fixtures/keys/cosign-key.js").toAbsolutePath().toString();
    }
}
