package dev.distill.oci.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.oci.wire.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where registry credentials come from, first match wins: {@code DISTILL_REGISTRY_USERNAME} and
 * {@code DISTILL_REGISTRY_PASSWORD}; then docker's {@code config.json} ({@code $DOCKER_CONFIG/config.json}, else
 * {@code ~/.docker/config.json}): a {@code credHelpers} entry for the registry, else {@code auths} (the base64
 * {@code auth} field, or username/password, or an identity token), else the {@code credsStore} helper. Helpers are
 * {@code docker-credential-NAME} programs run with the registry on standard input, as docker runs them.
 */
public final class CredentialStore {
    private static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";

    private final Map<String, String> env;
    private final Path configFile;

    public CredentialStore(Map<String, String> env, Path home) {
        this.env = Map.copyOf(env);
        String dockerConfig = env.get("DOCKER_CONFIG");
        this.configFile = dockerConfig != null && !dockerConfig.isBlank()
                ? Path.of(dockerConfig, "config.json") : home.resolve(".docker").resolve("config.json");
    }

    /** The process's environment and home directory. */
    public static CredentialStore fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * Credentials from this environment: the home directory is {@code HOME}, as docker and the shell see it
     * (Java's {@code user.home} comes from the password database and ignores {@code HOME}), else {@code user.home}.
     */
    public static CredentialStore fromEnvironment(Map<String, String> env) {
        String home = env.get("HOME");
        return new CredentialStore(env, Path.of(home != null && !home.isBlank() ? home
                : System.getProperty("user.home")));
    }

    public static CredentialStore none() {
        return new CredentialStore(Map.of(), Path.of("/nonexistent"));
    }

    public Optional<Credentials> lookup(String registry) throws IOException {
        String user = env.get("DISTILL_REGISTRY_USERNAME");
        String pass = env.get("DISTILL_REGISTRY_PASSWORD");
        if (user != null && pass != null) {
            return Optional.of(Credentials.basic(user, pass));
        }
        if (!Files.isRegularFile(configFile)) {
            return Optional.empty();
        }
        JsonNode config;
        try {
            config = new ObjectMapper().readTree(configFile.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(configFile + " " + Json.problem(e));
        }
        String key = registry.equals("docker.io") ? DOCKER_HUB_KEY : registry;
        JsonNode helper = config.path("credHelpers").path(key);
        if (helper.isTextual()) {
            return fromHelper(helper.asText(), key);
        }
        JsonNode auth = findAuth(config.path("auths"), key);
        if (auth != null) {
            if (auth.hasNonNull("identitytoken")) {
                return Optional.of(new Credentials(auth.path("username").asText("<token>"), null,
                        auth.get("identitytoken").asText()));
            }
            if (auth.hasNonNull("auth")) {
                String decoded = new String(Base64.getDecoder().decode(auth.get("auth").asText()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    return Optional.of(Credentials.basic(decoded.substring(0, colon), decoded.substring(colon + 1)));
                }
            }
            if (auth.hasNonNull("username") && auth.hasNonNull("password")) {
                return Optional.of(Credentials.basic(auth.get("username").asText(), auth.get("password").asText()));
            }
        }
        if (config.path("credsStore").isTextual()) {
            return fromHelper(config.get("credsStore").asText(), key);
        }
        return Optional.empty();
    }

    /** {@code auths} keys may be a bare host or a URL with scheme and path. */
    private static JsonNode findAuth(JsonNode auths, String key) {
        if (auths.has(key)) {
            return auths.get(key);
        }
        var it = auths.fields();
        while (it.hasNext()) {
            var e = it.next();
            String host = e.getKey().replaceFirst("^https?://", "").replaceFirst("/.*$", "");
            if (host.equals(key)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The helper program, looked up on the environment's PATH as docker does. */
    private Path findOnPath(String program) {
        String path = env.getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, program);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    private Optional<Credentials> fromHelper(String name, String registry) throws IOException {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IOException("credential helper name '" + name + "' in " + configFile + " is not valid");
        }
        Path helperPath = findOnPath("docker-credential-" + name);
        if (helperPath == null) {
            throw new IOException(configFile + " names credential helper docker-credential-" + name
                    + ", which is not on the PATH");
        }
        Process p = new ProcessBuilder(helperPath.toString(), "get").redirectErrorStream(false).start();
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write(registry.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out = p.getInputStream().readNBytes(1 << 20);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IOException("credential helper docker-credential-" + name + " did not answer in 30 s");
            }
            if (p.exitValue() != 0) {
                // Helpers exit non-zero when they hold nothing for this registry.
                return Optional.empty();
            }
            JsonNode json = new ObjectMapper().readTree(out);
            String user = json.path("Username").asText("");
            String secret = json.path("Secret").asText("");
            if (secret.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(user.equals("<token>") ? new Credentials(user, null, secret)
                    : Credentials.basic(user, secret));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running docker-credential-" + name, e);
        } finally {
            p.destroyForcibly();
        }
    }
}
