package dev.distill.admission;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.distill.attest.AttestException;
import dev.distill.attest.policy.PolicyGate;
import dev.distill.oci.ImageReference;
import dev.distill.oci.ImageSources;
import dev.distill.oci.SourceOptions;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.sbom.SbomOptions;
import dev.distill.sbom.audit.AuditReport;
import dev.distill.sbom.audit.Auditor;
import dev.distill.sbom.model.ToolInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The admission webhook server: {@code POST /validate} and {@code POST /mutate} (AdmissionReview in, out),
 * {@code /healthz}, {@code /readyz} and {@code /metrics}, over TLS on the JDK's own HTTPS server (see the module
 * README for why). Bodies are bounded (413), requests in flight are bounded (429 beyond), every review is answered
 * within the deadline, and {@link #close} stops gracefully: not ready first, then the requests in flight finish
 * (up to the grace period), then the worker pools stop. It prints nothing: log lines go to the configured sink.
 */
public final class AdmissionServer implements AutoCloseable {
    static {
        // The JDK's server leaves Nagle's algorithm on unless this is set before its first use: each answer's body
        // then waits for the client's delayed ACK of the headers, about 40 ms per response on Linux
        // (ResponseLatencyTest, bench/admission). A value the user set wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final AdmissionConfig config;
    private final HttpsServer http;
    private final ExecutorService handlers;
    private final ExecutorService verifiers;
    private final ScheduledExecutorService reloader;
    private final Policies policies;
    private final Path copies;
    private final ServerTls tls;
    private final Reviewer reviewer;
    private final Decisions decisions;
    private final AdmissionMetrics metrics = new AdmissionMetrics();
    private final DecisionLog log;
    private final Semaphore inFlight;
    private final Exchanges exchanges = new Exchanges();
    private final ScheduledExecutorService watchdog;
    private volatile boolean ready;

    private AdmissionServer(AdmissionConfig config) throws IOException, AttestException {
        this.config = config;
        this.log = new DecisionLog(config.log(), Clock.systemUTC());
        RegistryClient client = new RegistryClient(config.registry());
        this.copies = Files.createTempDirectory("distill-admission-");
        try {
            this.policies = new Policies(config.policies(), config.signers(), copies, (attestations, signers, files)
                    -> new PolicyGate(client, attestations, signers, this::audit, files));
            this.tls = new ServerTls(config.tlsCert(), config.tlsKey());
        } catch (IOException | AttestException | RuntimeException e) {
            deleteCopies();
            throw e;
        }
        this.inFlight = new Semaphore(config.maxInFlight());
        // Handlers mostly wait for verifications; the pools are apart so a burst of reviews cannot starve them.
        this.handlers = Executors.newFixedThreadPool(config.maxInFlight() + 4, named("distill-admission-http"));
        this.verifiers = Executors.newFixedThreadPool(Math.max(4, Math.min(32, config.maxInFlight())),
                named("distill-admission-verify"));
        this.reloader = Executors.newSingleThreadScheduledExecutor(named("distill-admission-reload"));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(named("distill-admission-watchdog"));
        this.decisions = new Decisions(config.cacheTtl(), config.cacheSize(), verifiers, metrics);
        Tags tags = new Tags(client, config.tagTtl(), config.cacheSize(), verifiers, metrics);
        this.reviewer = new Reviewer(tags, decisions, policies::current, config.deadline(), metrics);
        try {
            this.http = HttpsServer.create(config.listen(), 128);
        } catch (BindException e) {
            // Not as the cause: a socket exception in the chain would read as a failure to reach a registry.
            IOException x = new IOException("cannot listen on " + config.listen().getHostString() + ":"
                    + config.listen().getPort() + ": " + e.getMessage().toLowerCase(java.util.Locale.ROOT));
            x.addSuppressed(e);
            deleteCopies();
            throw x;
        }
        http.setHttpsConfigurator(new HttpsConfigurator(tls.context()));
        http.setExecutor(handlers);
        http.createContext("/validate", exchanges.counted(ex -> review(ex, "validate", false)));
        http.createContext("/mutate", exchanges.counted(ex -> review(ex, "mutate", true)));
        http.createContext("/healthz", exchanges.counted(ex -> plain(ex, "healthz", 200, "ok\n")));
        http.createContext("/readyz", exchanges.counted(ex -> plain(ex, "readyz", ready ? 200 : 503, ready
                ? "ready\n" : "not ready\n")));
        http.createContext("/metrics", exchanges.counted(this::metrics));
        http.createContext("/", exchanges.counted(ex -> plain(ex, "other", 404, "no such endpoint\n")));
    }

    /**
     * Reads the policies, the keys and trusted roots they and the signers name, and the TLS pair; binds, and
     * serves; ready once it returns. A file that cannot be read, parsed or loaded is thrown, naming the file.
     */
    public static AdmissionServer start(AdmissionConfig config) throws IOException, AttestException {
        AdmissionServer s = new AdmissionServer(config);
        s.http.start();
        long every = config.reloadInterval().toMillis();
        s.reloader.scheduleWithFixedDelay(s::reload, every, every, TimeUnit.MILLISECONDS);
        s.ready = true;
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("listen", s.address().getHostString() + ":" + s.address().getPort());
        fields.put("policies", config.policies().stream().map(Object::toString).toList());
        fields.put("policyHash", s.policies.current().hash());
        fields.put("files", s.policies.current().files().keySet().stream().map(Object::toString).toList());
        fields.put("signers", config.signers().describe());
        s.log.event("started", fields);
        return s;
    }

    /** The address bound (the port, when 0 was asked for). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** How many image decisions the cache holds. */
    public long cachedDecisions() {
        return decisions.size();
    }

    /**
     * Looks for changed policy, key, trusted root and TLS files now (the server also does every reload interval).
     * New contents of any file a decision depends on give a new policy hash, so no decision made before is used.
     */
    public void reload() {
        try {
            Policies.Loaded before = policies.current();
            Policies.Loaded next = policies.reload();
            if (next != null) {
                metrics.reload("policy", true);
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("policyHash", next.hash());
                fields.put("changed", before.changedIn(next).stream().map(Object::toString).toList());
                log.event("policy-reloaded", fields);
            }
        } catch (IOException | AttestException | RuntimeException e) {
            metrics.reload("policy", false);
            log.event("policy-reload-failed", Map.of("reason", String.valueOf(e.getMessage()), "kept",
                    policies.current().hash()));
        }
        try {
            if (tls.reload()) {
                metrics.reload("tls", true);
                log.event("tls-reloaded", Map.of("certificate", config.tlsCert().toString(), "served",
                        tls.served()));
            }
        } catch (IOException | RuntimeException e) {
            metrics.reload("tls", false);
            log.event("tls-reload-failed", Map.of("reason", String.valueOf(e.getMessage()), "kept", tls.served()));
        }
    }

    @Override
    public void close() {
        ready = false;
        log.event("stopping", Map.of("graceSeconds", config.shutdownGrace().toSeconds()));
        reloader.shutdownNow();
        // The JDK 17 server's stop(grace) waits the whole grace even when nothing is in flight, so we wait for our
        // own count of exchanges to reach zero (bounded by the grace) and then stop it at once.
        boolean idle = exchanges.awaitIdle(config.shutdownGrace());
        http.stop(0);
        if (!idle) {
            log.event("stopped-with-requests-in-flight", Map.of("requests", exchanges.count()));
        }
        watchdog.shutdownNow();
        handlers.shutdownNow();
        verifiers.shutdownNow();
        try {
            handlers.awaitTermination(5, TimeUnit.SECONDS);
            verifiers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteCopies();
        log.event("stopped", Map.of());
    }

    private void review(HttpExchange ex, String endpoint, boolean mutate) throws IOException {
        long start = System.nanoTime();
        try (ex) {
            if (!ex.getRequestMethod().equals("POST")) {
                plain(ex, endpoint, 405, "POST an AdmissionReview\n");
                return;
            }
            if (!inFlight.tryAcquire()) {
                ex.getResponseHeaders().set("Retry-After", "1");
                plain(ex, endpoint, 429, "too many admission requests in flight\n");
                return;
            }
            metrics.inFlight(1);
            try {
                byte[] body;
                try {
                    body = body(ex, start);
                } catch (SlowBody e) {
                    metrics.request(endpoint, 408);
                    log.event("body-timeout", Map.of("endpoint", endpoint, "reason", e.getMessage()));
                    return;
                }
                if (body == null) {
                    plain(ex, endpoint, 413, "an AdmissionReview is at most " + config.maxBodyBytes() + " bytes\n");
                    return;
                }
                Reviewer.Answer a;
                try {
                    a = reviewer.review(body, mutate, start);
                } catch (Reviewer.BadReview e) {
                    log.event("bad-request", Map.of("endpoint", endpoint, "reason", e.getMessage()));
                    plain(ex, endpoint, 400, e.getMessage() + "\n");
                    return;
                }
                String result = !a.allowed() ? "denied" : a.warned() ? "warned" : "allowed";
                metrics.decision(endpoint, result);
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("endpoint", endpoint);
                fields.putAll(a.log());
                log.event("decision", fields);
                send(ex, endpoint, 200, "application/json", a.body());
            } finally {
                metrics.inFlight(-1);
                inFlight.release();
            }
        } catch (RuntimeException e) {
            // An internal failure is still an answer: the API server's failurePolicy decides (Fail: denied).
            log.event("internal-error", Map.of("endpoint", endpoint, "reason", String.valueOf(e)));
            throw e;
        }
    }

    /** A body that did not arrive within the deadline: its connection was closed. */
    private static final class SlowBody extends Exception {
        SlowBody(String message) {
            super(message);
        }
    }

    /**
     * The body, or null when it is over the limit (by its Content-Length or as it is read). The JDK's server has no
     * read timeout, so a watchdog closes the connection of a body still arriving when the deadline is up: a slow or
     * stalled client holds a worker no longer than the deadline.
     */
    private byte[] body(HttpExchange ex, long start) throws IOException, SlowBody {
        AtomicBoolean late = new AtomicBoolean();
        long left = config.deadline().toNanos() - (System.nanoTime() - start);
        ScheduledFuture<?> timer = watchdog.schedule(() -> {
            late.set(true);
            ex.close();
        }, Math.max(0, left), TimeUnit.NANOSECONDS);
        byte[] body;
        try {
            body = readBody(ex);
        } catch (IOException e) {
            timer.cancel(false);
            if (late.get()) {
                throw slow();
            }
            throw e;
        }
        timer.cancel(false);
        if (late.get()) {
            throw slow(); // read in full just as the watchdog closed the connection: there is no one to answer
        }
        return body;
    }

    private SlowBody slow() {
        return new SlowBody("the body did not arrive within the deadline of " + config.deadline().toMillis() + " ms");
    }

    private byte[] readBody(HttpExchange ex) throws IOException {
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        long max = config.maxBodyBytes();
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > max) {
                    return null;
                }
            } catch (NumberFormatException e) {
                return null;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[16384];
        try (InputStream in = ex.getRequestBody()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                if (out.size() + n > max) {
                    return null;
                }
                out.write(buf, 0, n);
            }
        }
        return out.toByteArray();
    }

    private void metrics(HttpExchange ex) throws IOException {
        try (ex) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            metrics.request("metrics", 200);
            metrics.write(out);
            send(ex, null, 200, metrics.contentType(), out.toByteArray());
        }
    }

    private void plain(HttpExchange ex, String endpoint, int code, String text) throws IOException {
        try (ex) {
            send(ex, endpoint, code, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
        }
    }

    private void send(HttpExchange ex, String endpoint, int code, String type, byte[] body) throws IOException {
        if (endpoint != null) {
            metrics.request(endpoint, code);
        }
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** The filesystem audit of a pinned image, for the distroless rules (read from the registry). */
    private AuditReport audit(ImageReference pinned) {
        try (var img = ImageSources.open("registry:" + pinned, SourceOptions.defaults()
                .withRegistry(config.registry()))) {
            return Auditor.audit(img, SbomOptions.defaults(new ToolInfo("distill", "admission")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The private copies of trusted roots: the server's own, removed when it stops. */
    private void deleteCopies() {
        try (var list = Files.list(copies)) {
            for (Path p : list.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(copies);
        } catch (IOException e) {
            log.event("cleanup-failed", Map.of("directory", copies.toString(), "reason", String.valueOf(e)));
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
