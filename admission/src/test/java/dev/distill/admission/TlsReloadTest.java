package dev.distill.admission;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's TLS pair is re-read when its files change: a renewed certificate is what new connections get, and
 * a renewal that is broken (a key that is not the certificate's, a file that is not PEM) keeps the pair served
 * before and says so in the log, once per broken content.
 */
class TlsReloadTest {
    @TempDir
    Path dir;

    @Test
    void newConnectionsGetTheRenewedCertificateAndABadRenewalKeepsTheOld() throws Exception {
        Path served = Files.createDirectories(dir.resolve("served"));
        TestTls first = TestTls.make(served);
        TestTls second = TestTls.make(Files.createDirectories(dir.resolve("second")));
        TestTls third = TestTls.make(Files.createDirectories(dir.resolve("third")));
        byte[] firstCert = der(first.cert());
        byte[] secondCert = der(second.cert());
        byte[] thirdCert = der(third.cert());
        // Read now: the first pair's files are overwritten below.
        List<Certificate> trusted = List.of(cert(first.cert()), cert(second.cert()), cert(third.cert()));
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "attestations: [spdx]\n");
        List<String> log = new CopyOnWriteArrayList<>();
        AdmissionConfig config = AdmissionConfig.builder(List.of(policy), first.cert(), first.key(),
                Signers.key(TestTls.publicKey(dir)))
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .reloadInterval(Duration.ofMillis(100)).log(log::add).build();
        try (AdmissionServer s = AdmissionServer.start(config)) {
            int port = s.address().getPort();
            assertArrayEquals(firstCert, peer(port, trusted));

            // Renewed: the new pair replaces the files, as a Secret volume's update does; the reloader finds it.
            replace(second.key(), first.key());
            replace(second.cert(), first.cert());
            await(log, "tls-reloaded", 1);
            assertArrayEquals(secondCert, peer(port, trusted), "a new connection gets the new one");

            // A certificate whose key is not the one beside it: refused, the second pair still served.
            replace(third.cert(), first.cert());
            await(log, "tls-reload-failed", 1);
            String failed = log.stream().filter(l -> l.contains("tls-reload-failed")).findFirst().orElseThrow();
            assertTrue(failed.contains("is not the key of the certificate " + first.cert()), failed);
            assertTrue(failed.contains("\"kept\":\"CN=distill-admission-test sha256:"), failed);
            assertArrayEquals(secondCert, peer(port, trusted), "the broken renewal is not served");

            // A certificate file that is not PEM: refused too, said once however many reloads pass.
            Files.writeString(first.cert(), "not a certificate\n");
            await(log, "tls-reload-failed", 2);
            Thread.sleep(500);
            assertEquals(2, log.stream().filter(l -> l.contains("tls-reload-failed")).count(), String.join("\n", log));
            assertTrue(log.stream().anyMatch(l -> l.contains("tls-reload-failed") && l.contains("not a PEM "
                    + "certificate chain")), String.join("\n", log));
            assertArrayEquals(secondCert, peer(port, trusted));

            // Fixed: the third pair, whole, is served.
            replace(third.key(), first.key());
            replace(third.cert(), first.cert());
            await(log, "tls-reloaded", 2);
            assertArrayEquals(thirdCert, peer(port, trusted));
        }
    }

    /** Copies over the file in one rename, so the reloader never reads half of it. */
    private static void replace(Path from, Path to) throws Exception {
        Path tmp = to.resolveSibling(to.getFileName() + ".new");
        Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void await(List<String> log, String event, long count) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (log.stream().filter(l -> l.contains("\"event\":\"" + event + "\"")).count() >= count) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no " + event + " (" + count + ") within 5 s: " + String.join("\n", log));
    }

    /**
     * The certificate the server presents to a new connection: a fresh SSL context each time, so no session is
     * resumed, trusting every test certificate.
     */
    private static byte[] peer(int port, List<Certificate> trusted) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < trusted.size(); i++) {
            trust.setCertificateEntry("c" + i, trusted.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return socket.getSession().getPeerCertificates()[0].getEncoded();
        }
    }

    private static Certificate cert(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static byte[] der(Path pem) throws Exception {
        return cert(pem).getEncoded();
    }
}
