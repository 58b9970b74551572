package dev.distill.cli;

import dev.distill.attest.sign.Signer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill sign-blob FILE [--key K] --bundle OUT}: a key or keyless signature in a Sigstore bundle. */
@Command(name = "sign-blob", mixinStandardHelpOptions = true,
        description = {"Sign a file and write a Sigstore bundle (v0.3, message signature). With --key: a key "
                + "signature, no transparency-log entry. Without: keyless, a Fulcio certificate for the identity "
                + "token's subject and a Rekor entry, on the public-good instance or the one --trusted-root and "
                + "--signing-config describe."},
        footer = {"", "Examples:", "  DISTILL_PASSWORD=... distill sign-blob sbom.spdx.json --key distill.key "
                + "--bundle sbom.spdx.json.sigstore.json",
                "  SIGSTORE_ID_TOKEN=... distill sign-blob sbom.spdx.json --bundle sbom.spdx.json.sigstore.json"})
final class SignBlobCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The file to sign.")
    Path file;

    @CommandLine.Mixin
    SigningKeyMixin signingKey;

    @CommandLine.Mixin
    KeylessMixin keyless;

    @Option(names = "--bundle", paramLabel = "OUT", required = true, description = "Where to write the bundle.")
    Path bundle;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        main.feedback().step("sign", file.toString(), 1, 1);
        byte[] blob = Files.readAllBytes(file);
        String json;
        try (Signer signer = signingKey.signer(main, keyless, spec.commandLine())) {
            json = signer.signMessage(blob);
        }
        String how = signingKey.key != null ? "with " + signingKey.key : "keyless";
        String out = json;
        AtomicFiles.write(bundle, o -> o.write(out.getBytes(StandardCharsets.UTF_8)));
        main.feedback().note("Signed " + file + " " + how + "; bundle written to " + bundle);
        return Main.OK;
    }
}
