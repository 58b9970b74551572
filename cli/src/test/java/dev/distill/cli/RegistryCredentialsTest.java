package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.testing.DockerRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registry credentials come from the environment the command runs with: the commands that read an image (sbom)
 * and those that write to a registry (sign, verify) log in to a registry with basic auth from
 * DISTILL_REGISTRY_USERNAME/PASSWORD and from DOCKER_CONFIG's config.json, as given to {@link Main#run}.
 */
class RegistryCredentialsTest {
    private static final String USER = "distill";
    private static final String PASSWORD = "pa55:word";
    private static final String KEY_PASSWORD = "key-password";

    @TempDir
    static Path dir;
    static DockerRegistry registry;
    static String image;

    @BeforeAll
    static void start() throws Exception {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"),
                USER + ":" + OpenBSDBCrypt.generate("2y", PASSWORD.toCharArray(), salt, 5) + "\n");
        registry = DockerRegistry.start(dir.resolve("registry"), DockerRegistry.Auth.htpasswd(htpasswd));
        image = registry.host() + "/secure/layered:v1";
        Process p = new ProcessBuilder("skopeo", "--insecure-policy", "copy", "--preserve-digests",
                "--dest-tls-verify=false", "--dest-creds", USER + ":" + PASSWORD, "oci:../fixtures/layered:latest",
                "docker://" + image)
                .redirectErrorStream(true).redirectOutput(dir.resolve("skopeo.log").toFile()).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, Files.readString(dir.resolve("skopeo.log")));
        } finally {
            p.destroyForcibly();
        }
        Map<String, String> env = Map.of("DISTILL_PASSWORD", KEY_PASSWORD);
        assertEquals(0, SbomCommandTest.run(env, "key", "generate", "--output-key-prefix", dir.resolve("k").toString())
                .code());
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    @Test
    void credentialsFromTheCommandsEnvironment() throws Exception {
        Map<String, String> env = Map.of("DISTILL_REGISTRY_USERNAME", USER, "DISTILL_REGISTRY_PASSWORD", PASSWORD,
                "DISTILL_PASSWORD", KEY_PASSWORD, "HOME", dir.resolve("no-home").toString());
        assertSignsAndVerifies(env, "with DISTILL_REGISTRY_USERNAME/PASSWORD");

        Path config = Files.createDirectories(dir.resolve("docker-config"));
        String auth = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        Files.writeString(config.resolve("config.json"), "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\""
                + auth + "\"}}}");
        assertSignsAndVerifies(Map.of("DOCKER_CONFIG", config.toString(), "DISTILL_PASSWORD", KEY_PASSWORD,
                "HOME", dir.resolve("no-home").toString()), "with DOCKER_CONFIG");

        MainTest.Result anonymous = SbomCommandTest.run(Map.of("HOME", dir.resolve("no-home").toString()), "sbom",
                "registry:" + image);
        assertEquals(3, anonymous.code(), anonymous.err());
        assertTrue(anonymous.err().contains("requires basic authentication"), anonymous.err());
    }

    private static void assertSignsAndVerifies(Map<String, String> env, String how) {
        MainTest.Result sbom = SbomCommandTest.run(env, "sbom", "registry:" + image);
        assertEquals(0, sbom.code(), how + ": " + sbom.err());
        assertEquals(SbomCommandTest.run(Map.of(), "sbom", "../fixtures/layered").out(), sbom.out(), how);
        MainTest.Result sign = SbomCommandTest.run(env, "sign", image, "--key", dir.resolve("k.key").toString());
        assertEquals(0, sign.code(), how + ": " + sign.err());
        MainTest.Result verify = SbomCommandTest.run(env, "verify", image, "--key", dir.resolve("k.pub").toString());
        assertEquals(0, verify.code(), how + ": " + verify.err());
    }
}
