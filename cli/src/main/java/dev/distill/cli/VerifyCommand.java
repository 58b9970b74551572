package dev.distill.cli;

import dev.distill.attest.image.ImageSignatures;
import dev.distill.attest.keys.EncryptedKeys;
import dev.distill.attest.verify.ImageChecks;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
            description = "text (default), or json: every signature of every digest and its result.")
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
        who.keyless(key, spec.commandLine());
        ImageSignatures.SignatureCheck check;
        String by;
        if (key != null) {
            check = ImageSignatures.withKey(EncryptedKeys.readPublicKey(Files.readString(key,
                    StandardCharsets.US_ASCII), key.toString()));
            by = key.toString();
        } else {
            var identity = who.identity();
            check = ImageChecks.signatureCheck(identity, who.instance());
            by = identity.toString();
        }
        RegistryClient client = registry.client();
        var out = spec.commandLine().getOut();
        java.util.List<ImageReference> targets = new java.util.ArrayList<>();
        if (allPlatforms) {
            // Resolved once: the index and the platform manifests it lists at this moment.
            for (var d : ImageSignatures.allPlatforms(client, ref)) {
                targets.add(ref.withDigest(d));
            }
        } else {
            targets.add(ref);
        }
        if (!output.equals("text") && !output.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown output '" + output + "'");
        }
        if (output.equals("json")) {
            return json(client, targets, check, by);
        }
        int n = 0;
        for (ImageReference target : targets) {
            main.feedback().step("verify", "signatures of " + target, ++n, targets.size());
            var verified = ImageSignatures.verify(client, target, check, by, null);
            main.feedback().clear();
            out.println("Verified OK: " + ref.registry() + "/" + ref.repository() + "@" + verified.get(0).image()
                    + " (" + verified.size() + " signature" + (verified.size() == 1 ? "" : "s") + " by " + by + ")");
            for (var v : verified) {
                if (!v.annotations().isEmpty()) {
                    out.println("  annotations: " + v.annotations());
                }
            }
        }
        out.flush();
        return Main.OK;
    }

    /** Every check as JSON; the exit code still says whether every digest has a verified signature. */
    private int json(RegistryClient client, java.util.List<ImageReference> targets,
                     ImageSignatures.SignatureCheck check, String by) throws Exception {
        java.util.List<ImageSignatures.Outcome> outcomes = new java.util.ArrayList<>();
        java.util.List<java.util.Map<String, Object>> failures = new java.util.ArrayList<>();
        int n = 0;
        for (ImageReference target : targets) {
            main.feedback().step("verify", "signatures of " + target, ++n, targets.size());
            try {
                ImageSignatures.verify(client, target, check, by, outcomes);
            } catch (dev.distill.attest.bundle.VerificationException e) {
                failures.add(java.util.Map.of("image", target.toString(), "reason", e.getMessage()));
            }
        }
        java.util.Map<String, Object> report = new java.util.LinkedHashMap<>();
        main.feedback().clear();
        report.put("verified", failures.isEmpty());
        java.util.List<java.util.Map<String, Object>> digests = new java.util.ArrayList<>();
        for (var o : outcomes) {
            java.util.List<java.util.Map<String, Object>> sigs = new java.util.ArrayList<>();
            for (int i = 0; i < o.signatures().size(); i++) {
                java.util.Map<String, Object> sig = new java.util.LinkedHashMap<>();
                sig.put("payload", o.signatures().get(i));
                sig.put("verified", o.reasons().get(i) == null);
                if (o.reasons().get(i) != null) {
                    sig.put("reason", o.reasons().get(i));
                }
                sigs.add(sig);
            }
            digests.add(java.util.Map.of("digest", o.image().toString(), "signatures", sigs));
        }
        report.put("digests", digests);
        report.put("failures", failures);
        spec.commandLine().getOut().println(new com.fasterxml.jackson.databind.ObjectMapper()
                .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        spec.commandLine().getOut().flush();
        return failures.isEmpty() ? Main.OK : Main.FAILED;
    }
}
