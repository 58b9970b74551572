package dev.distill.oci.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.oci.ImageReference;
import dev.distill.oci.wire.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * HTTP for the distribution API on {@code java.net.http}: https, or http for loopback and chosen hosts only;
 * bearer-token and basic auth from {@code WWW-Authenticate} challenges (tokens cached per scope); bounded retries
 * with exponential backoff on 5xx, 429 (honouring Retry-After) and broken connections (not on refused ones, unknown
 * hosts, TLS failures or timeouts: see {@link NetworkFailure}); redirects followed by
 * hand so that credentials never travel to another host.
 */
final class RegistryHttp {
    private static final Pattern LOOPBACK = Pattern.compile("(?:localhost|127(?:\\.\\d{1,3}){3}|\\[::1\\]|::1)",
            Pattern.CASE_INSENSITIVE);
    private static final int MAX_REDIRECTS = 5;

    private final HttpClient http;
    private final RegistryOptions options;
    private final Map<String, String> authorization = new ConcurrentHashMap<>();

    RegistryHttp(RegistryOptions options) {
        this.options = options;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** A request to make, re-creatable for retries. */
    record Call(String method, String registry, String repository, String pathAndQuery, Map<String, String> headers,
                Supplier<HttpRequest.BodyPublisher> body, boolean push) {
        String scope() {
            return "repository:" + repository + ":" + (push ? "pull,push" : "pull");
        }
    }

    URI base(String registry) {
        String normal = ImageReference.normalizeRegistry(registry);
        String host = normal.replaceFirst(":\\d+$", "");
        boolean plain = LOOPBACK.matcher(host).matches() || options.insecureHosts().contains(normal)
                || options.insecureHosts().contains(host);
        String apiHost = normal.equals(ImageReference.DOCKER_HUB) ? "registry-1.docker.io" : normal;
        return URI.create((plain ? "http://" : "https://") + apiHost);
    }

    /**
     * Sends the call, authenticating and retrying as needed; returns the first response that is neither a
     * retryable failure nor an auth challenge. The caller reads or closes the body.
     */
    HttpResponse<InputStream> send(Call call) throws IOException {
        URI uri = base(call.registry()).resolve(call.pathAndQuery());
        boolean authenticated = false;
        int redirects = 0;
        IOException lastFailure = null;
        int lastStatus = -1;
        for (int attempt = 1; attempt <= options.maxAttempts(); ) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(options.timeout())
                    .method(call.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody() : call.body().get());
            call.headers().forEach(b::header);
            String auth = authorization.get(call.registry() + " " + call.scope());
            if (auth != null && sameHost(uri, call.registry())) {
                b.header("Authorization", auth);
            }
            HttpResponse<InputStream> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            } catch (IOException e) {
                NetworkFailure failure = NetworkFailure.of(e);
                if (!failure.retryable()) {
                    throw new RegistryException(where(call) + ": " + describe(failure, uri), e);
                }
                lastFailure = e;
                if (attempt == options.maxAttempts()) {
                    break;
                }
                sleep(backoff(attempt, null), call);
                attempt++;
                continue;
            }
            int status = r.statusCode();
            if (status == 401 && !authenticated) {
                String header = r.headers().firstValue("WWW-Authenticate").orElse("");
                r.body().close();
                authenticate(call, Challenge.parse(header));
                authenticated = true;
                continue;
            }
            if (status >= 300 && status < 400 && r.headers().firstValue("Location").isPresent()
                    && redirects < MAX_REDIRECTS) {
                r.body().close();
                uri = uri.resolve(r.headers().firstValue("Location").get());
                redirects++;
                continue;
            }
            if (status == 429 || status == 500 || status == 502 || status == 503 || status == 504) {
                r.body().close();
                lastStatus = status;
                lastFailure = null;
                if (attempt == options.maxAttempts()) {
                    break;
                }
                sleep(backoff(attempt, r.headers()), call);
                attempt++;
                continue;
            }
            return r;
        }
        String where = where(call) + ": " + call.method() + " " + call.pathAndQuery();
        if (lastFailure != null) {
            throw new RegistryException(where + " failed " + options.maxAttempts() + " times: "
                    + describe(NetworkFailure.of(lastFailure), uri), lastFailure);
        }
        throw new RegistryException(where + " answered HTTP " + lastStatus + " " + options.maxAttempts()
                + " times; giving up", lastStatus);
    }

    private static String where(Call call) {
        return "registry " + call.registry() + ", repository " + call.repository();
    }

    /** The failure in our words; a timeout says how long it waited, an unknown host names the host. */
    private String describe(NetworkFailure failure, URI uri) {
        return switch (failure) {
            case UNKNOWN_HOST -> "unknown host '" + uri.getHost() + "'";
            case CONNECT_TIMEOUT, TIMEOUT -> failure.description() + " (" + options.timeout().toSeconds() + " s)";
            default -> failure.description();
        };
    }

    private static boolean sameHost(URI uri, String registry) {
        String authority = uri.getRawAuthority();
        return authority != null && (authority.equals(registry)
                || registry.equals("docker.io") && authority.equals("registry-1.docker.io"));
    }

    /** Retry-After (seconds or an HTTP date) when the server gives one, else exponential backoff; both capped. */
    Duration backoff(int attempt, HttpHeaders headers) {
        Duration max = options.maxBackoff();
        if (headers != null) {
            Optional<String> ra = headers.firstValue("Retry-After");
            if (ra.isPresent()) {
                Duration d = retryAfter(ra.get().strip());
                if (d != null) {
                    return d.compareTo(max) > 0 ? max : d;
                }
            }
        }
        Duration d = options.initialBackoff().multipliedBy(1L << Math.min(attempt - 1, 20));
        return d.compareTo(max) > 0 ? max : d;
    }

    static Duration retryAfter(String value) {
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    private static void sleep(Duration d, Call call) throws IOException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting to retry " + call.method() + " " + call.pathAndQuery(), e);
        }
    }

    private void authenticate(Call call, Challenge challenge) throws IOException {
        Optional<Credentials> creds = options.credentials().lookup(call.registry());
        String key = call.registry() + " " + call.scope();
        switch (challenge.scheme()) {
            case "basic" -> {
                Credentials c = creds.orElseThrow(() -> unauthorized(call, "basic"));
                authorization.put(key, "Basic " + Base64.getEncoder().encodeToString(
                        (c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8)));
            }
            case "bearer" -> authorization.put(key, "Bearer " + token(call, challenge, creds.orElse(null)));
            default -> throw new RegistryException("registry " + call.registry() + " asks for an authentication "
                    + "scheme distill does not speak: '" + challenge.scheme() + "'", 401);
        }
    }

    private RegistryException unauthorized(Call call, String scheme) {
        return new RegistryException("registry " + call.registry() + " requires " + scheme + " authentication for "
                + call.repository() + "; set DISTILL_REGISTRY_USERNAME and DISTILL_REGISTRY_PASSWORD or log in with "
                + "docker", 401);
    }

    /** Fetches a bearer token from the challenge's realm (anonymously, or with the credentials). */
    private String token(Call call, Challenge challenge, Credentials creds) throws IOException {
        String realm = challenge.params().get("realm");
        if (realm == null) {
            throw new RegistryException("registry " + call.registry() + " sent a bearer challenge without a realm", 401);
        }
        URI realmUri = URI.create(realm);
        if (!"https".equals(realmUri.getScheme()) && !(LOOPBACK.matcher(String.valueOf(realmUri.getHost())).matches()
                || options.insecureHosts().contains(ImageReference.normalizeRegistry(String.valueOf(
                        realmUri.getRawAuthority()))))) {
            throw new RegistryException("registry " + call.registry() + " names a token service over plain http ("
                    + realm + "); refusing to send credentials there", 401);
        }
        String service = challenge.params().get("service");
        String scope = call.scope();
        HttpRequest.Builder b;
        if (creds != null && creds.identityToken() != null) {
            String form = "grant_type=refresh_token&refresh_token=" + enc(creds.identityToken()) + "&client_id=distill"
                    + (service == null ? "" : "&service=" + enc(service)) + "&scope=" + enc(scope);
            b = HttpRequest.newBuilder(realmUri).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form));
        } else {
            String query = (service == null ? "" : "service=" + enc(service) + "&") + "scope=" + enc(scope);
            b = HttpRequest.newBuilder(URI.create(realm + (realm.contains("?") ? "&" : "?") + query)).GET();
            if (creds != null) {
                b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (creds.username() + ":" + creds.password()).getBytes(StandardCharsets.UTF_8)));
            }
        }
        HttpResponse<byte[]> r;
        try {
            r = http.send(b.timeout(options.timeout()).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            throw new RegistryException("token service " + realm + " for " + call.registry() + " unreachable: "
                    + describe(NetworkFailure.of(e), realmUri), e);
        }
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            throw new RegistryException("token service " + realm + " refused " + (creds == null ? "anonymous access"
                    : "the credentials of " + creds.username()) + " to " + scope + " (HTTP " + r.statusCode() + ")",
                    r.statusCode());
        }
        if (r.statusCode() != 200) {
            throw new RegistryException("token service " + realm + " answered HTTP " + r.statusCode(), r.statusCode());
        }
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(r.body());
        } catch (JsonProcessingException e) {
            throw new RegistryException("the answer of token service " + realm + " " + Json.problem(e), 200);
        }
        String token = json.path("token").asText(json.path("access_token").asText(""));
        if (token.isEmpty()) {
            throw new RegistryException("token service " + realm + " answered without a token", 200);
        }
        return token;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
