package dev.distill.cli;

import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.keyless.SigstoreInstance;
import dev.distill.attest.policy.Policy;
import dev.distill.attest.policy.PolicyGate;
import dev.distill.attest.store.PlatformSubjects;
import dev.distill.attest.verify.ImageVerifier;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", converter = ImageOptions.PlatformConverter.class,
            description = "Check the attestations about this platform's manifest of a multi-platform index.")
    dev.distill.oci.Platform platform;

    @Option(names = "--all-platforms", description = "Check every platform manifest of a multi-platform index, "
            + "each on its own; the failures name the platform.")
    boolean allPlatforms;

    @Option(names = "--include-index", description = "With --all-platforms, also the index's own digest.")
    boolean includeIndex;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default), or json: the verification report, on success and on failure: every "
                    + "attestation considered (with its predicate when it verified), the policy's checks "
                    + "(see docs/signing.md).")
    String output;

    @CommandLine.Mixin
    RegistryMixin registry;

    @CommandLine.Mixin
    AttestationSizeMixin attestationSize;

    @CommandLine.ParentCommand
    Main main;

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
        String predicateType;
        try {
            predicateType = type == null ? null : ImageAttestations.predicateType(type);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        ImageVerifier verifier = who.imageVerifier(key, spec.commandLine());
        if (platform != null && allPlatforms) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--platform and --all-platforms exclude "
                    + "each other");
        }
        if (includeIndex && !allPlatforms) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--include-index goes with --all-platforms");
        }
        RegistryClient client = registry.client();
        // Resolved once: every attestation and rule is about these digests, whatever the tag does meanwhile.
        PlatformSubjects.Selection subjects = PlatformSubjects.select(client, ref, platform, allPlatforms,
                includeIndex);
        boolean named = platform != null || allPlatforms;
        VerificationReport report = new VerificationReport(ref, verifier.by());
        subjects.subjects().forEach(s -> report.judged(s.digest(), s.platform()));
        var out = spec.commandLine().getOut();
        if (policyFile != null) {
            Policy policy = Policy.parse(Files.readString(policyFile, StandardCharsets.UTF_8), policyFile.toString());
            SigstoreInstance signers = who.trustedRoot != null ? who.instance() : SigstoreInstance.publicGood();
            PolicyGate gate = new PolicyGate(client, verifier.attestations(), signers, this::audit);
            int n = 0;
            for (PlatformSubjects.Subject s : subjects.subjects()) {
                String prefix = named ? subjects.label(s) + ": " : "";
                main.feedback().step("verify", "attestations of " + ref.withDigest(s.digest()) + " against "
                        + policyFile, ++n, subjects.subjects().size());
                PolicyGate.Report judged = gate.evaluate(ref.withDigest(s.digest()), policy,
                        predicateType == null ? Set.of() : Set.of(predicateType));
                main.feedback().clear();
                List<Policy.Check> checks = judged.checks().stream().map(c -> new Policy.Check(prefix + c.name(),
                        c.passed(), c.detail(), c.warn())).toList();
                report.attestations(judged.attestations()).policy(checks);
                if (!judged.passed()) {
                    report.failure(prefix + "policy failed: " + String.join(", ", judged.failed()));
                }
                if (output.equals("text")) {
                    for (Policy.Check c : checks) {
                        out.printf("%-4s %-24s %s%n", c.passed() ? "ok" : "FAIL", c.name(), c.detail());
                    }
                }
            }
        } else {
            List<ImageAttestations.Attempt> attempts = new ArrayList<>();
            main.feedback().step("verify", predicateType + " attestations of " + ref, 1, 1);
            List<PlatformSubjects.Outcome> outcomes = PlatformSubjects.verify(client, ref, subjects, verifier,
                    predicateType, attempts);
            main.feedback().clear();
            for (PlatformSubjects.Outcome o : outcomes) {
                String label = subjects.index() ? " (" + subjects.label(o.subject()) + ")" : "";
                if (!o.passed()) {
                    report.failure(named ? subjects.label(o.subject()) + ": " + o.failure() : o.failure());
                } else if (output.equals("text")) {
                    out.println("Verified OK: " + o.verified() + " attestation" + (o.verified() == 1 ? "" : "s")
                            + " of type " + predicateType + " about " + ref.registry() + "/" + ref.repository() + "@"
                            + o.subject().digest() + label);
                }
            }
            report.attestations(attempts);
        }
        if (output.equals("json")) {
            report.write(out);
        }
        out.flush();
        if (!report.verified()) {
            spec.commandLine().getErr().println("distill: " + (policyFile != null ? "" : "verification failed: ")
                    + String.join("; ", report.failures()));
            return Main.FAILED;
        }
        return Main.OK;
    }

    private dev.distill.sbom.audit.AuditReport audit(ImageReference ref) {
        try (var img = registry.open(ref)) {
            return dev.distill.sbom.audit.Auditor.audit(img, dev.distill.sbom.SbomOptions.defaults(
                    new dev.distill.sbom.model.ToolInfo("distill", Main.version())), main.feedback());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
