package dev.distill.attest.keyless;

import dev.sigstore.SigningConfigProvider;
import dev.sigstore.TrustedRootProvider;
import dev.sigstore.tuf.SigstoreTufClient;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which Sigstore instance to sign with or verify against: the public-good instance (its trusted root and
 * signing config fetched and checked through TUF, as cosign does), or a private one given as files, a
 * {@code trusted_root.json} and, for signing, a {@code signing_config.json} (v0.2). Verification against a
 * trusted-root file needs no network at all.
 */
public record SigstoreInstance(Path trustedRoot, Path signingConfig) {

    /** The public-good instance. */
    public static SigstoreInstance publicGood() {
        return new SigstoreInstance(null, null);
    }

    /** From the command-line files; either may be null. */
    public static SigstoreInstance of(Path trustedRoot, Path signingConfig) throws KeylessException {
        for (Path p : new Path[] {trustedRoot, signingConfig}) {
            if (p != null && !Files.isRegularFile(p)) {
                throw new KeylessException(p + ": no such file");
            }
        }
        return new SigstoreInstance(trustedRoot, signingConfig);
    }

    public boolean isPublicGood() {
        return trustedRoot == null;
    }

    TrustedRootProvider trustedRootProvider() {
        return trustedRoot == null ? TrustedRootProvider.from(SigstoreTufClient.builder().usePublicGoodInstance())
                : TrustedRootProvider.from(trustedRoot);
    }

    SigningConfigProvider signingConfigProvider() throws KeylessException {
        if (signingConfig != null) {
            return SigningConfigProvider.from(signingConfig);
        }
        if (trustedRoot != null) {
            throw new KeylessException("signing against a private Sigstore instance (--trusted-root " + trustedRoot
                    + ") needs its signing config too (--signing-config)");
        }
        return SigningConfigProvider.from(SigstoreTufClient.builder().usePublicGoodInstance());
    }

    String describe() {
        return trustedRoot == null ? "the public-good Sigstore instance" : trustedRoot.toString();
    }
}
