package dev.distill.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.registry.CredentialStore;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.registry.RegistryException;
import dev.distill.oci.registry.RegistryOptions;
import dev.distill.oci.testing.DockerRegistry;
import dev.distill.oci.testing.ImageBuilder.BuiltImage;
import dev.distill.oci.testing.Pusher;
import dev.distill.oci.testing.RandomImages;
import dev.distill.oci.testing.TokenServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Basic (htpasswd) and bearer-token authentication against real registries. */
class RegistryAuthTest {
    private static final String USER = "distill";
    private static final String PASSWORD = "s3cret:with-colon";

    @TempDir
    Path dir;

    private static RegistryOptions options(CredentialStore store) {
        return RegistryOptions.defaults().withCredentials(store)
                .withRetries(2, Duration.ofMillis(10), Duration.ofMillis(100)).withTimeout(Duration.ofSeconds(10));
    }

    private CredentialStore envCredentials() {
        return new CredentialStore(Map.of("DISTILL_REGISTRY_USERNAME", USER, "DISTILL_REGISTRY_PASSWORD", PASSWORD),
                dir.resolve("home"));
    }

    /** A docker config.json in a fake home, as docker login writes it (base64 user:password under auths). */
    private CredentialStore dockerConfig(String registry) throws Exception {
        Path home = dir.resolve("home-" + registry.replace(':', '_'));
        Files.createDirectories(home.resolve(".docker"));
        String auth = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        Files.writeString(home.resolve(".docker/config.json"), "{\"auths\":{\"http://" + registry
                + "/v2/\":{\"auth\":\"" + auth + "\"}},\"credsStore\":\"\"}");
        return new CredentialStore(Map.of(), home);
    }

    /**
     * A docker credential helper as docker runs them: {@code docker-credential-NAME get}, the registry on standard
     * input, JSON with Username and Secret on standard output. This one answers for one registry only.
     */
    private CredentialStore credentialHelper(String registry) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("helper-bin"));
        Path helper = bin.resolve("docker-credential-distilltest");
        Files.writeString(helper, "#!/bin/sh\nread server\nif [ \"$server\" = \"" + registry + "\" ]; then\n"
                + "  printf '{\"ServerURL\":\"%s\",\"Username\":\"" + USER + "\",\"Secret\":\"" + PASSWORD
                + "\"}' \"$server\"\nelse\n  echo 'credentials not found in native keychain'\n  exit 1\nfi\n");
        helper.toFile().setExecutable(true);
        Path home = Files.createDirectories(dir.resolve("home-helper/.docker")).getParent();
        Files.writeString(home.resolve(".docker/config.json"), "{\"credHelpers\":{\"" + registry
                + "\":\"distilltest\"}}");
        CredentialStore store = new CredentialStore(Map.of("PATH", bin + ":/usr/bin:/bin"), home);
        assertEquals(USER, store.lookup(registry).orElseThrow().username());
        return store;
    }

    @Test
    void basicAuthWithHtpasswd() throws Exception {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        Path htpasswd = Files.writeString(dir.resolve("htpasswd"),
                USER + ":" + OpenBSDBCrypt.generate("2y", PASSWORD.toCharArray(), salt, 5) + "\n");
        try (DockerRegistry registry = DockerRegistry.start(dir.resolve("basic"), DockerRegistry.Auth.htpasswd(htpasswd))) {
            BuiltImage image = RandomImages.generate(21, 2);
            Pusher.push(new RegistryClient(options(envCredentials())), registry.host(), "secure/app", "v1", image, 0);
            for (CredentialStore creds : new CredentialStore[] {envCredentials(), dockerConfig(registry.host()),
                credentialHelper(registry.host())}) {
                try (Image img = ImageSources.open(registry.host() + "/secure/app:v1",
                        SourceOptions.defaults().withRegistry(options(creds)))) {
                    assertEquals(image.manifestDigest(), img.manifestDigest());
                    RegistryTest.drain(img);
                }
            }
            RegistryException anonymous = assertThrows(RegistryException.class, () -> ImageSources.open(
                    registry.host() + "/secure/app:v1", SourceOptions.defaults().withRegistry(
                            options(CredentialStore.none()))));
            assertTrue(anonymous.getMessage().contains("requires basic authentication for secure/app"),
                    anonymous.getMessage());
            RegistryException wrong = assertThrows(RegistryException.class, () -> ImageSources.open(
                    registry.host() + "/secure/app:v1", SourceOptions.defaults().withRegistry(options(
                            new CredentialStore(Map.of("DISTILL_REGISTRY_USERNAME", USER,
                                    "DISTILL_REGISTRY_PASSWORD", "wrong"), dir)))));
            assertEquals(401, wrong.status());
            assertFalse(wrong.getMessage().contains("wrong"), "the password is never in a message");
        }
    }

    @Test
    void bearerTokensAnonymousAndWithCredentials() throws Exception {
        try (TokenServer tokens = TokenServer.start(USER, PASSWORD, true)) {
            Path bundle = tokens.writeRootBundle(dir.resolve("token.crt"));
            try (DockerRegistry registry = DockerRegistry.start(dir.resolve("token"), DockerRegistry.Auth.token(
                    tokens.realm(), TokenServer.SERVICE, TokenServer.ISSUER, bundle))) {
                BuiltImage image = RandomImages.generate(22, 2);
                Pusher.push(new RegistryClient(options(envCredentials())), registry.host(), "tok/app", "v1", image,
                        64);
                int issued = tokens.tokensIssued();
                try (Image img = ImageSources.open(registry.host() + "/tok/app:v1",
                        SourceOptions.defaults().withRegistry(options(CredentialStore.none())))) {
                    assertEquals(image.manifestDigest(), img.manifestDigest());
                    RegistryTest.drain(img);
                }
                assertEquals(issued + 1, tokens.tokensIssued(), "one anonymous pull token, cached for every request");
                RegistryException push = assertThrows(RegistryException.class, () -> Pusher.push(
                        new RegistryClient(options(CredentialStore.none())), registry.host(), "tok/app", "v2",
                        RandomImages.generate(23, 1), 0));
                assertTrue(push.getMessage().contains("registry " + registry.host() + ", repository tok/app"),
                        push.getMessage());
            }
        }
    }
}
