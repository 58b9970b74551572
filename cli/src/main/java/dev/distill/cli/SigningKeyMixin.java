package dev.distill.cli;

import dev.distill.attest.keyless.IdentityTokens;
import dev.distill.attest.keyless.SigstoreInstance;
import dev.distill.attest.sign.Signer;
import java.nio.file.Path;
import java.security.PrivateKey;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --key} and {@code --password-file}, shared by every command that signs with a key. */
final class SigningKeyMixin {

    @Option(names = "--key", paramLabel = "KEY", description = "An encrypted private key (omit to sign keyless).")
    Path key;

    @Option(names = "--password-file", paramLabel = "FILE", description = "Read the key's password from FILE.")
    Path passwordFile;

    /** Whether to sign with a key; otherwise keyless (and then the keyless options must not clash). */
    boolean withKey(KeylessMixin keyless, CommandLine cl) {
        if (key != null && keyless.given()) {
            throw new CommandLine.ParameterException(cl, "--key and the keyless options (--identity-token, "
                    + "--trusted-root, --signing-config) exclude each other");
        }
        if (key == null && passwordFile != null) {
            throw new CommandLine.ParameterException(cl, "--password-file without --key");
        }
        return key != null;
    }

    /**
     * The signer the options describe, built once: with the decrypted key, or keyless on the instance the keyless
     * options name (public-good by default) with the identity token they give.
     */
    Signer signer(Main main, KeylessMixin keyless, CommandLine cl) throws Exception {
        if (withKey(keyless, cl)) {
            return Signer.builder().key(load(main, cl)).build();
        }
        return Signer.builder().keyless(SigstoreInstance.of(keyless.trustedRoot, keyless.signingConfig),
                IdentityTokens.resolve(keyless.identityToken, main.env())).build();
    }

    /** Decrypts the key with the password from DISTILL_PASSWORD, the file, or the terminal. */
    PrivateKey load(Main main, CommandLine cl) throws Exception {
        if (key == null) {
            throw new CommandLine.ParameterException(cl, "missing --key KEY");
        }
        return KeyCommand.loadPrivateKey(main, key, passwordFile, cl);
    }
}
