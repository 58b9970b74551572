package dev.distill.attest.dsse;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.distill.attest.AttestLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * JSON documents around one large base64 payload (an envelope, a bundle holding one), written once into an array
 * of exactly their size: the document is in memory once, not twice as growing a buffer and then
 * {@link ByteArrayOutputStream#toByteArray()} would make it for a moment.
 */
public final class ExactBytes {
    private ExactBytes() {
    }

    /** A document written by {@link #of}, given the payload it carries. */
    @FunctionalInterface
    public interface Document {
        void write(JsonGenerator g, byte[] payload) throws IOException;
    }

    /**
     * The document's bytes. It is first written with an empty payload, which tells its size to the byte: the
     * payload's base64 (padded, no line breaks, no escaping) adds exactly 4 characters for every 3 bytes or part.
     */
    public static byte[] of(byte[] payload, Document document) throws IOException {
        ByteArrayOutputStream dry = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = AttestLimits.json().createGenerator(dry)) {
            document.write(g, new byte[0]);
        }
        long size = dry.size() + (payload.length + 2L) / 3 * 4;
        if (size > Integer.MAX_VALUE - 16) {
            throw new IOException("a document of " + size + " bytes is larger than one array can hold");
        }
        Buffer out = new Buffer((int) size);
        try (JsonGenerator g = AttestLimits.json().createGenerator(out)) {
            document.write(g, payload);
        }
        return out.bytes();
    }

    private static final class Buffer extends ByteArrayOutputStream {
        Buffer(int size) {
            super(size);
        }

        /** This buffer's own array when it is full (the size was right), else a copy of its used part. */
        byte[] bytes() {
            return count == buf.length ? buf : Arrays.copyOf(buf, count);
        }
    }
}
