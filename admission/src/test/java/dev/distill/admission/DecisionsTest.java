package dev.distill.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.attest.policy.Policy;
import dev.distill.attest.policy.PolicyGate;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.registry.RegistryOptions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The decision cache's TTL, size bound and key. The images here are ones no section of the policy covers: their
 * decision (a denial) is made without a registry, so the cache is seen on its own.
 */
class DecisionsTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final AdmissionMetrics metrics = new AdmissionMetrics();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private Decisions decisions(Duration ttl, long size) {
        return new Decisions(ttl, size, pool, metrics);
    }

    private static Policies.Loaded loaded(String hash) throws Exception {
        Policy p = Policy.parse("images:\n  - glob: registry.example/covered/**\n    attestations: [spdx]\n",
                "policy.yaml");
        PolicyGate gate = new PolicyGate(new RegistryClient(RegistryOptions.defaults()), null, null, null);
        return new Policies.Loaded(List.of(new Policies.Named(Path.of("policy.yaml"), p)), hash, gate, Map.of());
    }

    private static ImageReference image(String repo, int n) {
        return ImageReference.parse("registry.example/" + repo + ":v1").withDigest(Digest.sha256(
                ("image " + n).getBytes(StandardCharsets.UTF_8)));
    }

    private long counter(String name) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out);
        Matcher m = Pattern.compile("(?m)^" + name + " (\\d+)").matcher(out.toString(StandardCharsets.UTF_8));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static Decisions.Decision get(Decisions d, ImageReference ref, Policies.Loaded l) throws Exception {
        return d.decide(ref, l).get(10, TimeUnit.SECONDS);
    }

    @Test
    void aDecisionIsReusedUntilItsTtlEnds() throws Exception {
        Decisions d = decisions(Duration.ofMillis(300), 100);
        Policies.Loaded l = loaded("sha256:a");
        Decisions.Decision first = get(d, image("app", 1), l);
        assertFalse(first.allowed());
        assertTrue(first.denials().get(0).detail().contains("no policy and no section of one applies"),
                first.denials().toString());
        get(d, image("app", 1), l);
        assertEquals(1, counter("distill_admission_cache_misses_total"));
        assertEquals(1, counter("distill_admission_cache_hits_total"));
        Thread.sleep(600);
        get(d, image("app", 1), l);
        assertEquals(2, counter("distill_admission_cache_misses_total"), "decided again once the TTL is over");
    }

    @Test
    void theKeyIsTheRepositoryTheDigestAndThePolicy() throws Exception {
        Decisions d = decisions(Duration.ofMinutes(5), 100);
        get(d, image("app", 1), loaded("sha256:a"));
        get(d, image("other", 1), loaded("sha256:a"));
        get(d, image("app", 2), loaded("sha256:a"));
        get(d, image("app", 1), loaded("sha256:b"));
        assertEquals(4, counter("distill_admission_cache_misses_total"), "one digest under another name, another "
                + "digest, or another policy is another decision");
        get(d, image("app", 1), loaded("sha256:a"));
        assertEquals(1, counter("distill_admission_cache_hits_total"));
    }

    @Test
    void theCacheHoldsNoMoreThanItsSize() throws Exception {
        Decisions d = decisions(Duration.ofMinutes(5), 50);
        Policies.Loaded l = loaded("sha256:a");
        for (int i = 0; i < 500; i++) {
            get(d, image("app", i), l);
        }
        // Caffeine evicts on its executor, soon after the bound is passed; size() runs what is pending first.
        for (int i = 0; i < 250 && d.size() > 50; i++) {
            Thread.sleep(20);
        }
        assertTrue(d.size() <= 50, "held " + d.size());
    }
}
