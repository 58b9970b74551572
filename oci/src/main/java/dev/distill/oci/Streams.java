package dev.distill.oci;

import java.io.IOException;
import java.io.InputStream;

/** Small stream helpers shared by the digesting streams. */
public final class Streams {
    private Streams() {
    }

    /**
     * Skips by reading through {@code in}'s own {@code read}, so that a stream that hashes or counts what passes
     * sees the skipped bytes too ({@code FilterInputStream.skip} would bypass it).
     */
    public static long skipByReading(InputStream in, long n) throws IOException {
        byte[] buf = new byte[8192];
        long done = 0;
        while (done < n) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    /**
     * One byte through {@code in}'s own bulk {@code read}, for streams that do their work (hashing, counting,
     * resuming, watching for stalls) there and must not let a single-byte read bypass it.
     */
    public static int readOne(InputStream in) throws IOException {
        byte[] one = new byte[1];
        int n = in.read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }
}
