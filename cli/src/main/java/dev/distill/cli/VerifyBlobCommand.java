package dev.distill.cli;

import dev.distill.attest.keys.EncryptedKeys;
import dev.distill.attest.verify.Verifier;
import dev.distill.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code distill verify-blob FILE|sha256:HEX --bundle B (--key PUB | --certificate-identity ...)}. */
@Command(name = "verify-blob", mixinStandardHelpOptions = true,
        description = {"Verify a Sigstore bundle (v0.1, v0.2, v0.3) over a file or a sha256 digest: with a public "
                + "key, or keyless against a trusted root (offline with --trusted-root) and the signer's identity. "
                + "A bundle holding a DSSE envelope is checked against its in-toto subject: FILE is the subject. "
                + "Fails closed: every check must hold. Exit 0 verified, 1 not, 2 usage, 3 bad input."},
        footer = {"", "Examples:", "  distill verify-blob sbom.spdx.json --bundle sbom.spdx.json.sigstore.json "
                + "--key distill.pub", "  distill verify-blob sha256:3a7bd3e2... --bundle b.json --key distill.pub",
                "  distill verify-blob app.tar.gz --bundle app.sigstore.json --certificate-identity "
                + "https://github.com/org/app/.github/workflows/release.yml@refs/tags/v1 "
                + "--certificate-oidc-issuer https://token.actions.githubusercontent.com"})
final class VerifyBlobCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE|sha256:HEX", description = "The signed file, or its SHA-256 digest.")
    String subject;

    @Option(names = "--bundle", paramLabel = "BUNDLE", required = true, description = "The Sigstore bundle.")
    Path bundle;

    @Option(names = "--key", paramLabel = "PUB", description = "The PEM public key (or verify keyless).")
    Path key;

    @CommandLine.Mixin
    IdentityMixin who;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default), or json: the result, the signer and the checks made.")
    String output;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** What a keyless verification checks, all of which must hold (see docs/signing.md). */
    static final List<String> KEYLESS_CHECKS = List.of("bundle media type and shape",
            "certificate chains to a Fulcio CA of the trusted root, valid at signing time", "embedded SCT from a "
                    + "CT log of the trusted root", "signature over the artifact (or DSSE subject digest)",
            "transparency-log entry matches the bundle", "signed entry timestamp, inclusion proof and signed "
                    + "checkpoint by a log of the trusted root", "RFC 3161 timestamps", "identity", "OIDC issuer",
            "integrated time not in the future", "integrated time inside the certificate's validity",
            "a trusted time (log or TSA)");
    static final List<String> KEY_CHECKS = List.of("bundle media type and shape",
            "digest of the artifact (or DSSE subject digest)", "signature with the key");
    static final List<String> KEY_AND_LOG_CHECKS = List.of("bundle media type and shape",
            "digest of the artifact (or DSSE subject digest)", "signature with the key",
            "transparency-log entry matches the bundle and names the key", "signed entry timestamp, inclusion proof "
                    + "and signed checkpoint by a log of the trusted root", "RFC 3161 timestamps",
            "a trusted time (log or TSA), not in the future, with the log's key valid then");

    @Override
    public Integer call() throws Exception {
        boolean keyless = who.keylessOrKeyWithRoot(key, spec.commandLine());
        String json = Files.readString(bundle, StandardCharsets.UTF_8);
        byte[] blob = null;
        byte[] digest = null;
        if (subject.startsWith("sha256:") && !Files.exists(Path.of(subject))) {
            try {
                digest = HexFormat.of().parseHex(subject.substring(7));
            } catch (IllegalArgumentException e) {
                digest = null;
            }
            if (digest == null || digest.length != 32) {
                throw new CommandLine.ParameterException(spec.commandLine(), "'" + subject
                        + "' is not a sha256 digest (64 hex characters)");
            }
        } else {
            blob = Files.readAllBytes(Path.of(subject));
        }
        if (!output.equals("text") && !output.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown output '" + output + "'");
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("subject", subject);
        report.put("bundle", bundle.toString());
        report.put("mode", key == null ? "keyless" : "key");
        String summary;
        main.feedback().step("verify", "the bundle " + bundle + " for " + subject, 1, 1);
        try {
            Verifier.Builder verifier = Verifier.builder();
            if (keyless) {
                verifier.identity(who.identity()).trustedRoot(who.instance());
            } else {
                verifier.publicKey(EncryptedKeys.readPublicKey(Files.readString(key, StandardCharsets.US_ASCII),
                        key.toString()));
                if (who.trustedRoot != null) {
                    verifier.trustedRoot(who.instance());
                }
            }
            var verified = verifier.build().verify(json, new Verifier.Artifact(blob != null
                    ? Digest.newSha256().digest(blob) : digest, blob));
            report.put("signer", keyless ? Map.of("identity", verified.identity(), "issuer", verified.issuer())
                    : Map.of("key", key.toString()));
            report.put("logChecked", verified.logChecked());
            report.put("logIndexes", verified.logIndexes());
            report.put("integratedTime", verified.integratedTime() == null ? null
                    : verified.integratedTime().toString());
            report.put("times", verified.times().stream().map(Object::toString).toList());
            report.put("checks", keyless ? KEYLESS_CHECKS : verified.logChecked() ? KEY_AND_LOG_CHECKS : KEY_CHECKS);
            String when = verified.integratedTime() != null ? ", logged at " + verified.integratedTime()
                    + " (log index " + verified.logIndexes().get(0) + ")" : !verified.times().isEmpty()
                    ? ", time from a TSA timestamp (" + verified.times().get(0) + ")" : "";
            summary = "Verified OK: " + subject + " signed by " + (keyless ? verified.identity() + " (issuer "
                    + verified.issuer() + ")" : key) + when + (verified.logChecked() ? ""
                    : "; its transparency-log entries were not checked (give --trusted-root to check them)");
        } catch (dev.distill.attest.VerificationException e) {
            if (!output.equals("json")) {
                throw e;
            }
            report.put("verified", false);
            report.put("reason", e.getMessage());
            print(report);
            return Main.FAILED;
        }
        main.feedback().clear();
        if (output.equals("json")) {
            report.put("verified", true);
            print(report);
        } else {
            spec.commandLine().getOut().println(summary);
        }
        return Main.OK;
    }

    private void print(Map<String, Object> report) throws java.io.IOException {
        spec.commandLine().getOut().println(new com.fasterxml.jackson.databind.ObjectMapper()
                .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        spec.commandLine().getOut().flush();
    }
}
