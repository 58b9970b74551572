package dev.distill.cli;

import java.nio.file.Path;
import java.security.PrivateKey;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --key} and {@code --password-file}, shared by every command that signs with a key. */
final class SigningKeyMixin {

    @Option(names = "--key", paramLabel = "KEY", required = true, description = "An encrypted private key.")
    Path key;

    @Option(names = "--password-file", paramLabel = "FILE", description = "Read the key's password from FILE.")
    Path passwordFile;

    /** Decrypts the key with the password from DISTILL_PASSWORD, the file, or the terminal. */
    PrivateKey load(Main main, CommandLine cl) throws Exception {
        return KeyCommand.loadPrivateKey(main, key, passwordFile, cl);
    }
}
