package dev.distill.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.image.ImageSignatures;
import dev.distill.attest.keys.EncryptedKeys;
import dev.distill.attest.keyless.SigstoreInstance;
import dev.distill.attest.policy.Policy;
import dev.distill.attest.policy.PolicyGate;
import dev.distill.attest.verify.ImageChecks;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
            description = "text (default), or json: the verified predicates.")
    String output;

    @CommandLine.Mixin
    RegistryMixin registry;

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
            main.feedback().step("verify", "attestations of " + ref + " against " + policyFile, 1, 1);
            return withPolicy(ref, check, client);
        }
        String predicateType;
        try {
            predicateType = ImageAttestations.predicateType(type);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        main.feedback().step("verify", predicateType + " attestations of " + ref, 1, 1);
        var verified = ImageAttestations.verify(client, ref, check, by, predicateType);
        main.feedback().clear();
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
        SigstoreInstance signers = who.trustedRoot != null ? who.instance() : SigstoreInstance.publicGood();
        PolicyGate.Report report = new PolicyGate(client, check, signers, this::audit).evaluate(ref, policy,
                type == null ? Set.of() : Set.of(ImageAttestations.predicateType(type)));
        main.feedback().clear();
        var out = spec.commandLine().getOut();
        if (output.equals("json")) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(
                    report.checks()));
        } else {
            for (Policy.Check c : report.checks()) {
                out.printf("%-4s %-24s %s%n", c.passed() ? "ok" : "FAIL", c.name(), c.detail());
            }
        }
        out.flush();
        if (!report.passed()) {
            spec.commandLine().getErr().println("distill: policy failed: " + String.join(", ", report.failed()));
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
