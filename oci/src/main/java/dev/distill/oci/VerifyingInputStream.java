package dev.distill.oci;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Hashes and counts what passes through; at end of stream compares with the expected digest and size (either may
 * be absent) and throws {@link ImageException} on a mismatch, so no caller can consume unverified content to the
 * end without noticing. Also enforces a byte limit.
 */
public final class VerifyingInputStream extends FilterInputStream {
    private final MessageDigest md;
    private final Digest expected;
    private final long expectedSize;
    private final long limit;
    private final String what;
    private final String limitHint;
    private long count;
    private Digest actual;

    /**
     * @param expected expected digest, or null to only compute it
     * @param expectedSize expected size, or -1
     * @param limit maximum bytes allowed through, or Long.MAX_VALUE
     * @param what names the content in messages ("layer sha256:... of oci:dir")
     * @param limitHint what raises the limit, appended to the limit message
     */
    public VerifyingInputStream(InputStream in, Digest expected, long expectedSize, long limit, String what,
                                String limitHint) {
        super(in);
        this.md = expected != null ? expected.newMessageDigest() : Digest.newSha256();
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.limit = limit;
        this.what = what;
        this.limitHint = limitHint;
    }

    public VerifyingInputStream(InputStream in, Digest expected, long expectedSize, String what) {
        this(in, expected, expectedSize, Long.MAX_VALUE, what, "");
    }

    @Override
    public int read() throws IOException {
        return Streams.readOne(this);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (actual != null) {
            return -1;
        }
        int n = in.read(b, off, len);
        if (n < 0) {
            verify();
            return -1;
        }
        count += n;
        if (count > limit) {
            throw new LimitExceededException(what + " is larger than the limit of " + limit + " bytes" + limitHint);
        }
        if (expectedSize >= 0 && count > expectedSize) {
            throw new ImageException(what + " is larger than its descriptor's size " + expectedSize);
        }
        md.update(b, off, n);
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        return Streams.skipByReading(this, n); // skipped bytes must be hashed too
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads to the end (verifying) and returns the computed digest. */
    public Digest drain() throws IOException {
        byte[] buf = new byte[65536];
        while (read(buf, 0, buf.length) >= 0) {
            // discard
        }
        return actual;
    }

    private void verify() throws ImageException {
        actual = Digest.of(md);
        if (expectedSize >= 0 && count != expectedSize) {
            throw new ImageException(what + " is truncated: " + count + " bytes, descriptor says " + expectedSize);
        }
        if (expected != null && !expected.equals(actual)) {
            throw new ImageException(what + " has digest " + actual + ", expected " + expected);
        }
    }

    /** Bytes read so far. */
    public long count() {
        return count;
    }

    /** The computed digest, once the end was reached; else null. */
    public Digest actual() {
        return actual;
    }
}
