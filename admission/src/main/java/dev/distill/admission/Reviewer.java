package dev.distill.admission;

import dev.distill.attest.policy.Policy;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.NetworkFailure;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * One AdmissionReview in, one out: every image of the object resolved to a digest once per request ({@link Tags}), each digest
 * decided ({@link Decisions}), and the answer built within the deadline. Fails closed: an image that could not be
 * resolved or verified in time, an object that cannot be read, a kind not understood, or an image no policy
 * covers is a denial that says why. {@code /mutate} admits what {@code /validate} admits and pins each image to the
 * digest that was verified (a JSON Patch).
 */
final class Reviewer {
    /** A body that is not an AdmissionReview with a request: answered 400, there is no uid to answer. */
    static final class BadReview extends Exception {
        BadReview(String message) {
            super(message);
        }
    }

    /** The answer, and what the decision log and metrics record of it. */
    record Answer(byte[] body, boolean allowed, boolean warned, Map<String, Object> log) {
    }

    static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Tags tags;
    private final Decisions decisions;
    private final Supplier<Policies.Loaded> policies;
    private final Duration deadline;
    private final AdmissionMetrics metrics;

    Reviewer(Tags tags, Decisions decisions, Supplier<Policies.Loaded> policies, Duration deadline,
             AdmissionMetrics metrics) {
        this.tags = tags;
        this.decisions = decisions;
        this.policies = policies;
        this.deadline = deadline;
        this.metrics = metrics;
    }

    /** Reads the review; a body that is not JSON or has no request uid is a {@link BadReview}. */
    static AdmissionRequest request(byte[] body) throws BadReview {
        AdmissionReview review;
        try {
            review = JSON.readValue(body, AdmissionReview.class);
        } catch (JacksonException e) {
            throw new BadReview("the body is not an AdmissionReview in JSON");
        }
        if (review == null || !"AdmissionReview".equals(review.getKind()) || review.getRequest() == null
                || review.getRequest().getUid() == null || review.getRequest().getUid().isBlank()) {
            throw new BadReview("the body is not an admission.k8s.io/v1 AdmissionReview with a request uid");
        }
        return review.getRequest();
    }

    /** Answers the review; {@code start} ({@link System#nanoTime}) is when the request came in, the deadline's start. */
    Answer review(byte[] body, boolean mutate, long start) throws BadReview {
        AdmissionRequest req = request(body);
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("uid", req.getUid());
        String kind = req.getKind() == null ? null : req.getKind().getKind();
        log.put("kind", kind);
        log.put("namespace", req.getNamespace());
        log.put("name", req.getName());
        log.put("operation", req.getOperation());
        Verdict v = verdict(req, kind, start);
        log.put("allowed", v.denials.isEmpty());
        log.put("images", v.images);
        if (!v.denials.isEmpty()) {
            log.put("denials", v.denials);
        }
        if (!v.warnings.isEmpty()) {
            log.put("warnings", v.warnings);
        }
        log.put("ms", (System.nanoTime() - start) / 1_000_000);
        AdmissionResponse resp = new AdmissionResponse();
        resp.setUid(req.getUid());
        resp.setAllowed(v.denials.isEmpty());
        if (!v.denials.isEmpty()) {
            resp.setStatus(new StatusBuilder().withCode(403).withReason("Forbidden")
                    .withMessage("distill: denied: " + String.join("; ", v.denials)).build());
        }
        if (!v.warnings.isEmpty()) {
            resp.setWarnings(v.warnings.stream().map(w -> "distill: " + w).toList());
        }
        if (mutate && v.denials.isEmpty() && !v.patch.isEmpty()) {
            resp.setPatchType("JSONPatch");
            resp.setPatch(Base64.getEncoder().encodeToString(JSON.writeValueAsBytes(v.patch)));
            log.put("patched", v.patch.size());
        }
        AdmissionReview out = new AdmissionReview();
        out.setApiVersion("admission.k8s.io/v1");
        out.setKind("AdmissionReview");
        out.setResponse(resp);
        return new Answer(JSON.writeValueAsBytes(out), v.denials.isEmpty(), !v.warnings.isEmpty(), log);
    }

    /** Denials and warnings in words, each image's digest and result, and the patch that pins the images. */
    private static final class Verdict {
        final List<String> denials = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        final List<Map<String, Object>> images = new ArrayList<>();
        final List<Map<String, String>> patch = new ArrayList<>();
    }

    private Verdict verdict(AdmissionRequest req, String kind, long start) {
        Verdict v = new Verdict();
        if ("DELETE".equals(req.getOperation()) || "CONNECT".equals(req.getOperation())) {
            return v; // nothing will run from a deletion or a connection
        }
        if (kind == null || !Workloads.known(kind)) {
            v.denials.add("distill does not check objects of kind " + kind + " (it reads "
                    + String.join(", ", Workloads.kinds()) + ")");
            return v;
        }
        List<Workloads.ImageSlot> slots;
        try {
            slots = Workloads.images(kind, req.getObject(), JSON);
        } catch (RuntimeException e) {
            v.denials.add("the " + kind + " could not be read as a " + kind);
            return v;
        }
        Policies.Loaded loaded = policies.get();
        // Each reference written once is resolved and decided once, however many containers name it.
        Map<String, CompletableFuture<Decisions.Decision>> pending = new LinkedHashMap<>();
        Map<String, String> refused = new LinkedHashMap<>();
        for (Workloads.ImageSlot s : slots) {
            if (s.image() == null || s.image().isBlank()) {
                refused.put(String.valueOf(s.image()), "container " + s.container() + " names no image");
                continue;
            }
            if (pending.containsKey(s.image()) || refused.containsKey(s.image())) {
                continue;
            }
            ImageReference ref;
            try {
                ref = ImageReference.parse(s.image());
            } catch (RuntimeException e) {
                refused.put(s.image(), "not an image reference");
                continue;
            }
            pending.put(s.image(), tags.digest(ref).thenCompose(d -> decisions.decide(ref.withDigest(d), loaded)));
        }
        long left = deadline.toNanos() - (System.nanoTime() - start);
        try {
            CompletableFuture.allOf(pending.values().toArray(CompletableFuture[]::new))
                    .get(Math.max(0, left), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // each image is judged below: done, failed, or not finished in time
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<String, Decisions.Decision> decided = new LinkedHashMap<>();
        refused.forEach((image, why) -> {
            v.denials.add("image " + image + ": " + why);
            v.images.add(Map.of("image", image, "result", "denied"));
        });
        pending.forEach((image, f) -> judge(v, image, f, decided));
        for (Workloads.ImageSlot s : slots) {
            Decisions.Decision d = decided.get(s.image());
            if (d != null && d.allowed() && !s.image().contains("@")) {
                v.patch.add(Map.of("op", "replace", "path", s.pointer(), "value", pinned(s.image(), d.pinned()
                        .digest())));
            }
        }
        return v;
    }

    private void judge(Verdict v, String image, CompletableFuture<Decisions.Decision> f,
                       Map<String, Decisions.Decision> decided) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("image", image);
        if (!f.isDone()) {
            v.denials.add("image " + image + ": not verified within the deadline of " + deadline.toMillis() + " ms");
            entry.put("result", "timeout");
        } else if (f.isCompletedExceptionally()) {
            v.denials.add("image " + image + ": " + failure(f));
            entry.put("result", "error");
        } else {
            Decisions.Decision d = f.join();
            decided.put(image, d);
            entry.put("digest", d.pinned().digest().toString());
            entry.put("result", !d.allowed() ? "denied" : d.warnings().isEmpty() ? "allowed" : "warned");
            for (Policy.Check c : d.denials()) {
                v.denials.add("image " + image + " (" + d.pinned().digest() + "): rule '" + c.name() + "': "
                        + c.detail());
            }
            for (Policy.Check c : d.warnings()) {
                v.warnings.add("image " + image + " (" + d.pinned().digest() + "): rule '" + c.name() + "' (warn "
                        + "mode): " + c.detail());
            }
        }
        v.images.add(entry);
    }

    /** Why an image's resolution or verification failed, in our words. */
    private String failure(CompletableFuture<?> f) {
        Throwable e;
        try {
            f.join();
            return "unknown failure";
        } catch (CompletionException c) {
            e = c.getCause() == null ? c : c.getCause();
        }
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof java.io.UncheckedIOException u) {
            e = u.getCause();
        }
        if (e instanceof IOException) {
            metrics.registryError();
            if (NetworkFailure.isNetwork(e)) {
                return "the registry could not be read: " + NetworkFailure.of(e).description();
            }
            return "the registry could not be read: " + e.getMessage();
        }
        return "verification failed: " + e.getMessage();
    }

    /** The reference as written, its tag replaced by the digest verified: {@code name@sha256:...}. */
    static String pinned(String image, Digest digest) {
        int slash = image.lastIndexOf('/');
        int colon = image.lastIndexOf(':');
        String name = colon > slash ? image.substring(0, colon) : image;
        return name + "@" + digest;
    }

}
