package dev.distill.attest.bundle;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.distill.attest.VerificationException;
import dev.distill.attest.dsse.Dsse;
import dev.distill.attest.keyless.KeylessException;
import dev.distill.attest.keys.EncryptedKeys;
import dev.distill.attest.verify.Verifier;
import dev.distill.oci.Digest;
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
    private static final byte[] BLOB = "blob".getBytes(StandardCharsets.UTF_8);
    /** The verifier verify-blob and every image check use, with the key. */
    private static final Verifier VERIFIER = Verifier.builder().publicKey(KEY).build();

    @FuzzTest(maxDuration = "60s")
    void neverVerifiesWithoutTheKey(byte[] input) throws KeylessException {
        if (input.length == 0) {
            return;
        }
        byte[] rest = Arrays.copyOfRange(input, 1, input.length);
        try {
            if ((input[0] & 1) == 0) {
                Dsse.verify(rest, Dsse.IN_TOTO, KEY);
            } else {
                VERIFIER.verify(new String(rest, StandardCharsets.UTF_8), new Verifier.Artifact(
                        Digest.newSha256().digest(BLOB), BLOB));
            }
        } catch (VerificationException e) {
            assertNotNull(e.getMessage());
            return;
        }
        fail("verified without the key");
    }
}
