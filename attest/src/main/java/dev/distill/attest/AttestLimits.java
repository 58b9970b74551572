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
    // Made when first asked for (most commands never read an envelope), and again after the limit changes.
    private static ObjectMapper json;
    private static ObjectMapper strict;

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
        json = null;
        strict = null;
    }

    /** The largest envelope or bundle that can carry a predicate of the limit. */
    public static long maxEnvelopeBytes() {
        return envelopeBytes(maxAttestationBytes);
    }

    /** An envelope's size for a predicate's: its base64 (4/3), and 4 MiB of room around it (statement, bundle). */
    private static long envelopeBytes(long predicateBytes) {
        return predicateBytes / 3 * 4 + 4 + (4L << 20);
    }

    /** A JSON reader whose string limit fits an envelope of the largest predicate allowed. */
    public static synchronized ObjectMapper json() {
        if (json == null) {
            json = mapper(false);
        }
        return json;
    }

    /** As {@link #json}, refusing a key given twice in an object (for bundles, whose fields must be unambiguous). */
    public static synchronized ObjectMapper strictJson() {
        if (strict == null) {
            strict = mapper(true);
        }
        return strict;
    }

    private static ObjectMapper mapper(boolean strictDuplicates) {
        JsonFactory factory = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength((int) Math.min(Integer.MAX_VALUE - 16, maxEnvelopeBytes())).build()).build();
        ObjectMapper m = new ObjectMapper(factory);
        if (strictDuplicates) {
            m.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        }
        return m;
    }
}
