package dev.distill.attest.keyless;

import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.distill.attest.VerificationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * No bundle verifies for a digest nobody signed, whatever its bytes: every input is refused with a
 * VerificationException (or a KeylessException about the instance), never accepted, never another exception.
 * The trusted root and the seeds (a Rekor v1 message signature, a Rekor v2 + TSA DSSE attestation) come from one
 * run of fixtures/sigstore-stack; the seeds are for other digests, so mutating them must not make them pass.
 */
class KeylessBundleFuzzTest {
    private static final byte[] NOBODY_SIGNED = new byte[32];
    private static final Identity ANYONE = new Identity(null, ".*", null, ".*", Map.of());
    private static SigstoreInstance instance;

    private static SigstoreInstance instance() throws Exception {
        if (instance == null) {
            instance = SigstoreInstance.of(Path.of(KeylessBundleFuzzTest.class.getResource("trusted_root.fuzz.json")
                    .toURI()), null);
        }
        return instance;
    }

    @FuzzTest(maxDuration = "60s")
    void neverAcceptsAnotherDigest(byte[] input) throws Exception {
        SigstoreInstance inst = instance();
        try {
            Verify.keyless(new String(input, StandardCharsets.UTF_8), NOBODY_SIGNED, ANYONE, inst);
        } catch (VerificationException | KeylessException e) {
            return;
        }
        fail("a bundle verified for a digest nobody signed");
    }
}
