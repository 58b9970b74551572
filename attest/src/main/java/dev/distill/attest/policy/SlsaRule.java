package dev.distill.attest.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distill.attest.image.ImageAttestations;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * {@code slsa: {builderId, sourceRepository, ref}}: one verified SLSA provenance must meet every one of them at
 * once; a trusted builder's build of a fork and an untrusted builder's build of the wanted repository must not add
 * up to a pass. The checks report the provenance that meets the most (the first such).
 *
 * @param builderIds any of these (empty: not asked)
 * @param ref a regular expression the whole built ref must match (null: not asked)
 */
record SlsaRule(List<String> builderIds, String sourceRepository, Pattern ref) implements Rule {
    static final String PROVENANCE = ImageAttestations.predicateType("slsaprovenance");

    static final RuleKind KIND = new RuleKind() {
        @Override
        public String key() {
            return "slsa";
        }

        @Override
        public Rule read(JsonNode section, PolicyReader in) throws PolicyException {
            in.keys(section, Set.of("builderId", "sourceRepository", "ref"), "slsa.");
            String ref = in.text(section, "ref");
            return new SlsaRule(in.oneOrMore(section, "builderId"), in.text(section, "sourceRepository"),
                    ref == null ? null : in.compile(ref, "slsa.ref"));
        }
    };

    /** One requirement: its check name, whether a provenance meets it, and what to say either way. */
    private record Requirement(String name, Predicate<JsonNode> test, String met, String unmet) {
    }

    @Override
    public Scope scope() {
        return Scope.DIGEST;
    }

    @Override
    public Set<String> neededTypes() {
        return Set.of(PROVENANCE);
    }

    private List<Requirement> requirements() {
        List<Requirement> out = new ArrayList<>();
        if (!builderIds.isEmpty()) {
            out.add(new Requirement("slsa builder", p -> builderIds.contains(p.at("/runDetails/builder/id").asText()),
                    "one of " + builderIds, "names a builder among " + builderIds));
        }
        if (sourceRepository != null) {
            out.add(new Requirement("slsa source", p -> sourceRepository.equals(p.at(
                    "/buildDefinition/externalParameters/workflow/repository").asText()) || sourceRepository
                    .equals(p.at("/buildDefinition/externalParameters/repository").asText()), sourceRepository,
                    "builds from " + sourceRepository));
        }
        if (ref != null) {
            out.add(new Requirement("slsa ref", p -> {
                String r = p.at("/buildDefinition/externalParameters/workflow/ref").asText("");
                return !r.isEmpty() && ref.matcher(r).matches();
            }, "matches /" + ref + "/", "was built from a ref matching /" + ref + "/ (whole value)"));
        }
        return out;
    }

    @Override
    public void evaluate(Evidence evidence, String label, List<Policy.Check> out) {
        List<JsonNode> provenance = evidence.predicates(PROVENANCE);
        List<Requirement> requirements = requirements();
        JsonNode best = null;
        long bestMet = -1;
        for (JsonNode p : provenance) {
            long met = requirements.stream().filter(r -> r.test().test(p)).count();
            if (met > bestMet) {
                best = p;
                bestMet = met;
            }
        }
        for (Requirement r : requirements) {
            boolean ok = best != null && r.test().test(best);
            String detail = ok ? r.met() : best == null ? "no verified provenance " + r.unmet()
                    : provenance.size() == 1 ? "the verified provenance does not say it " + r.unmet()
                    : "no one verified provenance meets every slsa rule; the closest does not say it " + r.unmet();
            out.add(new Policy.Check(label + r.name(), ok, detail));
        }
    }
}
