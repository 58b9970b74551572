package dev.distill.cli;

import dev.distill.attest.keys.EncryptedKeys;
import java.io.Console;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distill key generate|public-key}: cosign-compatible signing keys. */
@Command(name = "key", description = "Create, import and read signing keys in cosign's format (the private key "
        + "encrypted with scrypt and nacl/secretbox; generated keys are ECDSA P-256, imported ones ECDSA P-256, "
        + "P-384 or P-521, RSA 2048, 3072 or 4096, or Ed25519).",
        mixinStandardHelpOptions = true,
        subcommands = {KeyCommand.Generate.class, KeyImportCommand.class, KeyCommand.PublicKey.class})
final class KeyCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (generate, import or "
                + "public-key)");
    }

    /** The password: DISTILL_PASSWORD, else a file, else a prompt on a terminal; never echoed or logged. */
    static char[] password(Main main, Path file, CommandLine cl, boolean twice) throws Exception {
        String env = main.env().get("DISTILL_PASSWORD");
        if (env != null) {
            return env.toCharArray();
        }
        if (file != null) {
            return passwordFile(file);
        }
        Console console = System.console();
        if (console == null) {
            throw new CommandLine.ParameterException(cl, "no password: set DISTILL_PASSWORD or use --password-file "
                    + "(there is no terminal to ask on)");
        }
        char[] first = console.readPassword("Password for the private key: ");
        if (twice) {
            char[] again = console.readPassword("Again: ");
            if (!java.util.Arrays.equals(first, again)) {
                throw new CommandLine.ParameterException(cl, "the passwords differ");
            }
        }
        return first;
    }

    /** A password file's text without its final newline. */
    static char[] passwordFile(Path file) throws java.io.IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return text.endsWith("\n") ? text.substring(0, text.length() - 1).toCharArray() : text.toCharArray();
    }

    /** Reads and decrypts a private key file; the password is wiped once used. */
    static PrivateKey loadPrivateKey(Main main, Path key, Path passwordFile, CommandLine cl) throws Exception {
        String text = Files.readString(key, StandardCharsets.US_ASCII);
        char[] password = password(main, passwordFile, cl, false);
        try {
            return EncryptedKeys.decrypt(text, password, key.toString());
        } finally {
            java.util.Arrays.fill(password, '\0');
        }
    }

    /** Refuses to overwrite PREFIX.key or PREFIX.pub unless forced. */
    static void checkFree(String prefix, boolean force, CommandLine cl) {
        Path key = Path.of(prefix + ".key");
        Path pub = Path.of(prefix + ".pub");
        if (!force && (Files.exists(key) || Files.exists(pub))) {
            throw new CommandLine.ParameterException(cl, (Files.exists(key) ? key : pub)
                    + " exists; use --force to overwrite it");
        }
    }

    /** Writes PREFIX.key (encrypted, 0600) and PREFIX.pub; the password is wiped once used. */
    static void writePair(String prefix, PrivateKey priv, java.security.PublicKey pub, char[] password,
                          Feedback feedback) throws Exception {
        Path keyFile = Path.of(prefix + ".key");
        Path pubFile = Path.of(prefix + ".pub");
        String encrypted = EncryptedKeys.encrypt(priv, password);
        java.util.Arrays.fill(password, '\0');
        AtomicFiles.write(keyFile, "rw-------", o -> o.write(encrypted.getBytes(StandardCharsets.US_ASCII)));
        AtomicFiles.write(pubFile, "rw-r--r--", o -> o.write(EncryptedKeys.publicKeyPem(pub)
                .getBytes(StandardCharsets.US_ASCII)));
        feedback.note("Private key written to " + keyFile + ", public key to " + pubFile);
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Write PREFIX.key (encrypted private key, mode 0600) and PREFIX.pub (public key).",
            footer = {"", "Examples:", "  DISTILL_PASSWORD=... distill key generate",
                "  distill key generate --output-key-prefix ci/release --password-file /run/secrets/key-password"})
    static final class Generate implements Callable<Integer> {
        @Option(names = "--output-key-prefix", paramLabel = "PREFIX", defaultValue = "distill",
                description = "Where to write PREFIX.key and PREFIX.pub (default: distill).")
        String prefix;

        @Option(names = "--force", description = "Overwrite existing key files.")
        boolean force;

        @Option(names = "--password-file", paramLabel = "FILE", description = "Read the password from FILE.")
        Path passwordFile;

        @CommandLine.ParentCommand
        KeyCommand parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            checkFree(prefix, force, spec.commandLine());
            Main main = (Main) parent.spec.parent().userObject();
            char[] password = password(main, passwordFile, spec.commandLine(), true);
            KeyPair pair = EncryptedKeys.generate();
            writePair(prefix, pair.getPrivate(), pair.getPublic(), password, main.feedback());
            return Main.OK;
        }
    }

    @Command(name = "public-key", mixinStandardHelpOptions = true,
            description = "Print the public key of an encrypted private key.")
    static final class PublicKey implements Callable<Integer> {
        @Option(names = "--key", paramLabel = "FILE", required = true, description = "The encrypted private key.")
        Path key;

        @Option(names = "--password-file", paramLabel = "FILE", description = "Read the password from FILE.")
        Path passwordFile;

        @CommandLine.ParentCommand
        KeyCommand parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Main main = (Main) parent.spec.parent().userObject();
            main.feedback().step("read", key.toString(), 1, 1);
            PrivateKey priv = loadPrivateKey(main, key, passwordFile, spec.commandLine());
            spec.commandLine().getOut().print(EncryptedKeys.publicKeyPem(EncryptedKeys.publicKey(priv)));
            spec.commandLine().getOut().flush();
            return Main.OK;
        }
    }
}
