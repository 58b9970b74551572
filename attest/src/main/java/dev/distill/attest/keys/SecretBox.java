package dev.distill.attest.keys;

import java.security.MessageDigest;
import java.util.Arrays;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * NaCl's {@code crypto_secretbox} (XSalsa20 + Poly1305), as Go's {@code golang.org/x/crypto/nacl/secretbox}
 * seals: the first 32 bytes of the XSalsa20 key stream key Poly1305, the rest encrypts the message, and the
 * 16-byte tag precedes the ciphertext. Written on BouncyCastle's primitives because no Java library offers the
 * construction itself; cosign's encrypted keys use it.
 */
final class SecretBox {
    static final int KEY = 32;
    static final int NONCE = 24;
    static final int TAG = 16;

    private SecretBox() {
    }

    static byte[] seal(byte[] key, byte[] nonce, byte[] message) {
        XSalsa20Engine cipher = init(key, nonce);
        byte[] polyKey = stream(cipher, new byte[32]);
        byte[] ciphertext = stream(cipher, message);
        byte[] tag = tag(polyKey, ciphertext);
        byte[] out = new byte[TAG + ciphertext.length];
        System.arraycopy(tag, 0, out, 0, TAG);
        System.arraycopy(ciphertext, 0, out, TAG, ciphertext.length);
        return out;
    }

    /** Opens a sealed box; null when the tag does not verify (wrong key, or tampered data). */
    static byte[] open(byte[] key, byte[] nonce, byte[] box) {
        if (box.length < TAG) {
            return null;
        }
        XSalsa20Engine cipher = init(key, nonce);
        byte[] polyKey = stream(cipher, new byte[32]);
        byte[] ciphertext = Arrays.copyOfRange(box, TAG, box.length);
        if (!MessageDigest.isEqual(tag(polyKey, ciphertext), Arrays.copyOf(box, TAG))) {
            return null;
        }
        return stream(cipher, ciphertext);
    }

    private static XSalsa20Engine init(byte[] key, byte[] nonce) {
        if (key.length != KEY || nonce.length != NONCE) {
            throw new IllegalArgumentException("secretbox needs a 32-byte key and a 24-byte nonce");
        }
        XSalsa20Engine e = new XSalsa20Engine();
        e.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
        return e;
    }

    private static byte[] stream(XSalsa20Engine cipher, byte[] in) {
        byte[] out = new byte[in.length];
        cipher.processBytes(in, 0, in.length, out, 0);
        return out;
    }

    private static byte[] tag(byte[] polyKey, byte[] data) {
        Poly1305 mac = new Poly1305();
        mac.init(new KeyParameter(polyKey));
        mac.update(data, 0, data.length);
        byte[] tag = new byte[TAG];
        mac.doFinal(tag, 0);
        return tag;
    }
}
