package dev.distill.attest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * How large an attestation's predicate may be (default 256 MiB; {@code --max-attestation-bytes} sets it for a
 * run), and the JSON readers sized for it. The limit is deliberate: an envelope carries its statement as one
 * base64 string, about 4/3 of the predicate, which Jackson's default (20,000,000 characters) refuses from a 15 MB
 * predicate on, so an attestation could be stored that could never be verified. Everything that reads an
 * envelope or a bundle (layers, referrers, annotations, DSSE) reads with {@link #json} and caps what it fetches
 * at {@link #maxEnvelopeBytes}; attest refuses a larger predicate before signing.
 */
public final class AttestLimits {
    public static final long DEFAULT_MAX_ATTESTATION_BYTES = 256L << 20;
    private static volatile long maxAttestationBytes = DEFAULT_MAX_ATTESTATION_BYTES;
    private static volatile ObjectMapper json = mapper(DEFAULT_MAX_ATTESTATION_BYTES, false);
    private static volatile ObjectMapper strict = mapper(DEFAULT_MAX_ATTESTATION_BYTES, true);

    private AttestLimits() {
    }

    public static long maxAttestationBytes() {
        return maxAttestationBytes;
    }

    /** Sets the limit for this process (the CLI's {@code --max-attestation-bytes}); at least 1 KiB. */
    public static synchronized void maxAttestationBytes(long bytes) {
        if (bytes < 1024) {
            throw new IllegalArgumentException("the attestation size limit must be at least 1024 bytes");
        }
        maxAttestationBytes = bytes;
        json = mapper(bytes, false);
        strict = mapper(bytes, true);
    }

    /** The largest envelope or bundle that can carry a predicate of the limit: its base64, and room around it. */
    public static long maxEnvelopeBytes() {
        return maxAttestationBytes / 3 * 4 + 4 + (4L << 20);
    }

    /** A JSON reader whose string limit fits an envelope of the largest predicate allowed. */
    public static ObjectMapper json() {
        return json;
    }

    /** As {@link #json}, refusing a key given twice in an object (for bundles, whose fields must be unambiguous). */
    public static ObjectMapper strictJson() {
        return strict;
    }

    private static ObjectMapper mapper(long maxPredicate, boolean strictDuplicates) {
        long envelope = maxPredicate / 3 * 4 + 4 + (4L << 20);
        JsonFactory factory = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength((int) Math.min(Integer.MAX_VALUE - 16, envelope)).build()).build();
        ObjectMapper m = new ObjectMapper(factory);
        if (strictDuplicates) {
            m.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        }
        return m;
    }
}
