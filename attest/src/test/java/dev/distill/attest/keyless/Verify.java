package dev.distill.attest.keyless;

import dev.distill.attest.VerificationException;
import dev.distill.attest.verify.Verifier;

/** The keyless verification the tests of this package call: the Verifier by identity against an instance. */
final class Verify {
    private Verify() {
    }

    static Verifier.Verified keyless(String bundle, byte[] sha256, Identity who, SigstoreInstance instance)
            throws VerificationException, KeylessException {
        return Verifier.builder().identity(who).trustedRoot(instance).build().verify(bundle,
                Verifier.Artifact.ofDigest(sha256));
    }
}
