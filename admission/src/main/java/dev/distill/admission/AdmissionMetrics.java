package dev.distill.admission;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The server's metrics, in a registry of its own (not the process-wide default, so two servers in one test JVM
 * count apart), written in the Prometheus text format by the Prometheus Java client.
 */
final class AdmissionMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests = Counter.builder().name("distill_admission_requests_total")
            .help("HTTP requests, by endpoint and status code").labelNames("endpoint", "code").register(registry);
    private final Counter decisions = Counter.builder().name("distill_admission_decisions_total")
            .help("Admission decisions, by endpoint and result (allowed, warned, denied)")
            .labelNames("endpoint", "result").register(registry);
    private final Histogram verification = Histogram.builder().name("distill_admission_verification_seconds")
            .help("Time to verify one image digest against the policies (cache misses only)")
            .classicOnly().classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
            .register(registry);
    private final Counter cacheHits = Counter.builder().name("distill_admission_cache_hits_total")
            .help("Image decisions answered from the cache (or joined to a verification in flight)")
            .register(registry);
    private final Counter cacheMisses = Counter.builder().name("distill_admission_cache_misses_total")
            .help("Image decisions that started a verification").register(registry);
    private final Counter tagCacheHits = Counter.builder().name("distill_admission_tag_cache_hits_total")
            .help("Image tags whose digest came from the tag cache (--tag-ttl), or joined to a resolution in flight")
            .register(registry);
    private final Counter tagResolutions = Counter.builder().name("distill_admission_tag_resolutions_total")
            .help("Image tags resolved against their registry (one HEAD each)").register(registry);
    private final Counter registryErrors = Counter.builder().name("distill_admission_registry_errors_total")
            .help("Images denied because a registry could not be read").register(registry);
    private final Counter reloads = Counter.builder().name("distill_admission_reloads_total")
            .help("Policy and TLS reloads, by what and result (ok, failed)").labelNames("what", "result")
            .register(registry);
    private final Gauge inFlight = Gauge.builder().name("distill_admission_requests_in_flight")
            .help("Admission requests being answered").register(registry);

    void request(String endpoint, int code) {
        requests.labelValues(endpoint, Integer.toString(code)).inc();
    }

    void decision(String endpoint, String result) {
        decisions.labelValues(endpoint, result).inc();
    }

    void verified(long nanos) {
        verification.observe(nanos / 1e9);
    }

    void cache(boolean hit) {
        (hit ? cacheHits : cacheMisses).inc();
    }

    void tagCacheHit() {
        tagCacheHits.inc();
    }

    void tagResolved() {
        tagResolutions.inc();
    }

    void registryError() {
        registryErrors.inc();
    }

    void reload(String what, boolean ok) {
        reloads.labelValues(what, ok ? "ok" : "failed").inc();
    }

    void inFlight(int delta) {
        inFlight.inc(delta);
    }

    String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    void write(OutputStream out) throws IOException {
        PrometheusTextFormatWriter.create().write(out, registry.scrape(), EscapingScheme.DEFAULT);
    }
}
