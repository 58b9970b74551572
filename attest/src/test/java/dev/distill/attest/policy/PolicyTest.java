package dev.distill.attest.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.sbom.audit.AuditReport;
import dev.distill.sbom.audit.Category;
import dev.distill.sbom.audit.Finding;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyTest {

    private static final String SLSA = "https://slsa.dev/provenance/v1";
    private static final String CDX = "https://cyclonedx.org/bom";

    private static JsonNode json(String s) throws Exception {
        return new ObjectMapper().readTree(s);
    }

    private static String failures(List<Policy.Check> checks) {
        return String.join(", ", checks.stream().filter(c -> !c.passed()).map(Policy.Check::name).toList());
    }

    @Test
    void misspeltOrMisshapedRulesAreErrorsNotSilentPasses() {
        // Each of these once parsed into a policy that imposed nothing on the misspelt or misshaped rule.
        String[][] cases = {
            {"slsa:\n  builderID: https://b\n", "p.yaml: unknown rule 'slsa.builderID' (builderId, ref, sourceRepository)"},
            {"sbom:\n  denyPackage: [pkg:deb/debian/bash]\n",
                "p.yaml: unknown rule 'sbom.denyPackage' (denyLicenses, denyPackages)"},
            {"distroless:\n  forbids: [shell]\n", "p.yaml: unknown rule 'distroless.forbids' (forbid)"},
            {"attestations: spdx\n", "p.yaml: 'attestations' must be a list"},
            {"distroless: [shell]\n", "p.yaml: 'distroless' must be a mapping of rules"},
            {"slsa:\n  builderId: 42\n", "p.yaml: 'builderId' must be a non-empty string"},
            {"slsa:\n  builderId: []\n", "p.yaml: 'builderId' is an empty list, so it would impose nothing: remove "
                + "it, or say what it requires"},
            {"slsa:\n  ref: \"refs/(tags\"\n", null},
            {"signers:\n  - identity: a\n", "p.yaml: a keyless signer needs one of identity/identityRegexp and one "
                + "of issuer/issuerRegexp"},
            {"signers:\n  - key: k.pub\n    identity: a\n    issuer: b\n", "p.yaml: a signer is a key or an "
                + "identity, not both"},
            {"images:\n  - glob: a/*\n", "p.yaml: the section for 'a/*' has no rules"},
            {"images:\n  - attestations: [spdx]\n", "p.yaml: an 'images' section needs a glob"},
            {"images:\n  - glob: a/*\n    trustedRoot: x\n", null},
            {"sbom:\n  denyLicenses: [\"\"]\n", "p.yaml: 'denyLicenses' must list non-empty strings"},
            {"attestations: []\n", "p.yaml: 'attestations' is an empty list, so it would impose nothing: remove "
                + "it, or say what it requires"},
            {"{}\n", "p.yaml: the policy has no rules, so it could not fail"},
            // Security finding 6 of #22: each of these parsed, and the rule silently did nothing.
            {"sbom:\n  denyPackages: [pkg:deb/debian/bash]\nsbom:\n  denyLicenses: [MIT]\n",
                "p.yaml: 'sbom' is given twice in one mapping; the second would silently replace the first"},
            {"attestations: [spdx]\nsbom:\n  denyPackages: []\n", "p.yaml: 'denyPackages' is an empty list, so it "
                + "would impose nothing: remove it, or say what it requires"},
            {"attestations: [spdx]\ndistroless:\n  forbid: []\n", "p.yaml: 'forbid' is an empty list, so it would "
                + "impose nothing: remove it, or say what it requires"},
            {"attestations: [spdx]\nsigners: []\n", "p.yaml: 'signers' is an empty list, so it would impose "
                + "nothing: remove it, or say what it requires"},
            {"attestations: [spdx]\nslsa: {}\n", "p.yaml: 'slsa' has no rules, so it would impose nothing: remove "
                + "it, or say what it requires"},
            {"attestations: [spdx]\nimages: []\n", "p.yaml: 'images' is an empty list, so it would impose "
                + "nothing: remove it, or say what it requires"},
            {"attestations: [sbom-of-sorts]\n", null},
            {"distroless:\n  forbid: [shells]\n", null},
            {"rules: {}\n", "p.yaml: unknown rule 'rules' (attestations, distroless, images, mode, sbom, signers, slsa, trustedRoot)"},
            {"mode: audit\nattestations: [spdx]\n", "p.yaml: 'mode' is enforce or warn, not 'audit'"},
            {"images:\n  - glob: a/*\n    mode: warn\n", "p.yaml: the section for 'a/*' has no rules"},
        };
        for (String[] c : cases) {
            PolicyException e = assertThrows(PolicyException.class, () -> Policy.parse(c[0], "p.yaml"), c[0]);
            if (c[1] != null) {
                assertEquals(c[1], e.getMessage());
            } else {
                assertTrue(e.getMessage().startsWith("p.yaml: "), e.getMessage());
            }
        }
    }

    @Test
    void provenanceRulesNeedAVerifiedProvenanceWithThatBuilderAndSource() throws Exception {
        Policy p = Policy.parse("slsa:\n  builderId: https://github.com/acme/app/.github/workflows/r.yml@refs/tags/v1\n"
                + "  sourceRepository: https://github.com/acme/app\n", "p.yaml");
        assertEquals(List.of(SLSA), List.copyOf(p.neededTypes()));
        JsonNode good = json("{\"buildDefinition\":{\"externalParameters\":{\"workflow\":{\"repository\":"
                + "\"https://github.com/acme/app\"}}},\"runDetails\":{\"builder\":{\"id\":"
                + "\"https://github.com/acme/app/.github/workflows/r.yml@refs/tags/v1\"}}}");
        JsonNode fork = json(good.toString().replace("acme/app", "mallory/app"));
        assertEquals("", failures(p.evaluate(Map.of(SLSA, List.of(good)), () -> null)));
        assertEquals("slsa builder, slsa source", failures(p.evaluate(Map.of(SLSA, List.of(fork)), () -> null)));
        assertEquals("slsa builder, slsa source", failures(p.evaluate(Map.of(), () -> null)));
    }

    @Test
    void packageAndLicenseRulesReadTheAttestedSbomAndFailWithoutOne() throws Exception {
        Policy p = Policy.parse("sbom:\n  denyPackages: [pkg:deb/debian/bash]\n  denyLicenses: [AGPL-3.0-only]\n",
                "p.yaml");
        String bom = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,\"components\":["
                + "{\"type\":\"library\",\"bom-ref\":\"a\",\"name\":\"%s\",\"version\":\"1\",\"purl\":\"%s\","
                + "\"licenses\":[{\"expression\":\"%s\"}]}]}";
        JsonNode clean = json(String.format(bom, "bashful", "pkg:deb/debian/bashful@1?arch=amd64", "MIT"));
        JsonNode dirty = json(String.format(bom, "bash", "pkg:deb/debian/bash@1?arch=amd64",
                "(MIT OR AGPL-3.0-only)"));
        assertEquals("", failures(p.evaluate(Map.of(CDX, List.of(clean)), () -> null)));
        List<Policy.Check> checks = p.evaluate(Map.of(CDX, List.of(dirty)), () -> null);
        assertEquals("denied packages, denied licenses", failures(checks));
        assertEquals("pkg:deb/debian/bash@1?arch=amd64", checks.get(0).detail());
        assertEquals("sbom", failures(p.evaluate(Map.of(), () -> null)));
    }

    @Test
    void distrolessRulesFailOnTheForbiddenAuditCategoriesOnly() throws Exception {
        Policy p = Policy.parse("distroless:\n  forbid: [shell, root]\n", "p.yaml");
        AuditReport withShell = new AuditReport("img", "sha256:00", 70, List.of(
                new Finding(Category.SHELL, "/bin/sh", "1", "dash", "a shell"),
                new Finding(Category.UNOWNED, "/etc/x", "1", null, "unowned")), List.of(), List.of(), List.of(),
                1, 1, 0);
        AuditReport clean = new AuditReport("img", "sha256:00", 98, List.of(
                new Finding(Category.UNOWNED, "/etc/x", "1", null, "unowned")), List.of(), List.of(), List.of(),
                1, 1, 0);
        List<Policy.Check> bad = p.evaluate(Map.of(), () -> withShell);
        assertEquals("distroless", failures(bad));
        assertEquals("shell /bin/sh", bad.get(0).detail());
        assertEquals("", failures(p.evaluate(Map.of(), () -> clean)));
    }

    @Test
    void provenanceRefAndBuilderListsAreAnchoredAndAnyOf() throws Exception {
        Policy p = Policy.parse("slsa:\n  builderId: [https://b/one, https://b/two]\n  ref: refs/tags/v[0-9]+\n",
                "p.yaml");
        JsonNode v1 = json("{\"buildDefinition\":{\"externalParameters\":{\"workflow\":{\"ref\":\"refs/tags/v1\"}}},"
                + "\"runDetails\":{\"builder\":{\"id\":\"https://b/two\"}}}");
        JsonNode branch = json(v1.toString().replace("refs/tags/v1", "refs/tags/v1-evil"));
        JsonNode other = json(v1.toString().replace("https://b/two", "https://b/three"));
        assertEquals("", failures(p.evaluate(Map.of(SLSA, List.of(v1)), () -> null)));
        assertEquals("slsa ref", failures(p.evaluate(Map.of(SLSA, List.of(branch)), () -> null)));
        assertEquals("slsa builder", failures(p.evaluate(Map.of(SLSA, List.of(other)), () -> null)));
    }

    @Test
    void imageSectionsAddRulesToTheImagesTheirGlobMatches() throws Exception {
        Policy p = Policy.parse("""
                attestations: [spdx]
                images:
                  - glob: registry.example/payments/**
                    attestations: [cyclonedx]
                  - glob: registry.example/*/web
                    sbom:
                      denyPackages: [pkg:deb/debian/bash]
                """, "p.yaml");
        assertEquals(1, p.forImage("registry.example/tools/cli").size());
        assertEquals(2, p.forImage("registry.example/payments/eu/api").size());
        assertEquals(2, p.forImage("registry.example/shop/web").size());
        assertEquals(1, p.forImage("registry.example/shop/eu/web").size(), "* stays within a path segment");
        var rules = p.forImage("registry.example/payments/api");
        assertEquals(List.of("https://spdx.dev/Document", CDX), List.copyOf(Policy.neededTypes(rules)));
        assertEquals("[registry.example/payments/**] attestation " + CDX,
                failures(Policy.evaluate(rules, Map.of("https://spdx.dev/Document", List.of(json("{}"))), () -> null)));

        Policy onlySections = Policy.parse("images:\n  - glob: a/*\n    attestations: [spdx]\n", "p.yaml");
        assertEquals("policy", failures(Policy.evaluate(onlySections.forImage("b/c"), Map.of(), () -> null)),
                "an image no rule applies to fails: a gate with no rules must not pass");
    }

    /** Security finding 5 of #22: SLSA rules met by different provenance documents do not add up to a pass. */
    @Test
    void oneProvenanceMustMeetEverySlsaRule() throws Exception {
        Policy p = Policy.parse("slsa:\n  builderId: https://b/trusted\n  sourceRepository: https://github.com/acme/app\n"
                + "  ref: refs/tags/v1\n", "p.yaml");
        String doc = "{\"buildDefinition\":{\"externalParameters\":{\"workflow\":{\"repository\":\"%s\",\"ref\":"
                + "\"%s\"}}},\"runDetails\":{\"builder\":{\"id\":\"%s\"}}}";
        JsonNode forkByTrusted = json(String.format(doc, "https://github.com/mallory/app", "refs/heads/evil",
                "https://b/trusted"));
        JsonNode appByUntrusted = json(String.format(doc, "https://github.com/acme/app", "refs/tags/v1",
                "https://b/untrusted"));
        List<Policy.Check> mixed = p.evaluate(Map.of(SLSA, List.of(forkByTrusted, appByUntrusted)), () -> null);
        assertEquals("slsa builder", failures(mixed), "the closest provenance (source and ref) names no trusted builder");
        assertTrue(mixed.stream().filter(c -> !c.passed()).findFirst().orElseThrow().detail()
                .startsWith("no one verified provenance meets every slsa rule"), mixed.toString());
        JsonNode good = json(String.format(doc, "https://github.com/acme/app", "refs/tags/v1", "https://b/trusted"));
        assertEquals("", failures(p.evaluate(Map.of(SLSA, List.of(forkByTrusted, appByUntrusted, good)), () -> null)));
    }

    /** Security finding 7 of #22: each of these packages is denied, and each once slipped past the rule. */
    @Test
    void denyRulesMatchEveryPackageAndLicenseSpelling() throws Exception {
        Policy p = Policy.parse("sbom:\n  denyPackages: [pkg:generic/evil, pkg:npm/%40acme/leftpad]\n"
                + "  denyLicenses: [AGPL-3.0-only, GPL-2.0-or-later]\n", "p.yaml");
        String spdx = """
                {"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","documentDescribes":["SPDXRef-root"],
                 "packages":[
                  {"SPDXID":"SPDXRef-root","name":"root","licenseDeclared":"NOASSERTION","externalRefs":[
                    {"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"%s"}]},
                  {"SPDXID":"SPDXRef-b","name":"b","licenseDeclared":"NOASSERTION","licenseConcluded":"%s"}]}
                """;
        String[][] cases = {
            {"pkg:generic/evil@1", "MIT", "denied packages"},                          // the described element
            {"PKG:GENERIC/evil@1", "MIT", "denied packages"},                          // type's case
            {"pkg:generic/evil@1#lib/x", "MIT", "denied packages"},                    // a subpath
            {"pkg:generic/evil#lib/x", "MIT", "denied packages"},                      // a subpath, no version
            {"pkg:generic/evil?arch=x86_64", "MIT", "denied packages"},                // qualifiers, no version
            {"pkg:npm/@acme/leftpad@1.0.0", "MIT", "denied packages"},                 // an unencoded scope
            {"pkg:generic/ok@1", "AGPL-3.0-only", "denied licenses"},                  // licenseConcluded
            {"pkg:generic/ok@1", "AGPL-3.0", "denied licenses"},                       // a deprecated id
            {"pkg:generic/ok@1", "MIT OR gpl-2.0+", "denied licenses"},                // deprecated '+', any case
            {"pkg:generic/evilness@1", "GPL-2.0-only", ""},                            // neither
        };
        for (String[] c : cases) {
            JsonNode doc = json(String.format(spdx, c[0], c[1]));
            assertEquals(c[2], failures(p.evaluate(Map.of("https://spdx.dev/Document", List.of(doc)), () -> null)),
                    String.join(" ", c));
        }
    }

    /** Security finding 4 of #22: a section's registry matches however the image reference spells the host. */
    @Test
    void aSectionInWarnModeMarksItsFailuresAsWarningsAndOnlyThose() throws Exception {
        Policy p = Policy.parse("attestations: [spdx]\nimages:\n  - glob: a/**\n    mode: warn\n"
                + "    attestations: [" + SLSA + "]\n", "p.yaml");
        List<Policy.Check> checks = Policy.evaluate(p.forImage("a/b"), Map.of(), () -> null);
        assertEquals(2, checks.size(), checks.toString());
        assertTrue(!checks.get(0).passed() && !checks.get(0).warn(), "the enforced top level: " + checks);
        assertTrue(!checks.get(1).passed() && checks.get(1).warn(), "the section in warn mode: " + checks);
        assertEquals(1, Policy.evaluate(p.forImage("a/b").subList(1, 2), Map.of(), () -> null).stream()
                .filter(Policy.Check::warn).count());
        assertTrue(p.forImage("a/b").get(0).forPlatform("linux/amd64").rules().size() <= 1
                && p.forImage("a/b").get(1).forPlatform("linux/amd64").warn(), "a platform keeps the mode");
    }

    @Test
    void sectionsMatchTheNormalisedRegistry() throws Exception {
        Policy p = Policy.parse("images:\n  - glob: Localhost:5055/app\n    attestations: [spdx]\n"
                + "  - glob: INDEX.docker.io/library/*\n    attestations: [cyclonedx]\n", "p.yaml");
        var ref = dev.distill.oci.ImageReference.parse("localhost:5055/app:v1");
        assertEquals(1, p.forImage(ref.registry() + "/" + ref.repository()).size());
        var upper = dev.distill.oci.ImageReference.parse("LOCALHOST:5055/app:v1");
        assertEquals(1, p.forImage(upper.registry() + "/" + upper.repository()).size());
        var hub = dev.distill.oci.ImageReference.parse("nginx");
        assertEquals(1, p.forImage(hub.registry() + "/" + hub.repository()).size());
    }
}
