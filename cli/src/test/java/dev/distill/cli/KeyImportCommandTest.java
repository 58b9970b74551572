package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.oci.testing.DockerRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code distill key import} of keys made by openssl, in every form cosign import-key-pair takes (and encrypted
 * PKCS#8), each round-tripped through sign/verify of a blob, sign/verify of an image and attest/verify-attestation.
 * openssl derives the expected public key and, for ECDSA and RSA, checks distill's blob signature on its own, so
 * the signature algorithm is the one cosign uses for the key, not merely one distill agrees with itself about.
 */
class KeyImportCommandTest {
    @TempDir
    static Path dir;
    static DockerRegistry registry;
    static final Map<String, String> ENV = Map.of("DISTILL_PASSWORD", "new-pw");

    @BeforeAll
    static void start() throws Exception {
        registry = DockerRegistry.start(dir.resolve("registry"), DockerRegistry.Auth.NONE);
        SignCommandTest.skopeo(dir, "oci:../fixtures/distroless-base:latest", "docker://" + registry.host()
                + "/keys/base:v1");
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    static String openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "openssl", ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "openssl " + String.join(" ", args));
            assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
        return Files.readString(log);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "ec-p256-sec1     | EC PRIVATE KEY        | ecparam -name prime256v1 -genkey -noout -out IN       | sha256",
        "ec-p384-pkcs8    | PRIVATE KEY           | genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out IN | sha384",
        "ec-p256-pkcs8enc | ENCRYPTED PRIVATE KEY | genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes-256-cbc -pass pass:in-pw -out IN | sha256",
        "rsa3072-pkcs1    | RSA PRIVATE KEY       | genrsa -traditional -out IN 3072                      | sha256",
        "rsa2048-pkcs8    | PRIVATE KEY           | genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out IN | sha256",
        "ed25519-pkcs8    | PRIVATE KEY           | genpkey -algorithm ed25519 -out IN                    | none",
        "ed25519-pkcs8enc | ENCRYPTED PRIVATE KEY | genpkey -algorithm ed25519 -aes-256-cbc -pass pass:in-pw -out IN | none"})
    void importsAndRoundTrips(String name, String pemType, String generate, String digest) throws Exception {
        Path in = dir.resolve(name + ".pem");
        openssl(generate.strip().replace("IN", in.toString()).split(" +"));
        assertTrue(Files.readString(in).startsWith("-----BEGIN " + pemType + "-----"), Files.readString(in));
        boolean encrypted = pemType.startsWith("ENCRYPTED");
        Path inPw = Files.writeString(dir.resolve(name + ".inpw"), "in-pw\n");
        String prefix = dir.resolve(name).toString();
        List<String> args = new ArrayList<>(List.of("key", "import", in.toString(), "--output-key-prefix", prefix));
        if (encrypted) {
            args.addAll(List.of("--input-password-file", inPw.toString()));
        }
        MainTest.Result imported = SbomCommandTest.run(ENV, args.toArray(String[]::new));
        assertEquals(0, imported.code(), imported.err());
        assertTrue(Files.readString(Path.of(prefix + ".key")).startsWith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY"));
        String expectedPub = openssl(encrypted ? new String[] {"pkey", "-in", in.toString(), "-passin",
            "pass:in-pw", "-pubout"} : new String[] {"pkey", "-in", in.toString(), "-pubout"});
        assertEquals(expectedPub.strip(), Files.readString(Path.of(prefix + ".pub")).strip(), "the public key");
        MainTest.Result derived = SbomCommandTest.run(ENV, "key", "public-key", "--key", prefix + ".key");
        assertEquals(expectedPub.strip(), derived.out().strip(), derived.err());

        // A blob: distill signs, distill verifies, and openssl verifies the same signature on its own.
        Path blob = Files.writeString(dir.resolve(name + ".txt"), "payload of " + name + "\n");
        Path bundle = dir.resolve(name + ".sigstore.json");
        MainTest.Result signed = SbomCommandTest.run(ENV, "sign-blob", blob.toString(), "--key", prefix + ".key",
                "--bundle", bundle.toString());
        assertEquals(0, signed.code(), signed.err());
        MainTest.Result verified = MainTest.run("verify-blob", blob.toString(), "--bundle", bundle.toString(),
                "--key", prefix + ".pub");
        assertEquals(0, verified.code(), verified.err());
        Path sig = dir.resolve(name + ".sig");
        Files.write(sig, Base64.getDecoder().decode(new ObjectMapper().readTree(bundle.toFile())
                .path("messageSignature").path("signature").asText()));
        if (!digest.equals("none")) {
            String ok = openssl("dgst", "-" + digest, "-verify", prefix + ".pub", "-signature", sig.toString(),
                    blob.toString());
            assertTrue(ok.contains("Verified OK"), ok);
        }
        Files.writeString(blob, "another payload\n");
        assertEquals(1, MainTest.run("verify-blob", blob.toString(), "--bundle", bundle.toString(), "--key",
                prefix + ".pub").code(), "a changed blob does not verify");

        // An image: sign and verify, attest and verify the attestation, each with this key.
        String image = "registry:" + registry.host() + "/keys/base:v1";
        MainTest.Result signedImage = SbomCommandTest.run(ENV, "sign", image, "--key", prefix + ".key");
        assertEquals(0, signedImage.code(), signedImage.err());
        MainTest.Result verifiedImage = MainTest.run("verify", image, "--key", prefix + ".pub");
        assertEquals(0, verifiedImage.code(), verifiedImage.err());
        Path predicate = Files.writeString(dir.resolve(name + ".predicate.json"), "{\"key\":\"" + name + "\"}");
        String type = "https://example.org/key-import/" + name;
        MainTest.Result attested = SbomCommandTest.run(ENV, "attest", image, "--type", type, "--predicate",
                predicate.toString(), "--key", prefix + ".key");
        assertEquals(0, attested.code(), attested.err());
        MainTest.Result verifiedAtt = MainTest.run("verify-attestation", image, "--type", type, "--key",
                prefix + ".pub");
        assertEquals(0, verifiedAtt.code(), verifiedAtt.err());
    }

    @Test
    void refusesWhatCosignWouldNotSignWith() throws Exception {
        Path rsa1024 = dir.resolve("rsa1024.pem");
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", rsa1024.toString());
        MainTest.Result small = SbomCommandTest.run(ENV, "key", "import", rsa1024.toString(), "--output-key-prefix",
                dir.resolve("small").toString());
        assertEquals(3, small.code());
        assertEquals("distill: error: " + rsa1024 + ": a RSA 1024 key; cosign and distill sign with ECDSA P-256, "
                + "P-384 or P-521, RSA of 2048, 3072 or 4096 bits, or Ed25519\n", small.err());

        Path k1 = dir.resolve("secp256k1.pem");
        openssl("ecparam", "-name", "secp256k1", "-genkey", "-noout", "-out", k1.toString());
        MainTest.Result curve = SbomCommandTest.run(ENV, "key", "import", k1.toString(), "--output-key-prefix",
                dir.resolve("k1").toString());
        assertEquals("distill: error: " + k1 + ": a ECDSA on an unnamed curve key; cosign and distill sign with "
                + "ECDSA P-256, P-384 or P-521, RSA of 2048, 3072 or 4096 bits, or Ed25519\n", curve.err());

        Path enc = dir.resolve("enc.pem");
        openssl("genpkey", "-algorithm", "ed25519", "-aes-256-cbc", "-pass", "pass:right", "-out", enc.toString());
        MainTest.Result wrong = SbomCommandTest.run(ENV, "key", "import", enc.toString(), "--output-key-prefix",
                dir.resolve("enc").toString());
        assertEquals("distill: error: " + enc + ": wrong password, or an encryption distill cannot open\n",
                wrong.err());

        Path cosignKey = dir.resolve("already");
        assertEquals(0, SbomCommandTest.run(ENV, "key", "generate", "--output-key-prefix", cosignKey.toString())
                .code());
        MainTest.Result again = SbomCommandTest.run(ENV, "key", "import", cosignKey + ".key", "--output-key-prefix",
                dir.resolve("again").toString());
        assertEquals("distill: error: " + cosignKey + ".key: a PEM block of type 'ENCRYPTED SIGSTORE PRIVATE KEY', "
                + "not a key distill reads (PRIVATE KEY, ENCRYPTED PRIVATE KEY, EC PRIVATE KEY, RSA PRIVATE KEY or "
                + "PUBLIC KEY)\n", again.err());

        // Signing with a plain PEM key says how to import it (the error the issue met).
        MainTest.Result plain = SbomCommandTest.run(ENV, "sign-blob", rsa1024.toString(), "--key",
                rsa1024.toString(), "--bundle", dir.resolve("x.json").toString());
        assertEquals("distill: error: " + rsa1024 + ": a PEM block of type 'PRIVATE KEY', not an encrypted "
                + "Sigstore/cosign private key (turn it into one with: distill key import " + rsa1024 + ")\n",
                plain.err());
    }
}
