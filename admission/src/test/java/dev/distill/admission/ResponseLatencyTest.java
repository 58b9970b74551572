package dev.distill.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Answers on a kept-alive connection are not held back by Nagle's algorithm and the client's delayed ACK. */
class ResponseLatencyTest {
    @TempDir
    Path dir;

    @Test
    void answersOnAKeptAliveConnectionTakeLessThanADelayedAck() throws Exception {
        TestTls tls = TestTls.make(dir);
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "attestations: [spdx]\n");
        AdmissionConfig config = AdmissionConfig.builder(List.of(policy), tls.cert(), tls.key(),
                Signers.key(TestTls.publicKey(dir)))
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build();
        try (AdmissionServer s = AdmissionServer.start(config)) {
            HttpClient http = HttpClient.newBuilder().sslContext(tls.client()).version(HttpClient.Version.HTTP_1_1)
                    .build();
            HttpRequest health = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + s.address().getPort()
                    + "/healthz")).build();
            for (int i = 0; i < 5; i++) {
                assertEquals(200, http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode()); // warm up
            }
            long[] ms = new long[21];
            for (int i = 0; i < ms.length; i++) {
                long t0 = System.nanoTime();
                assertEquals(200, http.send(health, HttpResponse.BodyHandlers.ofString()).statusCode());
                ms[i] = (System.nanoTime() - t0) / 1_000_000;
            }
            Arrays.sort(ms);
            // A delayed ACK is 40 ms on Linux; with Nagle on, every answer waited for one.
            assertTrue(ms[ms.length / 2] < 25, "median " + ms[ms.length / 2] + " ms: " + Arrays.toString(ms));
        }
    }
}
