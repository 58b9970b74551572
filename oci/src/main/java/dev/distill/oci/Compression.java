package dev.distill.oci;

import java.io.IOException;
import java.io.InputStream;

/** Layer compression, told by the first bytes rather than the media type: docker archives often mislabel it. */
public enum Compression {
    NONE, GZIP, ZSTD;

    /** Peeks at the start of a mark-supporting stream. */
    public static Compression sniff(InputStream in) throws IOException {
        in.mark(4);
        byte[] head = in.readNBytes(4);
        in.reset();
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return GZIP;
        }
        if (head.length == 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5
                && (head[2] & 0xff) == 0x2f && (head[3] & 0xff) == 0xfd) {
            return ZSTD;
        }
        return NONE;
    }
}
