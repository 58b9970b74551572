package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyCommandTest {
    @TempDir
    Path tmp;

    @Test
    void generatesPrivateKeysOnlyTheOwnerCanReadAndDerivesThePublicKey() throws Exception {
        String prefix = tmp.resolve("ci").toString();
        Map<String, String> env = Map.of("DISTILL_PASSWORD", "s3cret");
        MainTest.Result r = SbomCommandTest.run(env, "key", "generate", "--output-key-prefix", prefix);
        assertEquals(0, r.code(), r.err());
        Path key = Path.of(prefix + ".key");
        Path pub = Path.of(prefix + ".pub");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertTrue(Files.readString(key).startsWith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----"));
        assertFalse(r.err().contains("s3cret") || r.out().contains("s3cret"), "never the password");

        MainTest.Result derived = SbomCommandTest.run(env, "key", "public-key", "--key", key.toString());
        assertEquals(0, derived.code(), derived.err());
        assertEquals(Files.readString(pub), derived.out());

        Path passwordFile = Files.writeString(tmp.resolve("pw"), "s3cret\n");
        assertEquals(0, SbomCommandTest.run(Map.of(), "key", "public-key", "--key", key.toString(),
                "--password-file", passwordFile.toString()).code());

        MainTest.Result again = SbomCommandTest.run(env, "key", "generate", "--output-key-prefix", prefix);
        assertEquals(2, again.code());
        assertTrue(again.err().contains("exists; use --force"), again.err());
        assertEquals(0, SbomCommandTest.run(env, "key", "generate", "--output-key-prefix", prefix, "--force").code());

        MainTest.Result wrong = SbomCommandTest.run(Map.of("DISTILL_PASSWORD", "nope"), "key", "public-key",
                "--key", key.toString());
        assertEquals(3, wrong.code());
        assertEquals("distill: error: " + key + ": wrong password, or the key file was changed\n", wrong.err());

        MainTest.Result noPassword = SbomCommandTest.run(Map.of(), "key", "generate", "--output-key-prefix",
                tmp.resolve("other").toString());
        assertEquals(2, noPassword.code(), "no terminal in tests, so no prompt: " + noPassword.err());
        assertTrue(noPassword.err().contains("DISTILL_PASSWORD"), noPassword.err());
    }
}
