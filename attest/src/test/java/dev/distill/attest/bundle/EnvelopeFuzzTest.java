package dev.distill.attest.bundle;

import dev.distill.attest.VerificationException;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.distill.attest.dsse.Dsse;
import dev.distill.attest.keys.EncryptedKeys;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Arrays;

/**
 * Verification fails closed on any bundle or DSSE envelope: the key is made when the test starts, so nothing the
 * fuzzer writes can carry a valid signature. Every input must end in VerificationException, with a message; any
 * other exception, or a success, is a bug. The first byte picks the parser.
 */
class EnvelopeFuzzTest {
    private static final PublicKey KEY = EncryptedKeys.generate().getPublic();

    @FuzzTest(maxDuration = "60s")
    void neverVerifiesWithoutTheKey(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] rest = Arrays.copyOfRange(input, 1, input.length);
        try {
            if ((input[0] & 1) == 0) {
                Dsse.verify(rest, Dsse.IN_TOTO, KEY);
            } else {
                BlobSignatures.verify(new String(rest, StandardCharsets.UTF_8), KEY, "blob".getBytes(
                        StandardCharsets.UTF_8), null);
            }
        } catch (VerificationException e) {
            assertNotNull(e.getMessage());
            return;
        }
        fail("verified without the key");
    }
}
