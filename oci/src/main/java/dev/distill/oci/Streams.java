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
}
