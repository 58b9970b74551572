package dev.distill.admission;

import dev.distill.oci.registry.RegistryOptions;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What the server needs: the policies, its TLS pair, who must have signed attestations (a key file, or an identity
 * and a trusted root: {@link Signers}; the server reads those files with the policies, and again when they
 * change), and its limits. Built with {@link #builder}; {@link Builder#build} checks every value.
 */
public record AdmissionConfig(List<Path> policies, Path tlsCert, Path tlsKey, InetSocketAddress listen,
                              Signers signers, RegistryOptions registry, Duration deadline, long maxBodyBytes, int maxInFlight,
                              Duration cacheTtl, long cacheSize, Duration tagTtl, Duration reloadInterval,
                              Duration shutdownGrace, Consumer<String> log) {

    /** The API server's own limit on an object is 3 MiB of request; an AdmissionReview carries two objects. */
    public static final long DEFAULT_MAX_BODY = 7L * 1024 * 1024;

    public static Builder builder(List<Path> policies, Path tlsCert, Path tlsKey, Signers signers) {
        return new Builder(policies, tlsCert, tlsKey, signers);
    }

    /**
     * The defaults are the command's: 0.0.0.0:8443, a 10 s deadline, 64 requests in flight, 10,000 decisions kept
     * 5 min, tag resolutions kept 30 s.
     */
    public static final class Builder {
        private final List<Path> policies;
        private final Path tlsCert;
        private final Path tlsKey;
        private final Signers signers;
        private InetSocketAddress listen = new InetSocketAddress("0.0.0.0", 8443);
        private RegistryOptions registry = RegistryOptions.defaults();
        private Duration deadline = Duration.ofSeconds(10);
        private long maxBodyBytes = DEFAULT_MAX_BODY;
        private int maxInFlight = 64;
        private Duration cacheTtl = Duration.ofMinutes(5);
        private long cacheSize = 10_000;
        private Duration tagTtl = Duration.ofSeconds(30);
        private Duration reloadInterval = Duration.ofSeconds(10);
        private Duration shutdownGrace = Duration.ofSeconds(15);
        private Consumer<String> log = line -> { };

        private Builder(List<Path> policies, Path tlsCert, Path tlsKey, Signers signers) {
            this.policies = List.copyOf(policies);
            this.tlsCert = Objects.requireNonNull(tlsCert, "tlsCert");
            this.tlsKey = Objects.requireNonNull(tlsKey, "tlsKey");
            this.signers = Objects.requireNonNull(signers, "signers");
        }

        public Builder listen(InetSocketAddress a) {
            listen = a;
            return this;
        }

        public Builder registry(RegistryOptions r) {
            registry = r;
            return this;
        }

        public Builder deadline(Duration d) {
            deadline = d;
            return this;
        }

        public Builder maxBodyBytes(long n) {
            maxBodyBytes = n;
            return this;
        }

        public Builder maxInFlight(int n) {
            maxInFlight = n;
            return this;
        }

        public Builder cache(Duration ttl, long size) {
            cacheTtl = ttl;
            cacheSize = size;
            return this;
        }

        /** How long a tag's resolution to a digest is reused; zero resolves on every review. */
        public Builder tagTtl(Duration d) {
            tagTtl = d;
            return this;
        }

        /** How often the policy, key, trusted root and TLS files are looked at for changes. */
        public Builder reloadInterval(Duration d) {
            reloadInterval = d;
            return this;
        }

        public Builder shutdownGrace(Duration d) {
            shutdownGrace = d;
            return this;
        }

        /** Where the JSON log lines go, one call per line. */
        public Builder log(Consumer<String> sink) {
            log = sink;
            return this;
        }

        public AdmissionConfig build() {
            if (policies.isEmpty()) {
                throw new IllegalArgumentException("at least one policy is needed");
            }
            positive(deadline, "the deadline");
            positive(cacheTtl, "the cache TTL");
            positive(reloadInterval, "the reload interval");
            if (tagTtl == null || tagTtl.isNegative()) {
                throw new IllegalArgumentException("the tag TTL must be zero or positive");
            }
            if (maxBodyBytes < 1024 || maxInFlight < 1 || cacheSize < 1 || shutdownGrace.isNegative()) {
                throw new IllegalArgumentException("the body limit (at least 1024 bytes), requests in flight and "
                        + "cache size must be positive");
            }
            return new AdmissionConfig(policies, tlsCert, tlsKey, listen, signers, registry,
                    deadline, maxBodyBytes, maxInFlight, cacheTtl, cacheSize, tagTtl, reloadInterval, shutdownGrace,
                    log);
        }

        private static void positive(Duration d, String what) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive");
            }
        }
    }
}
