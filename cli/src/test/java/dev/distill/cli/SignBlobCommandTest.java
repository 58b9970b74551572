package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignBlobCommandTest {
    @TempDir
    Path tmp;

    @Test
    void signsAndVerifiesAndFailsClosed() throws Exception {
        Map<String, String> env = Map.of("DISTILL_PASSWORD", "pw");
        String a = tmp.resolve("a").toString();
        String b = tmp.resolve("b").toString();
        assertEquals(0, SbomCommandTest.run(env, "key", "generate", "--output-key-prefix", a).code());
        assertEquals(0, SbomCommandTest.run(env, "key", "generate", "--output-key-prefix", b).code());
        Path blob = Files.writeString(tmp.resolve("sbom.json"), "{\"hello\":\"world\"}\n");
        Path bundle = tmp.resolve("sbom.json.sigstore.json");
        MainTest.Result signed = SbomCommandTest.run(env, "sign-blob", blob.toString(), "--key", a + ".key",
                "--bundle", bundle.toString());
        assertEquals(0, signed.code(), signed.err());
        assertTrue(Files.readString(bundle).contains("\"mediaType\" : \"application/vnd.dev.sigstore.bundle.v0.3+json\""));

        MainTest.Result ok = MainTest.run("verify-blob", blob.toString(), "--bundle", bundle.toString(),
                "--key", a + ".pub");
        assertEquals(0, ok.code(), ok.err());
        String digest = "sha256:" + Digest.sha256(Files.readAllBytes(blob)).hex();
        assertEquals(0, MainTest.run("verify-blob", digest, "--bundle", bundle.toString(), "--key", a + ".pub")
                .code());

        MainTest.Result otherKey = MainTest.run("verify-blob", blob.toString(), "--bundle", bundle.toString(),
                "--key", b + ".pub");
        assertEquals(1, otherKey.code());
        assertTrue(otherKey.err().startsWith("distill: verification failed: the bundle names another public key"),
                otherKey.err());

        Files.writeString(blob, "{\"hello\":\"tampered\"}\n");
        MainTest.Result tampered = MainTest.run("verify-blob", blob.toString(), "--bundle", bundle.toString(),
                "--key", a + ".pub");
        assertEquals(1, tampered.code());
        assertTrue(tampered.err().contains("the bundle is for another blob"), tampered.err());

        // A bundle whose hint was removed still has to verify cryptographically.
        Files.writeString(bundle, Files.readString(bundle).replaceAll("\"hint\" : \"[^\"]*\"", "\"hint\" : \"\""));
        Files.writeString(blob, "{\"hello\":\"world\"}\n");
        assertEquals(0, MainTest.run("verify-blob", blob.toString(), "--bundle", bundle.toString(), "--key",
                a + ".pub").code());
        assertEquals(1, MainTest.run("verify-blob", blob.toString(), "--bundle", bundle.toString(), "--key",
                b + ".pub").code(), "without the hint, the signature itself refuses the other key");

        Path junk = Files.writeString(tmp.resolve("junk.json"), "{\"mediaType\":\"something/else\"}");
        assertEquals(1, MainTest.run("verify-blob", blob.toString(), "--bundle", junk.toString(), "--key",
                a + ".pub").code());
        assertEquals(2, MainTest.run("verify-blob", "sha256:abc", "--bundle", bundle.toString(), "--key",
                a + ".pub").code());
    }
}
