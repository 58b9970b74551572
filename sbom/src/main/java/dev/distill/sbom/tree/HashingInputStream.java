package dev.distill.sbom.tree;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * SHA-256 and SHA-1 of whatever is read through it. The digests are the builder's, reset for each file:
 * looking up two MessageDigest instances per file costs more than hashing a small file.
 */
final class HashingInputStream extends FilterInputStream {
    private final MessageDigest md;
    private final MessageDigest sha1;

    HashingInputStream(InputStream in, MessageDigest sha256, MessageDigest sha1) {
        super(in);
        this.md = sha256;
        this.sha1 = sha1;
        md.reset();
        sha1.reset();
    }

    static MessageDigest newSha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }


    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            md.update((byte) b);
            sha1.update((byte) b);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            md.update(b, off, n);
            sha1.update(b, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        return dev.distill.oci.Streams.skipByReading(this, n); // skipped bytes must be hashed too
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
