package dev.distill.attest.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code sbom: {denyPackages, denyLicenses}}: no package of a verified SPDX or CycloneDX attestation may be one of
 * these purls or carry one of these licenses (matched as {@link DenyRules} says); without a verified SBOM the rule
 * fails.
 */
record SbomRule(List<String> denyPackages, List<String> denyLicenses) implements Rule {
    static final String SPDX = "https://spdx.dev/Document";
    static final String CYCLONEDX = "https://cyclonedx.org/bom";

    static final RuleKind KIND = new RuleKind() {
        @Override
        public String key() {
            return "sbom";
        }

        @Override
        public Rule read(JsonNode section, PolicyReader in) throws PolicyException {
            in.keys(section, Set.of("denyPackages", "denyLicenses"), "sbom.");
            return new SbomRule(in.strings(section, "denyPackages"), in.strings(section, "denyLicenses"));
        }
    };

    @Override
    public Scope scope() {
        return Scope.SBOM;
    }

    @Override
    public Set<String> neededTypes() {
        return Set.of(SPDX, CYCLONEDX);
    }

    @Override
    public void evaluate(Evidence evidence, String label, List<Policy.Check> out) {
        List<DenyRules.Entry> packages = new ArrayList<>();
        int sboms = 0;
        for (String t : List.of(SPDX, CYCLONEDX)) {
            for (JsonNode p : evidence.predicates(t)) {
                try {
                    packages.addAll(DenyRules.packages(p));
                    sboms++;
                } catch (IOException e) {
                    out.add(new Policy.Check(label + "sbom", false, "an attested SBOM cannot be read: "
                            + e.getMessage()));
                }
            }
        }
        if (sboms == 0) {
            out.add(new Policy.Check(label + "sbom", false, "package and license rules need a verified SPDX or "
                    + "CycloneDX attestation"));
            return;
        }
        Set<String> denied = new LinkedHashSet<>();
        Set<String> licensed = new LinkedHashSet<>();
        List<String> deniedIds = denyLicenses.stream().map(id -> DenyRules.currentId(id).toUpperCase(Locale.ROOT))
                .toList();
        for (DenyRules.Entry p : packages) {
            for (String purl : denyPackages) {
                if (DenyRules.denies(purl, p.purl())) {
                    denied.add(p.purl());
                }
            }
            for (String expression : p.licenses()) {
                Set<String> ids = DenyRules.licenseIds(expression);
                for (int i = 0; i < deniedIds.size(); i++) {
                    if (ids.contains(deniedIds.get(i))) {
                        licensed.add(p.name() + " (" + denyLicenses.get(i) + ")");
                    }
                }
            }
        }
        if (!denyPackages.isEmpty()) {
            out.add(new Policy.Check(label + "denied packages", denied.isEmpty(), denied.isEmpty() ? "none found"
                    : String.join(", ", denied)));
        }
        if (!denyLicenses.isEmpty()) {
            out.add(new Policy.Check(label + "denied licenses", licensed.isEmpty(), licensed.isEmpty() ? "none found"
                    : String.join(", ", licensed)));
        }
    }
}
