package dev.distill.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two ways the server could hold on too long: stopping while idle, and a client that sends its body slowly. */
class ShutdownAndSlowClientTest {
    @TempDir
    Path dir;

    private AdmissionConfig.Builder config(TestTls tls, List<String> log) throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "attestations: [spdx]\n");
        return AdmissionConfig.builder(List.of(policy), tls.cert(), tls.key(),
                Signers.key(TestTls.publicKey(dir)))
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).log(log::add);
    }

    @Test
    void anIdleServerStopsWithoutWaitingOutTheGrace() throws Exception {
        TestTls tls = TestTls.make(dir);
        List<String> log = new CopyOnWriteArrayList<>();
        AdmissionServer s = AdmissionServer.start(config(tls, log).shutdownGrace(Duration.ofSeconds(20)).build());
        HttpClient http = HttpClient.newBuilder().sslContext(tls.client()).build();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                + s.address().getPort() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        long t0 = System.nanoTime();
        s.close();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 3000, "stopped in " + ms + " ms with nothing in flight (grace 20 s)");
        assertTrue(log.get(log.size() - 1).contains("\"event\":\"stopped\""), String.join("\n", log));
    }

    @Test
    void aStalledBodyIsCutOffAtTheDeadlineAndFreesItsWorker() throws Exception {
        TestTls tls = TestTls.make(dir);
        List<String> log = new CopyOnWriteArrayList<>();
        try (AdmissionServer s = AdmissionServer.start(config(tls, log).deadline(Duration.ofSeconds(1))
                .maxInFlight(1).build())) {
            int port = s.address().getPort();
            try (SSLSocket slow = (SSLSocket) tls.client().getSocketFactory().createSocket("127.0.0.1", port)) {
                slow.setSoTimeout(8000);
                OutputStream out = slow.getOutputStream();
                out.write(("POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 1000\r\n\r\n{\"kind\":").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                long t0 = System.nanoTime();
                InputStream in = slow.getInputStream();
                int read;
                try {
                    read = in.read();
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("the server still held the stalled request after 8 s", e);
                } catch (java.io.IOException e) {
                    read = -1; // the connection was closed under us: what we want
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(-1, read, "no answer is sent to a body that never arrived, the connection is closed");
                assertTrue(ms < 4000, "cut off after " + ms + " ms (deadline 1 s)");
            }
            // The one worker allowed is free again: a request is answered, not refused with 429.
            HttpClient http = HttpClient.newBuilder().sslContext(tls.client()).build();
            HttpResponse<String> next = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port
                    + "/validate")).POST(HttpRequest.BodyPublishers.ofString("{not json")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, next.statusCode(), next.body());
            assertTrue(log.stream().anyMatch(l -> l.contains("\"event\":\"body-timeout\"")), String.join("\n", log));
        }
    }
}
