package dev.distill.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of keyless signing, shared by sign-blob and sign: the identity token and the Sigstore instance. */
final class KeylessMixin {

    @Option(names = "--identity-token", paramLabel = "TOKEN|FILE",
            description = "Keyless: the OIDC identity token, or a file holding it. Default: env SIGSTORE_ID_TOKEN, "
                    + "then the GitHub Actions OIDC endpoint (audience sigstore).")
    String identityToken;

    @Option(names = "--trusted-root", paramLabel = "FILE",
            description = "Keyless: the Sigstore instance's trusted_root.json (default: the public-good instance, "
                    + "through TUF).")
    Path trustedRoot;

    @Option(names = "--signing-config", paramLabel = "FILE",
            description = "Keyless: the instance's signing_config.json (v0.2): its Fulcio, Rekor and TSA URLs.")
    Path signingConfig;

    boolean given() {
        return identityToken != null || trustedRoot != null || signingConfig != null;
    }
}
