package dev.distill.cli;

import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.VerificationException;
import dev.distill.attest.keyless.SigstoreInstance;
import dev.distill.attest.policy.Policy;
import dev.distill.attest.policy.PolicyGate;
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
        RegistryClient client = registry.client();
        // Resolved once: every attestation and rule is about this digest, whatever the tag does meanwhile.
        ImageReference pinned = ref.withDigest(client.resolve(ref));
        VerificationReport report = new VerificationReport(ref, verifier.by()).judged(pinned.digest());
        var out = spec.commandLine().getOut();
        if (policyFile != null) {
            main.feedback().step("verify", "attestations of " + ref + " against " + policyFile, 1, 1);
            Policy policy = Policy.parse(Files.readString(policyFile, StandardCharsets.UTF_8), policyFile.toString());
            SigstoreInstance signers = who.trustedRoot != null ? who.instance() : SigstoreInstance.publicGood();
            PolicyGate.Report judged = new PolicyGate(client, verifier.attestations(), signers, this::audit)
                    .evaluate(pinned, policy, predicateType == null ? Set.of() : Set.of(predicateType));
            main.feedback().clear();
            report.attestations(judged.attestations()).policy(judged.checks());
            if (!judged.passed()) {
                report.failure("policy failed: " + String.join(", ", judged.failed()));
            }
            if (output.equals("text")) {
                for (Policy.Check c : judged.checks()) {
                    out.printf("%-4s %-24s %s%n", c.passed() ? "ok" : "FAIL", c.name(), c.detail());
                }
            }
        } else {
            List<ImageAttestations.Attempt> attempts = new ArrayList<>();
            main.feedback().step("verify", predicateType + " attestations of " + ref, 1, 1);
            try {
                var verified = ImageAttestations.verify(client, pinned, verifier.attestations(), verifier.by(),
                        predicateType, attempts);
                main.feedback().clear();
                if (output.equals("text")) {
                    out.println("Verified OK: " + verified.size() + " attestation" + (verified.size() == 1 ? ""
                            : "s") + " of type " + predicateType + " about " + ref.registry() + "/"
                            + ref.repository() + "@" + pinned.digest());
                }
            } catch (VerificationException e) {
                if (output.equals("text")) {
                    throw e;
                }
                report.failure(e.getMessage());
            }
            report.attestations(attempts);
        }
        if (output.equals("json")) {
            out.println(report.json());
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
