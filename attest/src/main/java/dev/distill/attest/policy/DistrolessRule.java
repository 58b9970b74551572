package dev.distill.attest.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distill.sbom.audit.Category;
import dev.distill.sbom.audit.Finding;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** {@code distroless: {forbid: [shell, root]}}: none of these audit categories may be found in the image itself. */
record DistrolessRule(Set<Category> forbid) implements Rule {
    static final RuleKind KIND = new RuleKind() {
        @Override
        public String key() {
            return "distroless";
        }

        @Override
        public Rule read(JsonNode section, PolicyReader in) throws PolicyException {
            in.keys(section, Set.of("forbid"), "distroless.");
            Set<Category> forbid = EnumSet.noneOf(Category.class);
            for (String c : in.strings(section, "forbid")) {
                try {
                    forbid.add(Category.parse(c));
                } catch (IllegalArgumentException e) {
                    throw in.error(e.getMessage());
                }
            }
            return new DistrolessRule(Set.copyOf(forbid));
        }
    };

    @Override
    public Scope scope() {
        return Scope.FILESYSTEM;
    }

    @Override
    public void evaluate(Evidence evidence, String label, List<Policy.Check> out) {
        List<String> hits = new ArrayList<>();
        for (Finding f : evidence.audit().findings()) {
            if (forbid.contains(f.category())) {
                hits.add(f.category().id() + " " + (f.path() == null ? f.detail() : f.path()));
            }
        }
        out.add(new Policy.Check(label + "distroless", hits.isEmpty(), hits.isEmpty() ? "none of "
                + forbid.stream().sorted().map(Category::id).toList() : String.join(", ", hits)));
    }
}
