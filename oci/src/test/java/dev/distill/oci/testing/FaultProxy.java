package dev.distill.oci.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback proxy in front of a registry that injects faults into chosen requests: error statuses, 429 with
 * Retry-After, a connection cut halfway through a body, or a body with one byte flipped. Everything else is
 * forwarded as it is.
 */
public final class FaultProxy implements AutoCloseable {
    /** What to do to a matching request, {@code times} times. */
    public enum Kind { STATUS_500, STATUS_503, TOO_MANY_REQUESTS, CUT_BODY, CORRUPT_BODY, STALL_BODY, BAD_DIGEST_HEADER,
        /** The request's query is dropped: a cross-repository mount becomes a plain upload start (a refused mount). */
        DROP_QUERY }

    private record Fault(String method, String pathContains, Kind kind, AtomicInteger remaining) {
    }

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "host", "transfer-encoding",
            "upgrade", "keep-alive", "expect");

    private final HttpServer server;
    private final String target;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final Set<InetSocketAddress> clients = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private FaultProxy(String target) throws IOException {
        this.target = target;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 32);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
    }

    public static FaultProxy start(String targetHost) throws IOException {
        return new FaultProxy(targetHost);
    }

    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    public int requests() {
        return requests.get();
    }

    /** How many client connections the proxy has accepted (distinct client addresses and ports). */
    public int connections() {
        return clients.size();
    }

    public FaultProxy inject(String method, String pathContains, Kind kind, int times) {
        faults.add(new Fault(method, pathContains, kind, new AtomicInteger(times)));
        return this;
    }

    private Kind take(HttpExchange ex) {
        for (Fault f : faults) {
            if (f.method().equals(ex.getRequestMethod()) && ex.getRequestURI().getPath().contains(f.pathContains())
                    && f.remaining().getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return f.kind();
            }
        }
        return null;
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        clients.add(ex.getRemoteAddress());
        try (ex) {
            Kind fault = take(ex);
            if (fault == Kind.STATUS_500 || fault == Kind.STATUS_503) {
                ex.sendResponseHeaders(fault == Kind.STATUS_500 ? 500 : 503, -1);
                return;
            }
            if (fault == Kind.TOO_MANY_REQUESTS) {
                ex.getResponseHeaders().add("Retry-After", "1");
                ex.sendResponseHeaders(429, -1);
                return;
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + target
                    + ex.getRequestURI().getRawPath()
                    + (ex.getRequestURI().getRawQuery() == null || fault == Kind.DROP_QUERY ? ""
                    : "?" + ex.getRequestURI().getRawQuery())));
            ex.getRequestHeaders().forEach((k, vs) -> {
                if (!HOP_BY_HOP.contains(k.toLowerCase(java.util.Locale.ROOT))) {
                    vs.forEach(v -> b.header(k, v));
                }
            });
            byte[] body = ex.getRequestBody().readAllBytes();
            b.method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            r.headers().map().forEach((k, vs) -> {
                if (!HOP_BY_HOP.contains(k.toLowerCase(java.util.Locale.ROOT)) && !k.startsWith(":")) {
                    String v = String.join(",", vs);
                    // Upload locations point at the registry; keep the client talking to the proxy.
                    ex.getResponseHeaders().add(k, k.equalsIgnoreCase("Location") ? v.replace(target, host()) : v);
                }
            });
            if (fault == Kind.BAD_DIGEST_HEADER) {
                ex.getResponseHeaders().set("Docker-Content-Digest", "sha256:not-a-digest");
            }
            byte[] out = r.body();
            boolean head = ex.getRequestMethod().equals("HEAD");
            if (fault == Kind.CORRUPT_BODY && out.length > 0) {
                out = out.clone();
                out[out.length / 2] ^= 0x01;
            }
            if (head || out.length == 0) {
                String len = r.headers().firstValue("Content-Length").orElse(null);
                if (head && len != null) {
                    ex.getResponseHeaders().add("Content-Length", len);
                }
                ex.sendResponseHeaders(r.statusCode(), -1);
                return;
            }
            ex.sendResponseHeaders(r.statusCode(), out.length);
            try (OutputStream o = ex.getResponseBody()) {
                if (fault == Kind.STALL_BODY) {
                    o.write(out, 0, out.length / 2);
                    o.flush();
                    Thread.sleep(20_000); // longer than the client's timeout; bounded so the proxy always ends
                    throw new IOException("stalled on purpose");
                }
                if (fault == Kind.CUT_BODY) {
                    o.write(out, 0, out.length / 2);
                    o.flush();
                    throw new IOException("cut on purpose"); // closes the connection mid-body
                }
                o.write(out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

}
