package dev.distill.attest.keyless;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A local Sigstore instance (fixtures/sigstore-stack/stack.js: Fulcio over REST and gRPC/TLS, Rekor v1, a TSA,
 * all on 127.0.0.1) for one test class. Register with {@code @RegisterExtension static SigstoreStack stack = new
 * SigstoreStack();}. It writes the instance's trusted root, signing config and an identity token into a temp
 * directory, and makes this JVM trust the self-signed certificate of the gRPC endpoint (sigstore-java's Fulcio
 * client speaks gRPC over TLS only). The node process is stopped after the class.
 */
public final class SigstoreStack implements BeforeAllCallback, AfterAllCallback {
    private Process process;
    private Path dir;
    private final List<String> log = new ArrayList<>();

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Path modules = nodeModules();
        Path script = Path.of(System.getProperty("distill.sigstore.stack", "../fixtures/sigstore-stack/stack.js"));
        if (!Files.isDirectory(modules.resolve("@sigstore/mock"))) {
            throw new IllegalStateException("@sigstore/mock is not installed under " + modules + "; run ./run-tests");
        }
        dir = Files.createTempDirectory("sigstore-stack");
        ProcessBuilder pb = new ProcessBuilder("node", script.toAbsolutePath().toString(), dir.toString())
                .redirectErrorStream(true);
        pb.environment().put("NODE_PATH", modules.toAbsolutePath().toString());
        process = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    synchronized (log) {
                        log.add(line);
                    }
                    if (line.startsWith("ready ")) {
                        ready.complete(true);
                    }
                }
            } catch (IOException e) {
                // the process is gone; the wait below reports it
            }
            ready.complete(false);
        }, "sigstore-stack-log");
        reader.setDaemon(true);
        reader.start();
        boolean up;
        try {
            up = ready.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            up = false;
        }
        if (!up) {
            stop();
            throw new IllegalStateException("the local Sigstore stack did not start: " + output());
        }
        trustGrpcCertificate(dir.resolve("fulcio-tls.pem"));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    private void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The node_modules directory ./run-tests fills. */
    public static Path nodeModules() {
        return Path.of(System.getProperty("distill.node.modules", "../test-deps/node/node_modules"));
    }

    /** The directory with trusted_root.json, signing_config.json, token and stack.json. */
    public Path dir() {
        return dir;
    }

    public Path trustedRoot() {
        return dir.resolve("trusted_root.json");
    }

    public Path signingConfig() {
        return dir.resolve("signing_config.json");
    }

    public String token() throws IOException {
        return Files.readString(dir.resolve("token"), StandardCharsets.US_ASCII).trim();
    }

    /** The identity (certificate subject alternative name) the stack's token stands for. */
    public String identity() throws IOException {
        return field("identity");
    }

    public String issuer() throws IOException {
        return field("issuer");
    }

    private String field(String name) throws IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("stack.json").toFile())
                .path(name).asText();
    }

    /**
     * Moves one of the stack's clocks: {@code skew} (the Rekor v1 log's integrated times) or {@code ca-skew} (the
     * CA's and CT log's: certificates issued from then on start and end that many seconds off).
     */
    public void admin(String clock, long seconds) throws IOException, InterruptedException {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .connectTimeout(java.time.Duration.ofSeconds(10)).build();
        var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(field("rekor") + "/admin/" + clock
                        + "?seconds=" + seconds)).timeout(java.time.Duration.ofSeconds(10))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the stack refused /admin/" + clock + ": " + r.statusCode());
        }
    }

    /**
     * Signs a file with sigstore-js (fixtures/sigstore-stack/js-sign.js, in one of its modes: sign, attest,
     * attest-intoto, sign-v2, attest-v2, attest-v2-hashed); returns the bundle JSON.
     */
    public String jsSign(Path artifact, String mode) throws IOException, InterruptedException {
        return jsSign(artifact, mode, null);
    }

    /** The same, signed with the PKCS#8 PEM private key in {@code signKey} instead of a Fulcio certificate. */
    public String jsSign(Path artifact, String mode, Path signKey) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "js-", ".sigstore.json");
        List<String> args = List.of(Path.of(System.getProperty("distill.sigstore.stack",
                "../fixtures/sigstore-stack/stack.js")).toAbsolutePath().resolveSibling("js-sign.js").toString(),
                dir.toString(), artifact.toString(), out.toString(), mode);
        StringBuilder text = new StringBuilder();
        if (node(args, text, signKey == null ? Map.of() : Map.of("SIGN_KEY", signKey.toString())) != 0) {
            throw new IllegalStateException("sigstore-js did not sign (" + mode + "): " + text);
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /**
     * Signs with sigstore-js under a certificate that expired before it was used: the CA's clock is set back 20
     * minutes for this one certificate (valid 10 minutes), while the log and the TSA keep the true time.
     */
    public String jsSignExpired(Path artifact, String mode) throws IOException, InterruptedException {
        admin("ca-skew", -1200);
        try {
            return jsSign(artifact, mode);
        } finally {
            admin("ca-skew", 0);
        }
    }

    public String output() {
        synchronized (log) {
            return String.join("\n", log);
        }
    }

    /** The @sigstore/verify 4.1.3 install (an npm alias), for {@link #jsVerify(Path, Path, StringBuilder, String)}. */
    public static final String SIGSTORE_VERIFY_4 = "sigstore-verify-4";

    /**
     * sigstore-js's verifier (fixtures/sigstore-stack/js-verify.js) on a bundle and its artifact, against this stack's
     * trusted root, identity and issuer, with @sigstore/verify 3.1.1; returns its exit code, its output in
     * {@code out}.
     */
    public int jsVerify(Path bundle, Path artifact, StringBuilder out) throws IOException, InterruptedException {
        return jsVerify(bundle, artifact, out, null);
    }

    /** The same with another install of @sigstore/verify ({@link #SIGSTORE_VERIFY_4}), or 3.1.1 when null. */
    public int jsVerify(Path bundle, Path artifact, StringBuilder out, String verifyPackage)
            throws IOException, InterruptedException {
        return node(List.of(Path.of("../fixtures/sigstore-stack/js-verify.js").toAbsolutePath().toString(),
                trustedRoot().toString(), bundle.toString(), artifact.toString(), identity(), issuer()), out,
                verifyPackage == null ? Map.of() : Map.of("SIGSTORE_VERIFY", verifyPackage));
    }

    /** Runs a node script with the test modules on NODE_PATH; returns its exit code, its output in {@code out}. */
    public static int node(List<String> args, StringBuilder out) throws IOException, InterruptedException {
        return node(args, out, Map.of());
    }

    /** The same, with these variables added to its environment. */
    public static int node(List<String> args, StringBuilder out, Map<String, String> env)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("node");
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("NODE_PATH", nodeModules().toAbsolutePath().toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        try (InputStream in = p.getInputStream()) {
            CompletableFuture<String> text = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "";
                }
            });
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("node " + args + " did not finish in 120 s");
            }
            out.append(text.join());
            return p.exitValue();
        } finally {
            p.destroyForcibly();
        }
    }

    /** A PKCS#12 trust store holding the gRPC endpoint's certificate becomes this JVM's default trust store. */
    private void trustGrpcCertificate(Path pem) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            ks.setCertificateEntry("sigstore-stack-fulcio",
                    CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        Path store = dir.resolve("trust.p12");
        try (var o = Files.newOutputStream(store)) {
            ks.store(o, "changeit".toCharArray());
        }
        System.setProperty("javax.net.ssl.trustStore", store.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
    }
}
