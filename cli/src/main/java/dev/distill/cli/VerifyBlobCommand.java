package dev.distill.cli;

import dev.distill.attest.bundle.BlobSignatures;
import dev.distill.attest.keys.EncryptedKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill verify-blob FILE|sha256:HEX --bundle B --key PUB}: exit 0 verified, 1 not. */
@Command(name = "verify-blob", mixinStandardHelpOptions = true,
        description = {"Verify a Sigstore bundle's message signature over a file (or a sha256 digest) with a public "
                + "key. Fails closed: every check must hold. Keyless (certificate) verification comes with the "
                + "verification issue."},
        footer = {"", "Examples:", "  distill verify-blob sbom.spdx.json --bundle sbom.spdx.json.sigstore.json "
                + "--key distill.pub", "  distill verify-blob sha256:3a7bd3e2... --bundle b.json --key distill.pub"})
final class VerifyBlobCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE|sha256:HEX", description = "The signed file, or its SHA-256 digest.")
    String subject;

    @Option(names = "--bundle", paramLabel = "BUNDLE", required = true, description = "The Sigstore bundle.")
    Path bundle;

    @Option(names = "--key", paramLabel = "PUB", required = true, description = "The PEM public key.")
    Path key;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var publicKey = EncryptedKeys.readPublicKey(Files.readString(key, StandardCharsets.US_ASCII), key.toString());
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
        BlobSignatures.verify(json, publicKey, blob, digest);
        spec.commandLine().getOut().println("Verified OK: " + subject + " signed by " + key);
        return Main.OK;
    }
}
