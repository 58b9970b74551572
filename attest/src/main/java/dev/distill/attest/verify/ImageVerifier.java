package dev.distill.attest.verify;

import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.image.ImageSignatures;
import dev.distill.attest.keyless.Identity;
import dev.distill.attest.keyless.SigstoreInstance;
import java.security.PublicKey;
import java.util.Objects;

/**
 * How an image's signatures and attestations are verified, chosen once: with a public key, or keyless (the signer's
 * identity, against a Sigstore instance's trusted root). Both checks go to the readers of the signature store
 * ({@link ImageSignatures#verify}, {@link ImageAttestations#verify}) and to the policy gate.
 *
 * @param by names the signer in messages and reports (the key file, or the identity)
 */
public record ImageVerifier(ImageSignatures.SignatureCheck signatures, ImageAttestations.EnvelopeCheck attestations,
                            String by) {
    public ImageVerifier {
        Objects.requireNonNull(signatures);
        Objects.requireNonNull(attestations);
        Objects.requireNonNull(by);
    }

    /** Signatures and envelopes that verify with the key ({@code name} names it, as the key file). */
    public static ImageVerifier byKey(PublicKey key, String name) {
        return new ImageVerifier(ImageSignatures.withKey(key), ImageAttestations.withKey(key), name);
    }

    /** Keyless signatures and attestations by {@code who}, checked against the instance's trusted root. */
    public static ImageVerifier byIdentity(Identity who, SigstoreInstance instance) {
        return new ImageVerifier(ImageChecks.signatureCheck(who, instance), ImageChecks.envelopeCheck(who, instance),
                who.toString());
    }
}
