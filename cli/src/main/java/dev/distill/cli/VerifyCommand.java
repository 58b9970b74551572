package dev.distill.cli;

import dev.distill.attest.image.ImageSignatures;
import dev.distill.attest.VerificationException;
import dev.distill.attest.verify.ImageVerifier;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code distill verify IMAGE --key PUB}: exit 0 when a signature by the key covers the image's digest. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Verify an image's signatures with a public key, or keyless: signed by the given identity, "
                + "checked against a trusted root (offline with --trusted-root). The tag is resolved to a digest "
                + "once; a signature counts only when it verifies and its payload names that digest. Fails closed. "
                + "Exit 0 verified, 1 not, 2 usage, 3 bad input or registry error."},
        footer = {"", "Examples:", "  distill verify registry.example/app:1.0 --key distill.pub",
                "  distill verify registry.example/app:1.0 --certificate-identity "
                + "https://github.com/org/app/.github/workflows/release.yml@refs/heads/main "
                + "--certificate-oidc-issuer https://token.actions.githubusercontent.com"})
final class VerifyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "IMAGE", description = "A registry reference (registry:REF or REF).")
    String image;

    @Option(names = "--key", paramLabel = "PUB", description = "The PEM public key (or verify keyless).")
    Path key;

    @CommandLine.Mixin
    IdentityMixin who;

    @CommandLine.Mixin
    RegistryMixin registry;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default), or json: the verification report, on success and on failure: every "
                    + "signature of every digest and its result (see docs/signing.md).")
    String output;

    @Option(names = "--all-platforms", description = "Also every platform manifest of a multi-platform image "
            + "(cosign cannot).")
    boolean allPlatforms;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ImageReference ref = SignCommand.reference(image, spec.commandLine());
        if (!output.equals("text") && !output.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown output '" + output + "'");
        }
        ImageVerifier verifier = who.imageVerifier(key, spec.commandLine());
        RegistryClient client = registry.client();
        // Resolved once: the image, and with --all-platforms the platform manifests its index lists at this moment.
        List<Digest> digests = allPlatforms ? ImageSignatures.allPlatforms(client, ref) : List.of(client.resolve(ref));
        VerificationReport report = new VerificationReport(ref, verifier.by());
        List<ImageSignatures.Outcome> outcomes = new ArrayList<>();
        var out = spec.commandLine().getOut();
        int n = 0;
        for (Digest d : digests) {
            report.judged(d);
            main.feedback().step("verify", "signatures of " + ref.withDigest(d), ++n, digests.size());
            try {
                var verified = ImageSignatures.verify(client, ref.withDigest(d), verifier.signatures(),
                        verifier.by(), outcomes);
                main.feedback().clear();
                if (output.equals("text")) {
                    out.println("Verified OK: " + ref.registry() + "/" + ref.repository() + "@" + d + " ("
                            + verified.size() + " signature" + (verified.size() == 1 ? "" : "s") + " by "
                            + verifier.by() + ")");
                    for (var v : verified) {
                        if (!v.annotations().isEmpty()) {
                            out.println("  annotations: " + v.annotations());
                        }
                    }
                }
            } catch (VerificationException e) {
                if (output.equals("text")) {
                    throw e;
                }
                report.failure(e.getMessage());
            }
        }
        main.feedback().clear();
        if (output.equals("json")) {
            report.signatures(outcomes).write(out);
            out.flush();
            if (!report.verified()) {
                spec.commandLine().getErr().println("distill: verification failed: " + String.join("; ",
                        report.failures()));
                return Main.FAILED;
            }
        }
        out.flush();
        return Main.OK;
    }
}
