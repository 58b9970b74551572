package dev.distill.cli;

import dev.distill.attest.keys.KeyTypes;
import dev.distill.attest.keys.PemKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill key import FILE}: an existing PEM key, rewritten in cosign's encrypted format. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Import a PEM private key as PREFIX.key (cosign's encrypted format, mode 0600) and PREFIX.pub, "
                + "as cosign import-key-pair does: PKCS#8 (PRIVATE KEY, or ENCRYPTED PRIVATE KEY, opened with "
                + "--input-password-file or else the same password), SEC1 (EC PRIVATE KEY) or PKCS#1 (RSA PRIVATE "
                + "KEY); ECDSA P-256, P-384 or P-521, RSA of 2048, 3072 or 4096 bits, or Ed25519."},
        footer = {"", "Examples:",
            "  openssl genpkey -algorithm ed25519 -out ed25519.pem",
            "  DISTILL_PASSWORD=... distill key import ed25519.pem --output-key-prefix release"})
final class KeyImportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The PEM private key to import.")
    Path file;

    @Option(names = "--output-key-prefix", paramLabel = "PREFIX", defaultValue = "import-distill",
            description = "Where to write PREFIX.key and PREFIX.pub (default: import-distill).")
    String prefix;

    @Option(names = "--force", description = "Overwrite existing key files.")
    boolean force;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "Read the password of the new key from FILE.")
    Path passwordFile;

    @Option(names = "--input-password-file", paramLabel = "FILE",
            description = "Read the password of an encrypted PKCS#8 input from FILE.")
    Path inputPasswordFile;

    @CommandLine.ParentCommand
    KeyCommand parent;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        KeyCommand.checkFree(prefix, force, spec.commandLine());
        Main main = (Main) parent.spec.parent().userObject();
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        char[] password = KeyCommand.password(main, passwordFile, spec.commandLine(), true);
        char[] inputPassword = inputPasswordFile == null ? password.clone()
                : KeyCommand.passwordFile(inputPasswordFile);
        PrivateKey key;
        try {
            key = PemKeys.readPrivateKey(pem, inputPassword, file.toString());
        } finally {
            Arrays.fill(inputPassword, '\0');
        }
        KeyCommand.writePair(prefix, key, KeyTypes.publicKey(key), password, main.feedback());
        main.feedback().note("Imported a " + KeyTypes.describe(key) + " key from " + file);
        return Main.OK;
    }
}
