package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.distill.oci.testing.DockerRegistry;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each error a user meets first, with its exact line: in our words, naming the input and the cause, without a
 * library's text. Host names resolve through a hosts file of the test's own ({@code jdk.net.hosts.file}), so
 * that "registry.test" is a loopback server reached over https and "unknown.test" is unknown without asking any
 * DNS server.
 */
class ErrorMessagesTest {
    @TempDir
    Path tmp;

    private List<String> hosts() throws Exception {
        Path hosts = tmp.resolve("hosts");
        Files.writeString(hosts, "127.0.0.1 localhost registry.test\n");
        return List.of("-Djdk.net.hosts.file=" + hosts);
    }

    private MainTest.Result distill(String... args) throws Exception {
        return CliProcess.run(tmp, Map.of(), hosts(), args);
    }

    private static void assertLine(String expected, MainTest.Result r) {
        assertEquals(expected + "\n", r.err());
        assertEquals(3, r.code(), r.err());
    }

    @Test
    void aRefusedConnectionIsNamedAndNotRetried() throws Exception {
        int port = DockerRegistry.freePort();
        assertLine("distill: error: registry 127.0.0.1:" + port + ", repository x: connection refused",
                distill("inspect", "registry:127.0.0.1:" + port + "/x:y"));
    }

    @Test
    void anUnknownHostIsNamed() throws Exception {
        assertLine("distill: error: registry unknown.test:5000, repository x: unknown host 'unknown.test'",
                distill("inspect", "registry:unknown.test:5000/x:y"));
        assertLine("distill: error: registry unknown.test:5000, repository x: unknown host 'unknown.test'",
                distill("tree", "unknown.test:5000/x:y"));
    }

    @Test
    void plainHttpWhereHttpsIsExpectedIsATlsFailure() throws Exception {
        // A plain-http server answers the TLS client hello with an http error, as a misconfigured registry would.
        try (ServerSocket plain = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try {
                    for (int i = 0; i < 8; i++) {
                        try (Socket s = plain.accept()) {
                            answerLikeAPlainHttpServer(s);
                        }
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            server.setDaemon(true);
            server.start();
            int port = plain.getLocalPort();
            assertLine("distill: error: registry registry.test:" + port + ", repository x: TLS failure: the "
                    + "handshake failed (does the server speak https?)", distill("inspect",
                    "registry:registry.test:" + port + "/x:y", "--timeout", "10"));
        }
    }

    /**
     * Reads the whole client hello (one TLS record: a 5-byte header, then as many bytes as it says), answers 400 and
     * closes only once the client has closed too, for each of a few connections. Closing with bytes unread makes
     * the kernel reset the connection, and a reset is a broken connection, which distill retries; the server used
     * to accept one connection and read at most 512 bytes, so a retry waited out the 60 s default timeout (as it
     * did once in CI). {@code --timeout 10} keeps any such wait short of the test's own limit.
     */
    private static void answerLikeAPlainHttpServer(Socket s) throws java.io.IOException {
        s.setSoTimeout(10_000);
        java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
        byte[] header = new byte[5];
        in.readFully(header);
        in.readFully(new byte[((header[3] & 0xff) << 8) | (header[4] & 0xff)]);
        s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        s.shutdownOutput();
        byte[] rest = new byte[4096];
        while (in.read(rest) >= 0) {
            // whatever the client still sends (an alert), until it closes
        }
    }

    @Test
    void anUntrustedCertificateIsATlsFailure() throws Exception {
        Path store = tmp.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=registry.test", "-ext", "san=dns:registry.test", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", "changeit").redirectErrorStream(true).start();
        keytool.getInputStream().readAllBytes();
        assertEquals(0, keytool.waitFor());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(store.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        https.start();
        try {
            int port = https.getAddress().getPort();
            assertLine("distill: error: registry registry.test:" + port + ", repository x: TLS failure: the "
                    + "server's certificate is not trusted", distill("inspect", "registry:registry.test:" + port
                    + "/x:y"));
        } finally {
            https.stop(0);
        }
    }

    @Test
    void aSilentServerIsATimeout() throws Exception {
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            int port = silent.getLocalPort();
            assertLine("distill: error: registry 127.0.0.1:" + port + ", repository x: timed out waiting for an "
                    + "answer (1 s)", distill("inspect", "registry:127.0.0.1:" + port + "/x:y", "--timeout", "1"));
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void signingALocalImageSaysItNeedsARegistry() {
        MainTest.Result r = MainTest.run("sign", "oci:../fixtures/layered", "--key", "k");
        assertEquals(2, r.code());
        assertEquals("distill: oci:../fixtures/layered is an OCI layout; sign needs an image in a registry "
                + "(registry:REF or REF): push it first, then name its reference", r.err().lines().findFirst()
                .orElseThrow());
        MainTest.Result path = MainTest.run("verify", "../fixtures/layered", "--key", "k");
        assertEquals("distill: ../fixtures/layered is a local path; verify needs an image in a registry "
                + "(registry:REF or REF): push it first, then name its reference", path.err().lines().findFirst()
                .orElseThrow());
    }

    @Test
    void malformedJsonIsPlacedNotQuoted() throws Exception {
        Path bad = tmp.resolve("bad.cdx.json");
        Files.writeString(bad, "{\"bomFormat\": \"CycloneDX\",\n \"components\": [ {\"name\": 3, ]}");
        MainTest.Result r = MainTest.run("convert", bad.toString(), "-o", "table");
        assertEquals("distill: error: " + bad + " is not valid JSON (line 2, column 30)\n", r.err());
        assertEquals(3, r.code());
    }

    /** The docker config is read from $HOME/.docker (Java's user.home ignores HOME). */
    @Test
    void theDockerConfigIsFoundThroughHome() throws Exception {
        Path home = tmp.resolve("home");
        Files.createDirectories(home.resolve(".docker"));
        Files.writeString(home.resolve(".docker/config.json"), "{\"auths\": {x");
        // A registry that asks for basic authentication, so that distill looks for credentials.
        HttpServer asks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        asks.createContext("/", e -> {
            e.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"test\"");
            e.sendResponseHeaders(401, -1);
            e.close();
        });
        asks.start();
        try {
            MainTest.Result r = CliProcess.run(tmp, Map.of("HOME", home.toString()), hosts(), "inspect",
                    "registry:127.0.0.1:" + asks.getAddress().getPort() + "/x:y");
            assertLine("distill: error: " + home.resolve(".docker/config.json") + " is not valid JSON (line 1, "
                    + "column 12)", r);
        } finally {
            asks.stop(0);
        }
    }
}
