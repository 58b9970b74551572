package dev.distill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server side of the OCI 1.1 referrers API, in front of Debian's docker-registry (distribution 2.8, which has
 * none): a fake standing in for a registry that has it, since no such registry is packaged here. Everything is
 * forwarded to the registry, which stores every manifest and blob; the front only does what distribution-spec
 * 1.1 asks of a registry with the API: a manifest pushed with a {@code subject} is answered with the
 * {@code OCI-Subject} header and indexed (in memory, as the registry's own index), and
 * {@code GET /v2/<name>/referrers/<digest>} returns that index as an image index ({@code artifactType} filter
 * applied and said so in {@code OCI-Filters-Applied}). It stores nothing under the {@code sha256-<hex>}
 * fallback tag, so a client that writes that tag here did not use the API.
 */
final class ReferrersApiFront implements AutoCloseable {
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "host", "transfer-encoding",
            "upgrade", "keep-alive", "expect");
    private static final Pattern REFERRERS = Pattern.compile("/v2/(.+)/referrers/(sha256:[0-9a-f]{64})");
    private static final Pattern MANIFEST = Pattern.compile("/v2/(.+)/manifests/([^/]+)");
    private static final String INDEX = "application/vnd.oci.image.index.v1+json";

    private final HttpServer server;
    private final String target;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final ObjectMapper json = new ObjectMapper();
    /** Repository, then subject digest, then the descriptors of the manifests that refer to it, by digest. */
    private final Map<String, Map<String, Map<String, ObjectNode>>> index = new LinkedHashMap<>();

    private ReferrersApiFront(String target) throws IOException {
        this.target = target;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 32);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    static ReferrersApiFront start(String registryHost) throws IOException {
        return new ReferrersApiFront(registryHost);
    }

    String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            Matcher referrers = REFERRERS.matcher(path);
            if (ex.getRequestMethod().equals("GET") && referrers.matches()) {
                list(ex, referrers.group(1), referrers.group(2));
                return;
            }
            byte[] body = ex.getRequestBody().readAllBytes();
            HttpResponse<byte[]> r = forward(ex, body);
            Matcher manifest = MANIFEST.matcher(path);
            String subject = null;
            if (ex.getRequestMethod().equals("PUT") && manifest.matches() && r.statusCode() == 201) {
                subject = indexed(manifest.group(1), body, ex.getRequestHeaders().getFirst("Content-Type"),
                        r.headers().firstValue("Docker-Content-Digest").orElse(null));
            }
            r.headers().map().forEach((k, vs) -> {
                if (!HOP_BY_HOP.contains(k.toLowerCase(Locale.ROOT)) && !k.startsWith(":")) {
                    String v = String.join(",", vs);
                    ex.getResponseHeaders().add(k, k.equalsIgnoreCase("Location") ? v.replace(target, host()) : v);
                }
            });
            if (subject != null) {
                ex.getResponseHeaders().add("OCI-Subject", subject);
            }
            boolean head = ex.getRequestMethod().equals("HEAD");
            if (head || r.body().length == 0) {
                r.headers().firstValue("Content-Length").filter(l -> head)
                        .ifPresent(l -> ex.getResponseHeaders().add("Content-Length", l));
                ex.sendResponseHeaders(r.statusCode(), -1);
                return;
            }
            ex.sendResponseHeaders(r.statusCode(), r.body().length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(r.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpResponse<byte[]> forward(HttpExchange ex, byte[] body) throws IOException, InterruptedException {
        String query = ex.getRequestURI().getRawQuery();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + target + ex.getRequestURI().getRawPath()
                + (query == null ? "" : "?" + query)));
        ex.getRequestHeaders().forEach((k, vs) -> {
            if (!HOP_BY_HOP.contains(k.toLowerCase(Locale.ROOT))) {
                vs.forEach(v -> b.header(k, v));
            }
        });
        b.method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Indexes a stored manifest that has a subject; returns the subject's digest, or null when it has none. */
    private synchronized String indexed(String repository, byte[] body, String contentType, String digest)
            throws IOException {
        JsonNode m;
        try {
            m = json.readTree(body);
        } catch (IOException e) {
            return null; // not JSON: the registry judged it, nothing to index
        }
        if (m == null || !m.path("subject").path("digest").isTextual() || digest == null) {
            return null;
        }
        ObjectNode d = json.createObjectNode();
        d.put("mediaType", m.path("mediaType").asText(contentType));
        d.put("digest", digest);
        d.put("size", body.length);
        // OCI 1.1: the artifactType, else the config's media type.
        String type = m.path("artifactType").asText(m.path("config").path("mediaType").asText(""));
        if (!type.isEmpty()) {
            d.put("artifactType", type);
        }
        if (m.path("annotations").isObject()) {
            d.set("annotations", m.path("annotations"));
        }
        String subject = m.path("subject").path("digest").asText();
        index.computeIfAbsent(repository, k -> new LinkedHashMap<>()).computeIfAbsent(subject,
                k -> new LinkedHashMap<>()).put(digest, d);
        return subject;
    }

    private void list(HttpExchange ex, String repository, String subject) throws IOException {
        String query = ex.getRequestURI().getQuery();
        String filter = query != null && query.startsWith("artifactType=") ? query.substring(13) : null;
        List<ObjectNode> found;
        synchronized (this) {
            found = new ArrayList<>(index.getOrDefault(repository, Map.of()).getOrDefault(subject, Map.of())
                    .values());
        }
        ObjectNode out = json.createObjectNode();
        out.put("schemaVersion", 2);
        out.put("mediaType", INDEX);
        ArrayNode manifests = out.putArray("manifests");
        found.stream().filter(d -> filter == null || filter.equals(d.path("artifactType").asText()))
                .forEach(manifests::add);
        byte[] bytes = json.writeValueAsBytes(out);
        ex.getResponseHeaders().add("Content-Type", INDEX);
        if (filter != null) {
            ex.getResponseHeaders().add("OCI-Filters-Applied", "artifactType");
        }
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
