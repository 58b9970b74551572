package dev.distill.admission;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Tag to digest, for {@code --tag-ttl}: a tag's resolution (one registry HEAD) is reused for that long, so a review
 * of a cached image by tag makes no registry call. The trade-off: a tag moved in the registry is noticed only once
 * its resolution expires; until then reviews judge, and {@code /mutate} pins, the digest it pointed at before,
 * which was verified. A TTL of zero resolves on every review. A reference with a digest is never looked up; a
 * failed resolution is not kept (Caffeine drops a future that failed), so the next review asks again; concurrent
 * reviews of one tag share one HEAD.
 */
final class Tags {
    private final RegistryClient client;
    private final AsyncCache<String, Digest> cache;
    private final Executor pool;
    private final AdmissionMetrics metrics;

    Tags(RegistryClient client, Duration ttl, long maxEntries, Executor pool, AdmissionMetrics metrics) {
        this.client = client;
        this.pool = pool;
        this.metrics = metrics;
        this.cache = ttl.isZero() ? null
                : Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(maxEntries).executor(pool).buildAsync();
    }

    /** The reference's digest: its own, a cached resolution of its tag, or one HEAD now (on the pool). */
    CompletableFuture<Digest> digest(ImageReference ref) {
        if (ref.digest() != null) {
            return CompletableFuture.completedFuture(ref.digest());
        }
        if (cache == null) {
            return CompletableFuture.supplyAsync(() -> resolve(ref), pool);
        }
        boolean[] started = {false};
        CompletableFuture<Digest> f = cache.get(ref.registry() + "/" + ref.repository() + ":" + ref.tag(),
                (k, executor) -> {
                    started[0] = true;
                    return CompletableFuture.supplyAsync(() -> resolve(ref), pool);
                });
        if (!started[0]) {
            metrics.tagCacheHit();
        }
        return f;
    }

    private Digest resolve(ImageReference ref) {
        metrics.tagResolved();
        try {
            return client.resolve(ref);
        } catch (IOException e) {
            throw new CompletionException(e);
        }
    }
}
