package dev.distill.attest.promote;

import dev.distill.attest.VerificationException;
import dev.distill.attest.image.ImageSignatures;
import dev.distill.attest.keyless.KeylessException;
import dev.distill.attest.keys.KeyException;
import dev.distill.attest.policy.Policy;
import dev.distill.attest.policy.PolicyException;
import dev.distill.attest.policy.PolicyGate;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One verification of an image pinned to its digest, run the same way at the source and at the destination of a
 * promotion: the signatures (of the top manifest, or of every platform manifest too), then the policy gate
 * (attestations of the required types and the policy's rules, judged on verified attestations only).
 *
 * @param signatures how a signature layer is checked (by key, or keyless for an identity)
 * @param signer names the signer in messages
 * @param gate the policy gate; used only when there is a policy or a required type
 * @param policy the policy, or null
 * @param requiredTypes predicate types that must be attested besides the policy's own
 * @param allPlatforms whether every platform manifest of an index must carry a signature too
 */
public record ImageVerification(ImageSignatures.SignatureCheck signatures, String signer, PolicyGate gate,
                                Policy policy, Set<String> requiredTypes, boolean allPlatforms) {
    public ImageVerification {
        requiredTypes = Set.copyOf(requiredTypes);
    }

    /** Every check, passed or not; an image passes when no check of an enforcing rule failed. */
    public List<Policy.Check> run(RegistryClient client, ImageReference pinned, List<Digest> platforms)
            throws IOException, KeylessException, KeyException, PolicyException {
        List<Policy.Check> checks = new ArrayList<>();
        List<Digest> signed = allPlatforms ? platforms : List.of(pinned.digest());
        for (Digest d : signed) {
            String name = "signature " + (d.equals(pinned.digest()) ? "" : "of " + d.shortHex() + " ") + "by "
                    + signer;
            try {
                int n = ImageSignatures.verify(client, pinned.withDigest(d), signatures, signer, null).size();
                checks.add(new Policy.Check(name, true, n + " signature" + (n == 1 ? "" : "s") + " verified"));
            } catch (VerificationException e) {
                checks.add(new Policy.Check(name, false, e.getMessage()));
            }
        }
        Policy judged = policy;
        if (judged == null && !requiredTypes.isEmpty()) {
            // Only required types and no policy file: the gate still verifies their attestations.
            judged = Policy.parse("attestations: [" + String.join(", ", requiredTypes.stream()
                    .map(t -> "'" + t.replace("'", "''") + "'").toList()) + "]", "--type");
        }
        if (judged != null) {
            checks.addAll(gate.evaluate(pinned, judged, requiredTypes).checks());
        }
        return List.copyOf(checks);
    }

    /** Whether the checks deny the image: a failed check of an enforcing rule set. */
    public static boolean denied(List<Policy.Check> checks) {
        return checks.stream().anyMatch(c -> !c.passed() && !c.warn());
    }
}
