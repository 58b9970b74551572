package dev.distill.attest.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.sbom.audit.AuditReport;
import dev.distill.sbom.audit.Category;
import dev.distill.sbom.audit.Finding;
import dev.distill.sbom.format.SbomReader;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Sbom;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What an image must satisfy before deploy, read from YAML (or JSON):
 * <pre>
 * attestations: [spdx, slsaprovenance]   # predicate types that must be attested (names or URIs)
 * slsa:
 *   builderId: https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0
 *   sourceRepository: https://github.com/acme/app
 * sbom:
 *   denyPackages: [pkg:deb/debian/bash, pkg:npm/event-stream]   # purl prefixes
 *   denyLicenses: [AGPL-3.0-only, SSPL-1.0]
 * distroless:
 *   forbid: [shell, package-manager]    # audit categories
 * </pre>
 * Every rule is checked and reported; the image passes only when all hold. Unknown keys are an error, so a
 * misspelt rule cannot silently pass.
 */
public record Policy(List<String> attestations, String slsaBuilderId, String slsaSourceRepository,
                     List<String> denyPackages, List<String> denyLicenses, Set<Category> forbid) {

    /** One check and its outcome. */
    public record Check(String name, boolean passed, String detail) {
    }

    private static final Set<String> TOP = Set.of("attestations", "slsa", "sbom", "distroless");

    public static Policy parse(String yaml, String name) throws PolicyException {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (IOException e) {
            throw new PolicyException(name + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new PolicyException(name + ": a policy is a mapping of rules");
        }
        keys(root, TOP, "", name);
        keys(root.path("slsa"), Set.of("builderId", "sourceRepository"), "slsa.", name);
        keys(root.path("sbom"), Set.of("denyPackages", "denyLicenses"), "sbom.", name);
        keys(root.path("distroless"), Set.of("forbid"), "distroless.", name);
        List<String> attestations = new ArrayList<>();
        for (String t : strings(root, "attestations", name)) {
            try {
                attestations.add(ImageAttestations.predicateType(t));
            } catch (IllegalArgumentException e) {
                throw new PolicyException(name + ": " + e.getMessage());
            }
        }
        Set<Category> forbid = EnumSet.noneOf(Category.class);
        for (String c : strings(root.path("distroless"), "forbid", name)) {
            try {
                forbid.add(Category.parse(c));
            } catch (IllegalArgumentException e) {
                throw new PolicyException(name + ": " + e.getMessage());
            }
        }
        Policy policy = new Policy(attestations, text(root.path("slsa"), "builderId", name),
                text(root.path("slsa"), "sourceRepository", name), strings(root.path("sbom"), "denyPackages", name),
                strings(root.path("sbom"), "denyLicenses", name), forbid);
        if (policy.neededTypes().isEmpty() && policy.denyPackages().isEmpty() && policy.denyLicenses().isEmpty()
                && forbid.isEmpty()) {
            throw new PolicyException(name + ": the policy has no rules, so it could not fail");
        }
        return policy;
    }

    /** Every key of a rule section must be known: a misspelt rule would otherwise silently impose nothing. */
    private static void keys(JsonNode section, Set<String> known, String prefix, String name) throws PolicyException {
        if (section.isMissingNode()) {
            return;
        }
        if (!section.isObject()) {
            throw new PolicyException(name + ": '" + prefix.replace(".", "") + "' must be a mapping of rules");
        }
        var it = section.fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (!known.contains(k)) {
                throw new PolicyException(name + ": unknown rule '" + prefix + k + "' ("
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String text(JsonNode section, String key, String name) throws PolicyException {
        JsonNode n = section.path(key);
        if (n.isMissingNode()) {
            return null;
        }
        if (!n.isTextual() || n.asText().isBlank()) {
            throw new PolicyException(name + ": '" + key + "' must be a non-empty string");
        }
        return n.asText();
    }

    /** A list of non-empty strings; a scalar where a list belongs is an error, not an empty rule. */
    private static List<String> strings(JsonNode section, String key, String name) throws PolicyException {
        JsonNode n = section.path(key);
        List<String> out = new ArrayList<>();
        if (n.isMissingNode()) {
            return out;
        }
        if (!n.isArray()) {
            throw new PolicyException(name + ": '" + key + "' must be a list");
        }
        for (JsonNode v : n) {
            if (!v.isTextual() || v.asText().isBlank()) {
                throw new PolicyException(name + ": '" + key + "' must list non-empty strings");
            }
            out.add(v.asText());
        }
        return out;
    }

    /** The predicate types whose attestations the rules need. */
    public Set<String> neededTypes() {
        Set<String> types = new java.util.LinkedHashSet<>(attestations);
        if (slsaBuilderId != null || slsaSourceRepository != null) {
            types.add(ImageAttestations.predicateType("slsaprovenance"));
        }
        return types;
    }

    /**
     * Evaluates the rules. {@code predicates} maps predicate types to the verified predicates found (absent:
     * none verified); {@code audit} is asked for only when distroless rules exist.
     */
    public List<Check> evaluate(Map<String, List<JsonNode>> predicates, Supplier<AuditReport> audit) {
        List<Check> checks = new ArrayList<>();
        for (String t : attestations) {
            boolean has = !predicates.getOrDefault(t, List.of()).isEmpty();
            checks.add(new Check("attestation " + t, has, has ? "verified" : "no verified attestation"));
        }
        String slsa = ImageAttestations.predicateType("slsaprovenance");
        List<JsonNode> provenance = predicates.getOrDefault(slsa, List.of());
        if (slsaBuilderId != null) {
            boolean ok = provenance.stream().anyMatch(p -> slsaBuilderId.equals(p.at("/runDetails/builder/id")
                    .asText()));
            checks.add(new Check("slsa builder", ok, ok ? slsaBuilderId : "no verified provenance names builder "
                    + slsaBuilderId));
        }
        if (slsaSourceRepository != null) {
            boolean ok = provenance.stream().anyMatch(p -> slsaSourceRepository.equals(p.at(
                    "/buildDefinition/externalParameters/workflow/repository").asText()) || slsaSourceRepository
                    .equals(p.at("/buildDefinition/externalParameters/repository").asText()));
            checks.add(new Check("slsa source", ok, ok ? slsaSourceRepository : "no verified provenance builds from "
                    + slsaSourceRepository));
        }
        if (!denyPackages.isEmpty() || !denyLicenses.isEmpty()) {
            sbomChecks(predicates, checks);
        }
        if (!forbid.isEmpty()) {
            AuditReport report = audit.get();
            List<String> hits = new ArrayList<>();
            for (Finding f : report.findings()) {
                if (forbid.contains(f.category())) {
                    hits.add(f.category().id() + " " + (f.path() == null ? f.detail() : f.path()));
                }
            }
            checks.add(new Check("distroless", hits.isEmpty(), hits.isEmpty() ? "none of "
                    + forbid.stream().map(Category::id).toList() : String.join(", ", hits)));
        }
        return checks;
    }

    private void sbomChecks(Map<String, List<JsonNode>> predicates, List<Check> checks) {
        List<Sbom> sboms = new ArrayList<>();
        for (String t : List.of("https://spdx.dev/Document", "https://cyclonedx.org/bom")) {
            for (JsonNode p : predicates.getOrDefault(t, List.of())) {
                try {
                    sboms.add(SbomReader.read(p.toString().getBytes(StandardCharsets.UTF_8), "attested SBOM",
                            Instant.EPOCH));
                } catch (IOException e) {
                    checks.add(new Check("sbom", false, "an attested SBOM cannot be read: " + e.getMessage()));
                }
            }
        }
        if (sboms.isEmpty()) {
            checks.add(new Check("sbom", false, "package and license rules need a verified SPDX or CycloneDX "
                    + "attestation"));
            return;
        }
        List<String> denied = new ArrayList<>();
        List<String> licensed = new ArrayList<>();
        for (Sbom s : sboms) {
            for (Package p : s.packages()) {
                for (String prefix : denyPackages) {
                    if (p.purl() != null && (p.purl().equals(prefix) || p.purl().startsWith(prefix + "@")
                            || p.purl().startsWith(prefix + "?"))) {
                        denied.add(p.purl());
                    }
                }
                if (p.license() != null) {
                    for (String id : denyLicenses) {
                        if (List.of(p.license().replace("(", " ").replace(")", " ").split("\\s+")).contains(id)) {
                            licensed.add(p.name() + " (" + id + ")");
                        }
                    }
                }
            }
        }
        if (!denyPackages.isEmpty()) {
            checks.add(new Check("denied packages", denied.isEmpty(), denied.isEmpty() ? "none found"
                    : String.join(", ", denied)));
        }
        if (!denyLicenses.isEmpty()) {
            checks.add(new Check("denied licenses", licensed.isEmpty(), licensed.isEmpty() ? "none found"
                    : String.join(", ", licensed)));
        }
    }
}
