package dev.distill.attest.policy;

import dev.distill.attest.image.ImageAttestations;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code attestations: [spdx, slsaprovenance]}: each predicate type must be attested, verified, about the digest. */
record AttestationsRule(List<String> types) implements Rule {
    static final RuleKind KIND = new RuleKind() {
        @Override
        public String key() {
            return "attestations";
        }

        @Override
        public Rule read(com.fasterxml.jackson.databind.JsonNode value, PolicyReader in) throws PolicyException {
            List<String> types = new ArrayList<>();
            for (String t : in.list(value, "attestations")) {
                try {
                    types.add(ImageAttestations.predicateType(t));
                } catch (IllegalArgumentException e) {
                    throw in.error(e.getMessage());
                }
            }
            return new AttestationsRule(List.copyOf(types));
        }
    };

    @Override
    public Scope scope() {
        return Scope.DIGEST;
    }

    @Override
    public Set<String> neededTypes() {
        return new LinkedHashSet<>(types);
    }

    @Override
    public void evaluate(Evidence evidence, String label, List<Policy.Check> out) {
        for (String t : types) {
            boolean has = !evidence.predicates(t).isEmpty();
            out.add(new Policy.Check(label + "attestation " + t, has, has ? "verified" : "no verified attestation"));
        }
    }
}
