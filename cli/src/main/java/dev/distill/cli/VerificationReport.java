package dev.distill.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.image.ImageSignatures;
import dev.distill.attest.image.ReferrerBundles;
import dev.distill.attest.policy.Policy;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code -o json} report of verify and verify-attestation: one shape, on success and on failure. Every digest
 * judged, with every signature and attestation considered (verified or not, and why not), the policy's checks,
 * and the failures; {@code verified} is true exactly when the command exits 0. See docs/signing.md.
 */
final class VerificationReport {
    private final ImageReference image;
    private final String by;
    private final Map<Digest, Map<String, List<Map<String, Object>>>> digests = new LinkedHashMap<>();
    private final Map<Digest, String> platforms = new LinkedHashMap<>();
    private final List<Policy.Check> policy = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    VerificationReport(ImageReference image, String by) {
        this.image = image;
        this.by = by;
    }

    private Map<String, List<Map<String, Object>>> digest(Digest d) {
        return digests.computeIfAbsent(d, k -> {
            Map<String, List<Map<String, Object>>> m = new LinkedHashMap<>();
            m.put("signatures", new ArrayList<>());
            m.put("attestations", new ArrayList<>());
            return m;
        });
    }

    /** A digest judged, even when nothing was found for it. */
    VerificationReport judged(Digest d) {
        digest(d);
        return this;
    }

    /** A platform manifest judged (the platform null for an index or a lone image): the entry names it. */
    VerificationReport judged(Digest d, dev.distill.oci.Platform platform) {
        digest(d);
        if (platform != null) {
            platforms.put(d, platform.toString());
        }
        return this;
    }

    VerificationReport signatures(List<ImageSignatures.Outcome> outcomes) {
        for (ImageSignatures.Outcome o : outcomes) {
            for (int i = 0; i < o.signatures().size(); i++) {
                Map<String, Object> sig = new LinkedHashMap<>();
                sig.put("name", o.signatures().get(i));
                sig.put("verified", o.reasons().get(i) == null);
                if (o.reasons().get(i) != null) {
                    sig.put("reason", o.reasons().get(i));
                }
                digest(o.image()).get("signatures").add(sig);
            }
        }
        return this;
    }

    /**
     * Every attestation considered, in one shape verified or not: name, storage, envelope size, signer, predicate
     * type, verified, reason (null for one that counted); the predicate only for one that counted.
     */
    VerificationReport attestations(List<ImageAttestations.Attempt> attempts) {
        for (ImageAttestations.Attempt a : attempts) {
            Map<String, Object> att = new LinkedHashMap<>();
            att.put("name", a.name());
            att.put("storage", a.storage() == ReferrerBundles.Mode.LEGACY ? "legacy" : "oci-1-1");
            att.put("size", a.size() < 0 ? null : a.size());
            att.put("signer", signer(a.signer()));
            att.put("predicateType", a.predicateType());
            att.put("verified", a.verified());
            att.put("reason", a.reason());
            if (a.verified()) {
                // Streamed from the statement when written: a predicate of 50 MB is never a tree or a string here.
                ImageAttestations.Verified statement = a.statement();
                att.put("predicate", new JsonSerializable.Base() {
                    @Override
                    public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
                        statement.writePredicate(g);
                    }

                    @Override
                    public void serializeWithType(JsonGenerator g, SerializerProvider provider,
                                                  TypeSerializer typeSer) throws IOException {
                        serialize(g, provider);
                    }
                });
            }
            digest(a.image()).get("attestations").add(att);
        }
        return this;
    }

    /** A key by its hint, or a certificate's identity and issuer; null when the attestation names no signer. */
    private static Map<String, Object> signer(ImageAttestations.SignedBy by) {
        if (by == null) {
            return null;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        if (by.keyHint() != null) {
            out.put("keyHint", by.keyHint());
        } else {
            out.put("identity", by.identity());
            out.put("issuer", by.issuer());
        }
        return out;
    }

    VerificationReport policy(List<Policy.Check> checks) {
        policy.addAll(checks);
        return this;
    }

    VerificationReport failure(String reason) {
        failures.add(reason);
        return this;
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    boolean verified() {
        return failures.isEmpty();
    }

    /** Writes the report as indented JSON and a newline, as a stream (it may carry predicates of many megabytes). */
    void write(PrintWriter out) throws IOException {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("image", image.registry() + "/" + image.repository() + (image.tag() != null ? ":" + image.tag()
                : ""));
        report.put("verified", verified());
        report.put("by", by);
        List<Map<String, Object>> list = new ArrayList<>();
        digests.forEach((d, items) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("digest", d.toString());
            if (platforms.containsKey(d)) {
                m.put("platform", platforms.get(d));
            }
            m.putAll(items);
            list.add(m);
        });
        report.put("digests", list);
        report.put("policy", policy);
        report.put("failures", failures);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                .writeValue(out, report);
        out.println();
    }
}
