package dev.distill.admission;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.distill.attest.keyless.KeylessException;
import dev.distill.attest.keys.KeyException;
import dev.distill.attest.policy.Policy;
import dev.distill.attest.policy.PolicyGate;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The decision about one image digest under the loaded policies, cached per (repository, digest, policy hash)
 * with a TTL and a size bound. The repository is part of the key because the policy's sections match image names
 * and the signatures live in the repository, so one digest under two names is two decisions. Concurrent requests
 * for the same key share one verification (Caffeine's async cache holds the future in flight); a verification
 * that fails (the registry could not be read) is not cached, so the next request tries again. All verification
 * is attest's {@link PolicyGate}, the same as {@code verify-attestation --policy}: the gate of the loaded set the
 * decision is keyed on, holding the keys and trusted roots read with its policies.
 */
final class Decisions {
    /** What was decided about an image: the failed checks that deny it and those that only warn. */
    record Decision(ImageReference pinned, List<Policy.Check> denials, List<Policy.Check> warnings) {
        boolean allowed() {
            return denials.isEmpty();
        }
    }

    private record Key(String repository, Digest digest, String policyHash) {
    }

    private final AsyncCache<Key, Decision> cache;
    private final Executor pool;
    private final AdmissionMetrics metrics;

    Decisions(Duration ttl, long maxEntries, Executor pool, AdmissionMetrics metrics) {
        this.pool = pool;
        this.metrics = metrics;
        this.cache = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(maxEntries).executor(pool).buildAsync();
    }

    /** The decision about a pinned reference, from the cache or from one verification shared by all callers. */
    CompletableFuture<Decision> decide(ImageReference pinned, Policies.Loaded loaded) {
        Key key = new Key(pinned.registry() + "/" + pinned.repository(), pinned.digest(), loaded.hash());
        boolean[] started = {false};
        CompletableFuture<Decision> f = cache.get(key, (k, executor) -> {
            started[0] = true;
            return CompletableFuture.supplyAsync(() -> verify(pinned, loaded), pool);
        });
        metrics.cache(!started[0]);
        return f;
    }

    /**
     * How many decisions are held (for tests and the benchmark), after the cache's pending maintenance (evictions
     * over the size bound) has run: without it the count depends on when Caffeine's executor got to it.
     */
    long size() {
        cache.synchronous().cleanUp();
        return cache.synchronous().estimatedSize();
    }

    private Decision verify(ImageReference pinned, Policies.Loaded loaded) {
        long start = System.nanoTime();
        String name = pinned.registry() + "/" + pinned.repository();
        List<Policy.Check> denials = new ArrayList<>();
        List<Policy.Check> warnings = new ArrayList<>();
        boolean matched = false;
        try {
            for (Policies.Named n : loaded.policies()) {
                if (n.policy().forImage(name).isEmpty()) {
                    continue; // this policy says nothing about the image; another may
                }
                matched = true;
                PolicyGate.Report r = loaded.gate().evaluate(pinned, n.policy(), Set.of());
                String from = loaded.policies().size() > 1 ? n.file().getFileName() + ": " : "";
                r.denials().forEach(c -> denials.add(named(from, c)));
                r.warnings().forEach(c -> warnings.add(named(from, c)));
            }
        } catch (IOException | KeylessException | KeyException e) {
            throw new CompletionException(e);
        } finally {
            metrics.verified(System.nanoTime() - start);
        }
        if (!matched) {
            denials.add(new Policy.Check("policy", false, "no policy and no section of one applies to " + name));
        }
        return new Decision(pinned, List.copyOf(denials), List.copyOf(warnings));
    }

    private static Policy.Check named(String from, Policy.Check c) {
        return from.isEmpty() ? c : new Policy.Check(from + c.name(), c.passed(), c.detail(), c.warn());
    }
}
