package dev.distill.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.image.ImageSignatures;
import dev.distill.attest.keys.EncryptedKeys;
import dev.distill.attest.policy.Policy;
import dev.distill.attest.verify.ImageChecks;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code distill verify-attestation IMAGE --type T (--key PUB | --certificate-identity ...)}: exit 0 when verified. */
@Command(name = "verify-attestation", mixinStandardHelpOptions = true,
        description = {"Verify an image's attestations of a predicate type, with a public key or keyless (signer "
                + "identity and issuer, against a trusted root): the envelope's signature and payload type, the "
                + "statement's subject (the image's digest, resolved once) and its predicate type must all hold; "
                + "with --policy, the policy's rules are judged on verified attestations only. Fails closed."},
        footer = {"", "Examples:", "  distill verify-attestation registry.example/app:1.0 --type spdx --key distill.pub",
                "  distill verify-attestation registry.example/app:1.0 --policy policy.yaml --certificate-identity "
                + "https://github.com/org/app/.github/workflows/release.yml@refs/heads/main "
                + "--certificate-oidc-issuer https://token.actions.githubusercontent.com"})
final class VerifyAttestationCommand implements Callable<Integer> {
    @Parameters(paramLabel = "IMAGE", description = "A registry reference (registry:REF or REF).")
    String image;

    @Option(names = "--type", paramLabel = "TYPE",
            description = "spdx, cyclonedx, slsaprovenance, custom, or a predicate type URI.")
    String type;

    @Option(names = "--policy", paramLabel = "FILE",
            description = "A policy (YAML): required attestations, SLSA builder and source, denied packages and "
                    + "licenses, distroless rules. See docs/signing.md.")
    Path policyFile;

    @Option(names = "--key", paramLabel = "PUB", description = "The PEM public key (or verify keyless).")
    Path key;

    @CommandLine.Mixin
    IdentityMixin who;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default), or json: the verified predicates.")
    String output;

    @CommandLine.Mixin
    RegistryMixin registry;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!output.equals("text") && !output.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown output '" + output + "'");
        }
        ImageReference ref = SignCommand.reference(image, spec.commandLine());
        if (type == null && policyFile == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --type, --policy, or both");
        }
        who.keyless(key, spec.commandLine());
        ImageAttestations.EnvelopeCheck check;
        String by;
        if (key != null) {
            check = ImageAttestations.withKey(EncryptedKeys.readPublicKey(Files.readString(key,
                    StandardCharsets.US_ASCII), key.toString()));
            by = key.toString();
        } else {
            var identity = who.identity();
            check = ImageChecks.envelopeCheck(identity, who.instance());
            by = identity.toString();
        }
        RegistryClient client = registry.client();
        if (policyFile != null) {
            return withPolicy(ref, check, client);
        }
        String predicateType;
        try {
            predicateType = ImageAttestations.predicateType(type);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        var verified = ImageAttestations.verify(client, ref, check, by, predicateType);
        var out = spec.commandLine().getOut();
        if (output.equals("json")) {
            ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            out.println(m.writeValueAsString(verified.stream().map(v -> v.predicate()).toList()));
        } else {
            out.println("Verified OK: " + verified.size() + " attestation" + (verified.size() == 1 ? "" : "s")
                    + " of type " + predicateType + " about " + ref.registry() + "/" + ref.repository() + "@"
                    + verified.get(0).image());
        }
        out.flush();
        return Main.OK;
    }

    /** Verifies every attestation the policy needs, then evaluates its rules; exit 1 unless all hold. */
    private int withPolicy(ImageReference ref, ImageAttestations.EnvelopeCheck check, RegistryClient client)
            throws Exception {
        Policy policy = Policy.parse(Files.readString(policyFile, StandardCharsets.UTF_8), policyFile.toString());
        List<Policy.Rules> rules = policy.forImage(ref.registry() + "/" + ref.repository());
        java.util.Set<String> types = new java.util.LinkedHashSet<>(Policy.neededTypes(rules));
        if (type != null) {
            types.add(ImageAttestations.predicateType(type));
        }
        types.add(SPDX);
        types.add(CYCLONEDX);
        // Resolved once: every rule, and the audit, are about this one digest even if the tag moves meanwhile.
        ImageReference pinned = ref.withDigest(client.resolve(ref));
        var predicates = predicates(client, pinned, check, types);
        var manifests = ImageSignatures.platformManifests(client, pinned);
        List<Policy.Check> checks;
        if (manifests.size() == 1) {
            checks = new java.util.ArrayList<>(Policy.evaluate(rules, predicates, () -> audit(pinned)));
        } else {
            // An index: the rules about contents hold for every platform, each judged on its own attestations and
            // filesystem; the index's own SBOMs are judged too but stand in for no platform.
            boolean indexSboms = !predicates.get(SPDX).isEmpty() || !predicates.get(CYCLONEDX).isEmpty();
            checks = new java.util.ArrayList<>(Policy.evaluate(rules.stream().map(r -> r.forIndex(indexSboms))
                    .toList(), predicates, () -> {
                        throw new IllegalStateException("an index has no filesystem to audit");
                    }));
            for (var m : manifests.subList(1, manifests.size())) {
                ImageReference platform = pinned.withDigest(m.digest());
                String label = m.platform() == null ? m.digest().toString() : m.platform().toString();
                checks.addAll(Policy.evaluate(rules.stream().map(r -> r.forPlatform(label)).toList(),
                        predicates(client, platform, check, java.util.Set.of(SPDX, CYCLONEDX)),
                        () -> audit(platform)));
            }
        }
        if (type != null && predicates.get(ImageAttestations.predicateType(type)).isEmpty()) {
            checks.add(0, new Policy.Check("attestation " + ImageAttestations.predicateType(type), false,
                    "no verified attestation"));
        }
        for (Policy.Rules r : rules) {
            for (Policy.Signer signer : r.signers()) {
                checks.add(signerCheck(client, pinned, r.label(), signer, policy));
            }
        }
        var out = spec.commandLine().getOut();
        if (output.equals("json")) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(checks));
        } else {
            for (Policy.Check c : checks) {
                out.printf("%-4s %-24s %s%n", c.passed() ? "ok" : "FAIL", c.name(), c.detail());
            }
        }
        out.flush();
        List<String> failed = checks.stream().filter(c -> !c.passed()).map(Policy.Check::name).toList();
        if (!failed.isEmpty()) {
            spec.commandLine().getErr().println("distill: policy failed: " + String.join(", ", failed));
            return Main.FAILED;
        }
        return Main.OK;
    }

    private static final String SPDX = "https://spdx.dev/Document";
    private static final String CYCLONEDX = "https://cyclonedx.org/bom";

    /** The verified predicates of each type about exactly this digest (an empty list for a type with none). */
    private static java.util.Map<String, List<com.fasterxml.jackson.databind.JsonNode>> predicates(
            RegistryClient client, ImageReference pinned, ImageAttestations.EnvelopeCheck check,
            java.util.Set<String> types) throws Exception {
        java.util.Map<String, List<com.fasterxml.jackson.databind.JsonNode>> out = new java.util.HashMap<>();
        ImageAttestations.verifyAll(client, pinned, check, types).forEach((t, verified) -> out.put(t,
                verified.stream().map(ImageAttestations.Verified::predicate).toList()));
        return out;
    }

    /** A signer rule: the image must carry a signature that verifies for that key or identity. */
    private Policy.Check signerCheck(RegistryClient client, ImageReference pinned, String label, Policy.Signer signer,
                                     Policy policy) throws Exception {
        dev.distill.attest.image.ImageSignatures.SignatureCheck c;
        if (signer.key() != null) {
            c = dev.distill.attest.image.ImageSignatures.withKey(EncryptedKeys.readPublicKey(
                    Files.readString(signer.key(), StandardCharsets.US_ASCII), signer.key().toString()));
        } else {
            var instance = policy.trustedRoot() != null
                    ? dev.distill.attest.keyless.SigstoreInstance.of(policy.trustedRoot(), null)
                    : who.trustedRoot != null ? who.instance() : dev.distill.attest.keyless.SigstoreInstance.publicGood();
            c = ImageChecks.signatureCheck(new dev.distill.attest.keyless.Identity(signer.identity(),
                    signer.identityRegexp(), signer.issuer(), signer.issuerRegexp(), java.util.Map.of()), instance);
        }
        try {
            var verified = dev.distill.attest.image.ImageSignatures.verify(client, pinned, c, signer.describe(), null);
            return new Policy.Check(label + "signer " + signer.describe(), true, verified.size() + " signature"
                    + (verified.size() == 1 ? "" : "s") + " verified");
        } catch (dev.distill.attest.bundle.VerificationException e) {
            return new Policy.Check(label + "signer " + signer.describe(), false, e.getMessage());
        }
    }

    private dev.distill.sbom.audit.AuditReport audit(ImageReference ref) {
        try (var img = registry.open(ref)) {
            return dev.distill.sbom.audit.Auditor.audit(img, dev.distill.sbom.SbomOptions.defaults(
                    new dev.distill.sbom.model.ToolInfo("distill", Main.version())));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
