package dev.distill.cli;

import dev.distill.attest.bundle.BlobSignatures;
import dev.distill.attest.keys.EncryptedKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill sign-blob FILE --key K --bundle OUT}: a key signature in a Sigstore bundle. */
@Command(name = "sign-blob", mixinStandardHelpOptions = true,
        description = {"Sign a file with a key and write a Sigstore bundle (v0.3, message signature). No "
                + "transparency-log entry is made: that comes with keyless signing."},
        footer = {"", "Example:", "  DISTILL_PASSWORD=... distill sign-blob sbom.spdx.json --key distill.key "
                + "--bundle sbom.spdx.json.sigstore.json"})
final class SignBlobCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The file to sign.")
    Path file;

    @CommandLine.Mixin
    SigningKeyMixin signingKey;

    @Option(names = "--bundle", paramLabel = "OUT", required = true, description = "Where to write the bundle.")
    Path bundle;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        byte[] blob = Files.readAllBytes(file);
        PrivateKey priv = signingKey.load(main, spec.commandLine());
        String json = BlobSignatures.sign(priv, EncryptedKeys.publicKey(priv), blob);
        AtomicFiles.write(bundle, o -> o.write(json.getBytes(StandardCharsets.UTF_8)));
        spec.commandLine().getErr().println("Signed " + file + "; bundle written to " + bundle);
        return Main.OK;
    }
}
