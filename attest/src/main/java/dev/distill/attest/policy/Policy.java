package dev.distill.attest.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.distill.oci.ImageReference;
import dev.distill.sbom.audit.AuditReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * mode: enforce                         # or warn: failures are reported, deny nothing (per rule set)
 * images:                               # more rules for the images a glob matches (* within a path
 *   - glob: registry.example/payments/**   #   segment, ** across segments); all that match apply
 *     attestations: [cyclonedx]
 * </pre>
 * Each key of a rule set is one {@link Rule} kind, all listed in {@link PolicyRules}. Every rule is checked and
 * reported; the image passes only when all hold. Unknown keys, keys given twice and empty rules are errors, so a
 * misspelt rule cannot silently pass; rules are judged on verified attestations only ({@link Evidence}).
 */
public final class Policy {

    /**
     * One check and its outcome; {@code warn} when it belongs to a rule set in {@code mode: warn}, whose failures
     * are reported but deny nothing (an admission webhook admits with a warning).
     */
    public record Check(String name, boolean passed, String detail,
                        @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean warn) {
        public Check(String name, boolean passed, String detail) {
            this(name, passed, detail, false);
        }
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

    /**
     * One set of rules: the top level, or an {@code images} section ({@code label} names it in checks); {@code warn}
     * when its {@code mode} is {@code warn} (default {@code enforce}).
     */
    public record RuleSet(String label, List<Rule> rules, boolean warn) {
        public RuleSet(String label, List<Rule> rules) {
            this(label, rules, false);
        }

        /**
         * The rules about an image's contents (SBOM and filesystem), for one platform manifest of an index: they
         * must hold for each platform, judged on that platform's own attestations and filesystem.
         */
        public RuleSet forPlatform(String platform) {
            return new RuleSet(platform + ": " + label, rules.stream().filter(r -> r.scope() != Rule.Scope.DIGEST)
                    .toList(), warn);
        }

        /**
         * The rules about an index itself: those about its digest, and the SBOM rules only when the index has SBOMs
         * of its own (they must not stand in for a platform's); never the filesystem rules (an index has none).
         */
        public RuleSet forIndex(boolean withSboms) {
            return new RuleSet(label, rules.stream().filter(r -> r.scope() == Rule.Scope.DIGEST
                    || withSboms && r.scope() == Rule.Scope.SBOM).toList(), warn);
        }

        /** The predicate types whose attestations these rules judge. */
        public Set<String> neededTypes() {
            Set<String> types = new LinkedHashSet<>();
            rules.forEach(r -> types.addAll(r.neededTypes()));
            return types;
        }
    }

    private record Section(Pattern pattern, RuleSet rules) {
    }

    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate field '([^']*)'");

    private final RuleSet base;
    private final List<Section> sections;
    private final Path trustedRoot;

    private Policy(RuleSet base, List<Section> sections, Path trustedRoot) {
        this.base = base;
        this.sections = sections;
        this.trustedRoot = trustedRoot;
    }

    public static Policy parse(String yaml, String name) throws PolicyException {
        PolicyReader in = new PolicyReader(name);
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                    .readTree(yaml);
        } catch (MismatchedInputException e) {
            Matcher dup = DUPLICATE.matcher(String.valueOf(e.getOriginalMessage()));
            if (dup.find()) {
                throw in.error("'" + dup.group(1) + "' is given twice in one mapping; the second would silently "
                        + "replace the first");
            }
            throw in.error("not valid YAML: " + String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw in.error("not valid YAML: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw in.error("a policy is a mapping of rules");
        }
        Set<String> ruleKeys = new LinkedHashSet<>();
        PolicyRules.ALL.forEach(k -> ruleKeys.add(k.key()));
        Set<String> top = new LinkedHashSet<>(ruleKeys);
        top.addAll(List.of("images", "trustedRoot", "mode"));
        in.keys(root, top, "");
        RuleSet base = ruleSet(root, "", in);
        List<Section> sections = new ArrayList<>();
        JsonNode images = root.path("images");
        if (!images.isMissingNode() && !images.isArray()) {
            throw in.error("'images' must be a list of sections");
        }
        if (images.isArray() && images.isEmpty()) {
            throw in.error("'images' is an empty list" + PolicyReader.IMPOSES_NOTHING);
        }
        Set<String> sectionKeys = new LinkedHashSet<>(ruleKeys);
        sectionKeys.add("glob");
        sectionKeys.add("mode");
        for (JsonNode s : images) {
            if (!s.isObject()) {
                throw in.error("each 'images' section is a mapping with a glob");
            }
            in.keys(s, sectionKeys, "images[].");
            String glob = in.text(s, "glob");
            if (glob == null) {
                throw in.error("an 'images' section needs a glob");
            }
            RuleSet rules = ruleSet(s, "[" + glob + "] ", in);
            if (rules.rules().isEmpty()) {
                throw in.error("the section for '" + glob + "' has no rules");
            }
            sections.add(new Section(globPattern(normalizeHost(glob)), rules));
        }
        String trusted = in.text(root, "trustedRoot");
        if (base.rules().isEmpty() && sections.isEmpty()) {
            throw in.error("the policy has no rules, so it could not fail");
        }
        return new Policy(base, List.copyOf(sections), trusted == null ? null : in.resolve(trusted));
    }

    /** The rules of one rule set, read by their kinds in the registry's order. */
    private static RuleSet ruleSet(JsonNode section, String label, PolicyReader in) throws PolicyException {
        List<Rule> rules = new ArrayList<>();
        for (RuleKind kind : PolicyRules.ALL) {
            JsonNode value = section.path(kind.key());
            if (!value.isMissingNode()) {
                rules.add(kind.read(value, in));
            }
        }
        String mode = in.text(section, "mode");
        if (mode != null && !mode.equals("enforce") && !mode.equals("warn")) {
            throw in.error("'mode' is enforce or warn, not '" + mode + "'");
        }
        return new RuleSet(label, List.copyOf(rules), "warn".equals(mode));
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

    /** The trusted root the policy names for keyless signers, or null. */
    public Path trustedRoot() {
        return trustedRoot;
    }

    /**
     * Every file the policy refers to, in the order written: its trusted root, then its signers' key files (top
     * level, then sections). A judgement depends on their contents as much as on the policy's text.
     */
    public List<Path> files() {
        Set<Path> out = new LinkedHashSet<>();
        if (trustedRoot != null) {
            out.add(trustedRoot);
        }
        List<RuleSet> sets = new ArrayList<>();
        sets.add(base);
        sections.forEach(s -> sets.add(s.rules()));
        for (RuleSet set : sets) {
            for (Rule rule : set.rules()) {
                if (rule instanceof SignersRule s) {
                    s.signers().stream().filter(signer -> signer.key() != null).forEach(signer -> out.add(signer.key()));
                }
            }
        }
        return List.copyOf(out);
    }

    /** The rule sets that apply to an image ({@code registry/repository}): the top level and matching sections. */
    public List<RuleSet> forImage(String image) {
        List<RuleSet> out = new ArrayList<>();
        if (!base.rules().isEmpty()) {
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
        return !base.rules().isEmpty() || !sections.isEmpty();
    }

    /** The predicate types whose attestations the top-level rules need. */
    public Set<String> neededTypes() {
        return base.neededTypes();
    }

    /** The predicate types whose attestations these rule sets need. */
    public static Set<String> neededTypes(List<RuleSet> ruleSets) {
        Set<String> types = new LinkedHashSet<>();
        ruleSets.forEach(r -> types.addAll(r.neededTypes()));
        return types;
    }

    /**
     * Evaluates the top-level rules on verified predicates and an audit; a signer rule fails here (it needs the
     * image's signatures: {@link PolicyGate} judges those).
     */
    public List<Check> evaluate(Map<String, List<JsonNode>> predicates, Supplier<AuditReport> audit) {
        return evaluate(List.of(base), predicates, audit);
    }

    /** {@link #evaluate(List, Evidence)} on verified predicates and an audit, with no signatures to judge. */
    public static List<Check> evaluate(List<RuleSet> ruleSets, Map<String, List<JsonNode>> predicates,
                                       Supplier<AuditReport> audit) {
        return evaluate(ruleSets, new Evidence() {
            @Override
            public List<JsonNode> predicates(String type) {
                return predicates.getOrDefault(type, List.of());
            }

            @Override
            public AuditReport audit() {
                return audit.get();
            }

            @Override
            public Check signer(Signer signer, String label) {
                return new Check(label + "signer " + signer.describe(), false, "no image signatures were read");
            }
        });
    }

    /**
     * Evaluates rule sets on the evidence about one digest. An empty list of rule sets is one failed check: no rule
     * applies to the image, and a gate with no rules must not pass. The audit is asked for once at most.
     */
    public static List<Check> evaluate(List<RuleSet> ruleSets, Evidence evidence) {
        List<Check> checks = new ArrayList<>();
        if (ruleSets.isEmpty()) {
            checks.add(new Check("policy", false, "no rule of the policy applies to this image"));
        }
        Evidence once = new Evidence() {
            private AuditReport report;

            @Override
            public List<JsonNode> predicates(String type) {
                return evidence.predicates(type);
            }

            @Override
            public AuditReport audit() {
                if (report == null) {
                    report = evidence.audit();
                }
                return report;
            }

            @Override
            public Check signer(Signer signer, String label) {
                return evidence.signer(signer, label);
            }
        };
        for (RuleSet r : ruleSets) {
            int first = checks.size();
            for (Rule rule : r.rules()) {
                rule.evaluate(once, r.label(), checks);
            }
            for (int i = first; r.warn() && i < checks.size(); i++) {
                Check c = checks.get(i);
                checks.set(i, new Check(c.name(), c.passed(), c.detail(), true));
            }
        }
        return checks;
    }
}
