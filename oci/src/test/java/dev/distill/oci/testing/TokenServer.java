package dev.distill.oci.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * A token service for distribution's {@code auth: token}: issues ES256 JWTs whose x5c header carries a
 * self-signed certificate that the registry trusts through its {@code rootcertbundle}. It grants pull and push
 * to one user with one password, and pull to anonymous callers only when told to.
 */
public final class TokenServer implements AutoCloseable {
    public static final String SERVICE = "distill-test-registry";
    public static final String ISSUER = "distill-test-issuer";

    private final HttpServer server;
    private final KeyPair key;
    private final X509Certificate cert;
    private final String user;
    private final String password;
    private final boolean anonymousPull;
    private final AtomicInteger issued = new AtomicInteger();

    private TokenServer(String user, String password, boolean anonymousPull) throws Exception {
        this.user = user;
        this.password = password;
        this.anonymousPull = anonymousPull;
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        key = g.generateKeyPair();
        X500Name name = new X500Name("CN=distill test token signer");
        cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.ONE, Date.from(Instant.now().minusSeconds(3600)), Date.from(Instant.now().plusSeconds(86400)),
                name, key.getPublic()).build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/token", exchange -> {
            try {
                Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
                String auth = exchange.getRequestHeaders().getFirst("Authorization");
                boolean authorized = auth != null && auth.equals("Basic " + Base64.getEncoder().encodeToString(
                        (this.user + ":" + this.password).getBytes(StandardCharsets.UTF_8)));
                if (auth != null && !authorized || auth == null && !this.anonymousPull) {
                    exchange.sendResponseHeaders(401, -1);
                    return;
                }
                String scope = q.getOrDefault("scope", "");
                String[] parts = scope.split(":");
                String actions = authorized ? "\"pull\",\"push\"" : "\"pull\"";
                String access = parts.length == 3 ? "[{\"type\":\"repository\",\"name\":\"" + parts[1]
                        + "\",\"actions\":[" + actions + "]}]" : "[]";
                byte[] body = ("{\"token\":\"" + jwt(authorized ? this.user : "", access) + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                issued.incrementAndGet();
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } catch (Exception e) {
                exchange.sendResponseHeaders(500, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    public static TokenServer start(String user, String password, boolean anonymousPull) throws Exception {
        return new TokenServer(user, password, anonymousPull);
    }

    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    public int tokensIssued() {
        return issued.get();
    }

    /** Writes the signer's certificate as the registry's root bundle. */
    public Path writeRootBundle(Path file) throws IOException {
        try (PemWriter w = new PemWriter(Files.newBufferedWriter(file))) {
            w.writeObject(new PemObject("CERTIFICATE", cert.getEncoded()));
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IOException(e);
        }
        return file;
    }

    private String jwt(String subject, String access) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = "{\"typ\":\"JWT\",\"alg\":\"ES256\",\"x5c\":[\""
                + Base64.getEncoder().encodeToString(cert.getEncoded()) + "\"]}";
        long now = Instant.now().getEpochSecond();
        String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + subject + "\",\"aud\":\"" + SERVICE
                + "\",\"exp\":" + (now + 300) + ",\"nbf\":" + (now - 10) + ",\"iat\":" + now + ",\"jti\":\""
                + issued.get() + "-" + now + "\",\"access\":" + access + "}";
        String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(key.getPrivate());
        s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(s.sign());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    out.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
