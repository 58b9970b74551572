package dev.distill.attest.policy;

import java.util.List;
import java.util.Set;

/** One rule of a policy, read from its YAML by its {@link RuleKind} (every kind is listed in {@link PolicyRules}). */
public interface Rule {
    /**
     * What a rule judges: the digest it is given (attestations, signers, provenance: an index's or a platform's),
     * the SBOMs attested about an image's contents, or an image's filesystem. On a multi-platform index, SBOM and
     * filesystem rules hold for every platform.
     */
    enum Scope { DIGEST, SBOM, FILESYSTEM }

    Scope scope();

    /** The predicate types whose verified attestations the rule judges. */
    default Set<String> neededTypes() {
        return Set.of();
    }

    /** Adds one check or more to {@code out}, each named with {@code label} in front. */
    void evaluate(Evidence evidence, String label, List<Policy.Check> out);
}
