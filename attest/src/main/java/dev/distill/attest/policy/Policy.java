package dev.distill.attest.policy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.oci.ImageReference;
import dev.distill.sbom.audit.AuditReport;
import dev.distill.sbom.audit.Category;
import dev.distill.sbom.audit.Finding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What an image must satisfy before deploy, read from YAML (or JSON):
 * <pre>
 * attestations: [spdx, slsaprovenance]   # predicate types that must be attested (names or URIs)
 * signers:                               # each must have signed the image (verify's signatures)
 *   - key: keys/release.pub              #   a public key, relative to the policy file
 *   - identity: https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main
 *     issuer: https://token.actions.githubusercontent.com    # or identityRegexp / issuerRegexp
 * trustedRoot: sigstore/trusted_root.json   # for identity signers (default: the command's, else public good)
 * slsa:
 *   builderId: https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0   # or a list: any of
 *   sourceRepository: https://github.com/acme/app
 *   ref: refs/tags/v[0-9].*              # the built ref, a regular expression matching the whole value
 * sbom:
 *   denyPackages: [pkg:deb/debian/bash, pkg:npm/event-stream]   # purls: every version, or the one given (DenyRules)
 *   denyLicenses: [AGPL-3.0-only, SSPL-1.0]
 * distroless:
 *   forbid: [shell, package-manager]    # audit categories
 * images:                               # more rules for the images a glob matches (* within a path
 *   - glob: registry.example/payments/**   #   segment, ** across segments); all that match apply
 *     attestations: [cyclonedx]
 * </pre>
 * Every rule is checked and reported; the image passes only when all hold. Unknown keys are an error, so a
 * misspelt rule cannot silently pass; rules are judged on verified attestations only.
 */
public final class Policy {

    /** One check and its outcome. */
    public record Check(String name, boolean passed, String detail) {
    }

    /** A required signer: a public key file, or a keyless identity and issuer (exact or whole-value regexp). */
    public record Signer(Path key, String identity, String identityRegexp, String issuer, String issuerRegexp) {
        public String describe() {
            if (key != null) {
                return "key " + key;
            }
            return (identity != null ? identity : "/" + identityRegexp + "/") + " from "
                    + (issuer != null ? issuer : "/" + issuerRegexp + "/");
        }
    }

    /** One set of rules: the top level, or an {@code images} section. */
    public record Rules(String label, List<String> attestations, List<Signer> signers, List<String> builderIds,
                        String sourceRepository, String ref, List<String> denyPackages, List<String> denyLicenses,
                        Set<Category> forbid) {
        /**
         * The rules about an image's contents (SBOM and distroless), for one platform manifest of an index: they
         * must hold for each platform, judged on that platform's own attestations and filesystem.
         */
        public Rules forPlatform(String platform) {
            return new Rules(platform + ": " + label, List.of(), List.of(), List.of(), null, null, denyPackages,
                    denyLicenses, forbid);
        }

        /**
         * The rules about an index itself: attestations, signers and SLSA; the SBOM rules only when the index has
         * SBOMs of its own (they must not stand in for a platform's); never the distroless rules (an index has no
         * filesystem: {@link #forPlatform} judges each platform's).
         */
        public Rules forIndex(boolean withSboms) {
            return new Rules(label, attestations, signers, builderIds, sourceRepository, ref,
                    withSboms ? denyPackages : List.of(), withSboms ? denyLicenses : List.of(),
                    EnumSet.noneOf(Category.class));
        }

        boolean empty() {
            return attestations.isEmpty() && signers.isEmpty() && builderIds.isEmpty() && sourceRepository == null
                    && ref == null && denyPackages.isEmpty() && denyLicenses.isEmpty() && forbid.isEmpty();
        }
    }

    private record Section(String glob, Pattern pattern, Rules rules) {
    }

    /** Said of an empty rule: a rule that names nothing would pass every image while looking like a gate. */
    private static final String IMPOSES_NOTHING = ", so it would impose nothing: remove it, or say what it requires";
    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate field '([^']*)'");
    private static final Set<String> RULES = Set.of("attestations", "signers", "slsa", "sbom", "distroless");
    private static final Set<String> TOP = union(RULES, Set.of("images", "trustedRoot"));

    private final Rules base;
    private final List<Section> sections;
    private final Path trustedRoot;

    private Policy(Rules base, List<Section> sections, Path trustedRoot) {
        this.base = base;
        this.sections = sections;
        this.trustedRoot = trustedRoot;
    }

    public static Policy parse(String yaml, String name) throws PolicyException {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                    .readTree(yaml);
        } catch (MismatchedInputException e) {
            Matcher dup = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
            if (dup.find()) {
                throw new PolicyException(name + ": '" + dup.group(1) + "' is given twice in one mapping; the "
                        + "second would silently replace the first");
            }
            throw new PolicyException(name + ": not valid YAML: " + e.getOriginalMessage().lines().findFirst()
                    .orElse(""));
        } catch (IOException e) {
            throw new PolicyException(name + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new PolicyException(name + ": a policy is a mapping of rules");
        }
        keys(root, TOP, "", name);
        Path dir = Path.of(name).toAbsolutePath().getParent();
        Rules base = rules(root, "", dir, name);
        List<Section> sections = new ArrayList<>();
        JsonNode images = root.path("images");
        if (!images.isMissingNode() && !images.isArray()) {
            throw new PolicyException(name + ": 'images' must be a list of sections");
        }
        if (images.isArray() && images.isEmpty()) {
            throw new PolicyException(name + ": 'images' is an empty list" + IMPOSES_NOTHING);
        }
        for (JsonNode s : images) {
            if (!s.isObject()) {
                throw new PolicyException(name + ": each 'images' section is a mapping with a glob");
            }
            keys(s, union(RULES, Set.of("glob")), "images[].", name);
            String glob = text(s, "glob", name);
            if (glob == null) {
                throw new PolicyException(name + ": an 'images' section needs a glob");
            }
            Rules rules = rules(s, "[" + glob + "] ", dir, name);
            if (rules.empty()) {
                throw new PolicyException(name + ": the section for '" + glob + "' has no rules");
            }
            sections.add(new Section(glob, globPattern(normalizeHost(glob)), rules));
        }
        String root2 = text(root, "trustedRoot", name);
        Policy policy = new Policy(base, sections, root2 == null ? null : dir.resolve(root2));
        if (base.empty() && sections.isEmpty()) {
            throw new PolicyException(name + ": the policy has no rules, so it could not fail");
        }
        return policy;
    }

    private static Rules rules(JsonNode root, String label, Path dir, String name) throws PolicyException {
        keys(root.path("slsa"), Set.of("builderId", "sourceRepository", "ref"), "slsa.", name);
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
        JsonNode builder = root.path("slsa").path("builderId");
        List<String> builderIds = builder.isArray() ? strings(root.path("slsa"), "builderId", name)
                : builder.isMissingNode() ? List.of() : List.of(text(root.path("slsa"), "builderId", name));
        if (builder.isArray() && builderIds.isEmpty()) {
            throw new PolicyException(name + ": 'builderId' must name at least one builder");
        }
        String ref = text(root.path("slsa"), "ref", name);
        if (ref != null) {
            compile(ref, "slsa.ref", name);
        }
        return new Rules(label, attestations, signers(root.path("signers"), dir, name), builderIds,
                text(root.path("slsa"), "sourceRepository", name), ref, strings(root.path("sbom"), "denyPackages",
                name), strings(root.path("sbom"), "denyLicenses", name), forbid);
    }

    private static List<Signer> signers(JsonNode list, Path dir, String name) throws PolicyException {
        List<Signer> out = new ArrayList<>();
        if (list.isMissingNode()) {
            return out;
        }
        if (!list.isArray()) {
            throw new PolicyException(name + ": 'signers' must be a list");
        }
        if (list.isEmpty()) {
            throw new PolicyException(name + ": 'signers' is an empty list" + IMPOSES_NOTHING);
        }
        for (JsonNode s : list) {
            if (!s.isObject()) {
                throw new PolicyException(name + ": each signer is a mapping (key, or identity and issuer)");
            }
            keys(s, Set.of("key", "identity", "identityRegexp", "issuer", "issuerRegexp"), "signers[].", name);
            String key = text(s, "key", name);
            String id = text(s, "identity", name);
            String idRe = text(s, "identityRegexp", name);
            String iss = text(s, "issuer", name);
            String issRe = text(s, "issuerRegexp", name);
            boolean keyless = id != null || idRe != null || iss != null || issRe != null;
            if (key != null && keyless) {
                throw new PolicyException(name + ": a signer is a key or an identity, not both");
            }
            if (key == null && ((id == null) == (idRe == null) || (iss == null) == (issRe == null))) {
                throw new PolicyException(name + ": a keyless signer needs one of identity/identityRegexp and one of "
                        + "issuer/issuerRegexp");
            }
            if (idRe != null) {
                compile(idRe, "identityRegexp", name);
            }
            if (issRe != null) {
                compile(issRe, "issuerRegexp", name);
            }
            out.add(new Signer(key == null ? null : dir.resolve(key), id, idRe, iss, issRe));
        }
        return out;
    }

    private static void compile(String re, String what, String name) throws PolicyException {
        try {
            Pattern.compile(re);
        } catch (PatternSyntaxException e) {
            throw new PolicyException(name + ": '" + what + "' is not a valid regular expression: "
                    + e.getDescription());
        }
    }

    /**
     * A glob's registry written as references are normalised ({@link ImageReference#normalizeRegistry}), so that
     * {@code Localhost:5055/app} matches the image {@code localhost:5055/app}; a head with a wildcard is left as
     * written.
     */
    static String normalizeHost(String glob) {
        int slash = glob.indexOf('/');
        if (slash <= 0) {
            return glob;
        }
        String head = glob.substring(0, slash);
        boolean host = head.contains(".") || head.contains(":") || head.equalsIgnoreCase("localhost");
        return host && !head.contains("*") ? ImageReference.normalizeRegistry(head) + glob.substring(slash) : glob;
    }

    /** {@code *} within a path segment, {@code **} across segments, everything else literal. */
    static Pattern globPattern(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                re.append(".*");
                i++;
            } else if (c == '*') {
                re.append("[^/]*");
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new LinkedHashSet<>(a);
        out.addAll(b);
        return Set.copyOf(out);
    }

    /** Every key of a rule section must be known: a misspelt rule would otherwise silently impose nothing. */
    private static void keys(JsonNode section, Set<String> known, String prefix, String name) throws PolicyException {
        if (section.isMissingNode()) {
            return;
        }
        if (!section.isObject()) {
            throw new PolicyException(name + ": '" + prefix.replace(".", "") + "' must be a mapping of rules");
        }
        if (section.isEmpty()) {
            throw new PolicyException(name + (prefix.isEmpty() ? ": the policy has no rules, so it could not fail"
                    : ": '" + prefix.replace(".", "") + "' has no rules" + IMPOSES_NOTHING));
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
        if (n.isEmpty()) {
            throw new PolicyException(name + ": '" + key + "' is an empty list" + IMPOSES_NOTHING);
        }
        for (JsonNode v : n) {
            if (!v.isTextual() || v.asText().isBlank()) {
                throw new PolicyException(name + ": '" + key + "' must list non-empty strings");
            }
            out.add(v.asText());
        }
        return out;
    }

    /** The trusted root the policy names for keyless signers, or null. */
    public Path trustedRoot() {
        return trustedRoot;
    }

    /** The rule sets that apply to an image ({@code registry/repository}): the top level and matching sections. */
    public List<Rules> forImage(String image) {
        List<Rules> out = new ArrayList<>();
        if (!base.empty()) {
            out.add(base);
        }
        for (Section s : sections) {
            if (image != null && s.pattern().matcher(image).matches()) {
                out.add(s.rules());
            }
        }
        return out;
    }

    /** Whether any rule, at the top level or in a section, could fail. */
    public boolean hasRules() {
        return !base.empty() || !sections.isEmpty();
    }

    /** The predicate types whose attestations the top-level rules need. */
    public Set<String> neededTypes() {
        return neededTypes(List.of(base));
    }

    /** The predicate types whose attestations these rules need. */
    public static Set<String> neededTypes(List<Rules> rules) {
        Set<String> types = new LinkedHashSet<>();
        for (Rules r : rules) {
            types.addAll(r.attestations());
            if (!r.builderIds().isEmpty() || r.sourceRepository() != null || r.ref() != null) {
                types.add(ImageAttestations.predicateType("slsaprovenance"));
            }
        }
        return types;
    }

    /** Evaluates the top-level rules (see {@link #evaluate(List, Map, Supplier)}). */
    public List<Check> evaluate(Map<String, List<JsonNode>> predicates, Supplier<AuditReport> audit) {
        return evaluate(List.of(base), predicates, audit);
    }

    /**
     * Evaluates rule sets, all but signer rules (which need the registry: the caller checks them).
     * {@code predicates} maps predicate types to the verified predicates found (absent: none verified);
     * {@code audit} is asked for only when distroless rules exist. An empty list of rule sets is one failed
     * check: no rule applies to the image, and a gate with no rules must not pass.
     */
    public static List<Check> evaluate(List<Rules> ruleSets, Map<String, List<JsonNode>> predicates,
                                       Supplier<AuditReport> audit) {
        List<Check> checks = new ArrayList<>();
        if (ruleSets.isEmpty()) {
            checks.add(new Check("policy", false, "no rule of the policy applies to this image"));
        }
        AuditReport[] report = new AuditReport[1];
        for (Rules r : ruleSets) {
            evaluate(r, predicates, () -> {
                if (report[0] == null) {
                    report[0] = audit.get();
                }
                return report[0];
            }, checks);
        }
        return checks;
    }

    private static void evaluate(Rules r, Map<String, List<JsonNode>> predicates, Supplier<AuditReport> audit,
                                 List<Check> checks) {
        String l = r.label();
        for (String t : r.attestations()) {
            boolean has = !predicates.getOrDefault(t, List.of()).isEmpty();
            checks.add(new Check(l + "attestation " + t, has, has ? "verified" : "no verified attestation"));
        }
        String slsa = ImageAttestations.predicateType("slsaprovenance");
        List<JsonNode> provenance = predicates.getOrDefault(slsa, List.of());
        slsaChecks(r, provenance, checks);
        if (!r.denyPackages().isEmpty() || !r.denyLicenses().isEmpty()) {
            sbomChecks(r, predicates, checks);
        }
        if (!r.forbid().isEmpty()) {
            List<String> hits = new ArrayList<>();
            for (Finding f : audit.get().findings()) {
                if (r.forbid().contains(f.category())) {
                    hits.add(f.category().id() + " " + (f.path() == null ? f.detail() : f.path()));
                }
            }
            checks.add(new Check(l + "distroless", hits.isEmpty(), hits.isEmpty() ? "none of "
                    + r.forbid().stream().map(Category::id).toList() : String.join(", ", hits)));
        }
    }

    /** One SLSA rule: its check name, whether a provenance meets it, and what to say either way. */
    private record SlsaRule(String name, java.util.function.Predicate<JsonNode> test, String met, String unmet) {
    }

    /**
     * The SLSA rules hold only if one verified provenance meets them all: a trusted builder's build of a fork and
     * an untrusted builder's build of the wanted repository must not add up to a pass. The checks report the
     * provenance that meets the most rules (the first such).
     */
    private static void slsaChecks(Rules r, List<JsonNode> provenance, List<Check> checks) {
        List<SlsaRule> rules = new ArrayList<>();
        if (!r.builderIds().isEmpty()) {
            rules.add(new SlsaRule("slsa builder", p -> r.builderIds().contains(p.at("/runDetails/builder/id")
                    .asText()), "one of " + r.builderIds(), "names a builder among " + r.builderIds()));
        }
        if (r.sourceRepository() != null) {
            rules.add(new SlsaRule("slsa source", p -> r.sourceRepository().equals(p.at(
                    "/buildDefinition/externalParameters/workflow/repository").asText()) || r.sourceRepository()
                    .equals(p.at("/buildDefinition/externalParameters/repository").asText()), r.sourceRepository(),
                    "builds from " + r.sourceRepository()));
        }
        if (r.ref() != null) {
            Pattern re = Pattern.compile(r.ref());
            rules.add(new SlsaRule("slsa ref", p -> {
                String ref = p.at("/buildDefinition/externalParameters/workflow/ref").asText("");
                return !ref.isEmpty() && re.matcher(ref).matches();
            }, "matches /" + r.ref() + "/", "was built from a ref matching /" + r.ref() + "/ (whole value)"));
        }
        if (rules.isEmpty()) {
            return;
        }
        JsonNode best = null;
        long bestMet = -1;
        for (JsonNode p : provenance) {
            long met = rules.stream().filter(rule -> rule.test().test(p)).count();
            if (met > bestMet) {
                best = p;
                bestMet = met;
            }
        }
        for (SlsaRule rule : rules) {
            boolean ok = best != null && rule.test().test(best);
            String detail = ok ? rule.met() : best == null ? "no verified provenance " + rule.unmet()
                    : provenance.size() == 1 ? "the verified provenance does not say it " + rule.unmet()
                    : "no one verified provenance meets every slsa rule; the closest does not say it " + rule.unmet();
            checks.add(new Check(r.label() + rule.name(), ok, detail));
        }
    }

    private static void sbomChecks(Rules r, Map<String, List<JsonNode>> predicates, List<Check> checks) {
        String l = r.label();
        List<DenyRules.Entry> packages = new ArrayList<>();
        int sboms = 0;
        for (String t : List.of("https://spdx.dev/Document", "https://cyclonedx.org/bom")) {
            for (JsonNode p : predicates.getOrDefault(t, List.of())) {
                try {
                    packages.addAll(DenyRules.packages(p));
                    sboms++;
                } catch (IOException e) {
                    checks.add(new Check(l + "sbom", false, "an attested SBOM cannot be read: " + e.getMessage()));
                }
            }
        }
        if (sboms == 0) {
            checks.add(new Check(l + "sbom", false, "package and license rules need a verified SPDX or CycloneDX "
                    + "attestation"));
            return;
        }
        Set<String> denied = new LinkedHashSet<>();
        Set<String> licensed = new LinkedHashSet<>();
        List<String> deniedIds = r.denyLicenses().stream().map(id -> DenyRules.currentId(id).toUpperCase(
                java.util.Locale.ROOT)).toList();
        for (DenyRules.Entry p : packages) {
            for (String prefix : r.denyPackages()) {
                if (DenyRules.denies(prefix, p.purl())) {
                    denied.add(p.purl());
                }
            }
            for (String expression : p.licenses()) {
                Set<String> ids = DenyRules.licenseIds(expression);
                for (int i = 0; i < deniedIds.size(); i++) {
                    if (ids.contains(deniedIds.get(i))) {
                        licensed.add(p.name() + " (" + r.denyLicenses().get(i) + ")");
                    }
                }
            }
        }
        if (!r.denyPackages().isEmpty()) {
            checks.add(new Check(l + "denied packages", denied.isEmpty(), denied.isEmpty() ? "none found"
                    : String.join(", ", denied)));
        }
        if (!r.denyLicenses().isEmpty()) {
            checks.add(new Check(l + "denied licenses", licensed.isEmpty(), licensed.isEmpty() ? "none found"
                    : String.join(", ", licensed)));
        }
    }
}
