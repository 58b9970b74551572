package dev.distill.oci.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code docker-registry} (distribution 2.8) on 127.0.0.1 on a free port, with its storage and config in
 * a directory of the caller's; plain, with htpasswd basic auth, or with token auth. Close it to stop it.
 */
public final class DockerRegistry implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/bin/docker-registry");

    private final Process process;
    private final int port;
    private final Path log;

    private DockerRegistry(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Auth configuration; the YAML goes below the config's {@code auth:} key. */
    public record Auth(String yaml) {
        public static final Auth NONE = new Auth(null);

        public static Auth htpasswd(Path file) {
            return new Auth("  htpasswd:\n    realm: distill-test\n    path: " + file + "\n");
        }

        public static Auth token(String realm, String service, String issuer, Path rootCertBundle) {
            return new Auth("  token:\n    realm: " + realm + "\n    service: " + service + "\n    issuer: " + issuer
                    + "\n    rootcertbundle: " + rootCertBundle + "\n");
        }
    }

    public static DockerRegistry start(Path dir, Auth auth) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("docker-registry is not installed; run ./run-tests, which installs "
                    + "Debian's docker-registry");
        }
        Files.createDirectories(dir);
        int port = freePort();
        String config = "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n"
                + "  filesystem:\n    rootdirectory: " + dir.resolve("data") + "\n  delete:\n    enabled: true\n"
                + "http:\n  addr: 127.0.0.1:" + port + "\n"
                + (auth.yaml() == null ? "" : "auth:\n" + auth.yaml());
        Path configFile = dir.resolve("config.yml");
        Files.writeString(configFile, config);
        Path log = dir.resolve("registry.log");
        Process p = new ProcessBuilder(BINARY.toString(), "serve", configFile.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        DockerRegistry r = new DockerRegistry(p, port, log);
        try {
            r.awaitReady();
        } catch (IOException | RuntimeException | InterruptedException e) {
            r.close();
            throw e;
        }
        return r;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitReady() throws IOException, InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (!process.isAlive()) {
                throw new IllegalStateException("docker-registry exited: " + Files.readString(log));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://" + host() + "/v2/").toURL()
                        .openConnection();
                c.setConnectTimeout(200);
                c.setReadTimeout(500);
                int code = c.getResponseCode();
                c.disconnect();
                if (code == 200 || code == 401) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("docker-registry did not answer within 10 s: " + Files.readString(log));
    }

    /** {@code 127.0.0.1:PORT}. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
