package dev.distill.oci.registry;

import dev.distill.oci.ImageReference;
import java.time.Duration;
import java.util.Set;

/**
 * How to talk to registries.
 *
 * @param insecureHosts registries (host[:port]) that may be spoken to over plain http besides loopback ones
 * @param maxAttempts attempts per request on 5xx, 429 and connection failures (at least 1)
 * @param initialBackoff first wait between attempts; it doubles up to {@code maxBackoff}
 * @param maxBackoff longest wait, also the cap on a server's Retry-After
 * @param timeout connect timeout and the longest wait for response headers
 */
public record RegistryOptions(Set<String> insecureHosts, CredentialStore credentials, int maxAttempts,
                              Duration initialBackoff, Duration maxBackoff, Duration timeout) {
    public RegistryOptions {
        insecureHosts = insecureHosts.stream().map(ImageReference::normalizeRegistry).collect(
                java.util.stream.Collectors.toUnmodifiableSet());
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    public static RegistryOptions defaults() {
        return new RegistryOptions(Set.of(), CredentialStore.fromEnvironment(), 5, Duration.ofMillis(500),
                Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    public RegistryOptions withInsecureHosts(Set<String> hosts) {
        return new RegistryOptions(hosts, credentials, maxAttempts, initialBackoff, maxBackoff, timeout);
    }

    public RegistryOptions withCredentials(CredentialStore c) {
        return new RegistryOptions(insecureHosts, c, maxAttempts, initialBackoff, maxBackoff, timeout);
    }

    public RegistryOptions withRetries(int attempts, Duration initial, Duration max) {
        return new RegistryOptions(insecureHosts, credentials, attempts, initial, max, timeout);
    }

    public RegistryOptions withTimeout(Duration t) {
        return new RegistryOptions(insecureHosts, credentials, maxAttempts, initialBackoff, maxBackoff, t);
    }
}
