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
        // The key hint is not authenticated and never a reason to refuse: the signature is what fails.
        assertTrue(otherKey.err().startsWith("distill: verification failed: the signature does not verify with the "
                + "given key"), otherKey.err());

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

    @Test
    void verifiesKeySignedDsseBundlesAgainstTheirSubject() throws Exception {
        var pair = dev.distill.attest.keys.EncryptedKeys.generate();
        Path pub = Files.writeString(tmp.resolve("k.pub"),
                dev.distill.attest.keys.EncryptedKeys.publicKeyPem(pair.getPublic()));
        Path subject = Files.writeString(tmp.resolve("app.tar.gz"), "not really a tarball\n");
        String hex = Digest.sha256(Files.readAllBytes(subject)).hex();
        byte[] statement = ("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":\"app.tar.gz\","
                + "\"digest\":{\"sha256\":\"" + hex + "\"}}],\"predicateType\":\"https://slsa.dev/provenance/v1\","
                + "\"predicate\":{}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] envelope = dev.distill.attest.dsse.Dsse.sign(pair.getPrivate(), dev.distill.attest.dsse.Dsse.IN_TOTO,
                statement);
        Path bundle = Files.writeString(tmp.resolve("app.intoto.sigstore.json"),
                dev.distill.attest.bundle.BlobSignatures.dsseBundle(pair.getPublic(), envelope));

        MainTest.Result ok = MainTest.run("verify-blob", subject.toString(), "--bundle", bundle.toString(), "--key",
                pub.toString());
        assertEquals(0, ok.code(), ok.err());
        Path other = Files.writeString(tmp.resolve("other.tar.gz"), "another\n");
        MainTest.Result wrong = MainTest.run("verify-blob", other.toString(), "--bundle", bundle.toString(), "--key",
                pub.toString());
        assertEquals(1, wrong.code());
        assertTrue(wrong.err().contains("the attestation is about another artifact"), wrong.err());

        // A second signature, bad, next to the good one: a bundle's envelope carries exactly one.
        var parsed = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Files.readString(bundle));
        ((com.fasterxml.jackson.databind.node.ArrayNode) parsed.path("dsseEnvelope").path("signatures")).insertObject(0)
                .put("keyid", "").put("sig", "AAAA");
        String two = parsed.toString();
        Path twoSigs = Files.writeString(tmp.resolve("two.sigstore.json"), two);
        MainTest.Result both = MainTest.run("verify-blob", subject.toString(), "--bundle", twoSigs.toString(),
                "--key", pub.toString());
        assertEquals(1, both.code(), two);
        assertTrue(both.err().contains("exactly one signature, it has 2"), both.err());
    }
}
