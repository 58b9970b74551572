package dev.distill.sbom.catalog.golang;

import dev.distill.sbom.tree.ContentInspector;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Finds the build info the Go toolchain (1.18 and later) embeds in every binary: a 32-byte header starting with
 * {@code \xff Go buildinf:} in the {@code .go.buildinfo} section, followed by the Go version and the module info
 * as varint-length-prefixed strings. The header is found by scanning the bytes as they stream past, so no binary
 * is kept, stripped or not. Older, pointer-based build info would need the program's address map; it is reported
 * as such.
 */
final class GoBuildInfoInspector implements ContentInspector {
    static final byte[] MAGIC = {(byte) 0xff, ' ', 'G', 'o', ' ', 'b', 'u', 'i', 'l', 'd', 'i', 'n', 'f', ':'};
    private static final int HEADER = 32;
    private static final int MAX_MODINFO = 16 << 20;
    private static final long MAX_BINARY = 2L << 30;

    /** What a binary holds: the Go version and module info, or why they could not be read. */
    record Found(String goVersion, String modinfo, String error) {
    }

    @Override
    public boolean wants(String path, int mode, long size) {
        return (mode & 0111) != 0 && size >= 64 && size <= MAX_BINARY;
    }

    @Override
    public Object inspect(String path, InputStream in) throws IOException {
        byte[] head = in.readNBytes(4);
        boolean elf = head.length == 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
        if (!elf) {
            return null;
        }
        Scanner s = new Scanner(in);
        if (!s.find(MAGIC)) {
            return null;
        }
        byte[] header = s.take(HEADER - MAGIC.length);
        if (header.length < HEADER - MAGIC.length) {
            return new Found(null, null, "build info header is truncated");
        }
        int flags = header[1] & 0xff;
        if ((flags & 2) == 0) {
            return new Found(null, null, "pointer-based build info (Go before 1.18) is not read");
        }
        String version = s.string(64);
        String modinfo = s.string(MAX_MODINFO);
        if (version == null || modinfo == null) {
            return new Found(null, null, "build info strings are truncated or longer than allowed");
        }
        // The module info is framed by 16-byte sentinels.
        if (modinfo.length() >= 33 && modinfo.charAt(modinfo.length() - 17) == '\n') {
            modinfo = modinfo.substring(16, modinfo.length() - 16);
        }
        return new Found(version, modinfo, null);
    }

    /** A forward-only search over a stream, then reads right after the match. */
    private static final class Scanner {
        private final InputStream in;
        private final byte[] buf = new byte[1 << 16];
        private int start;
        private int end;

        Scanner(InputStream in) {
            this.in = in;
        }

        private boolean fill(int keep) throws IOException {
            System.arraycopy(buf, end - keep, buf, 0, keep);
            start = 0;
            end = keep;
            int n = in.read(buf, end, buf.length - end);
            if (n <= 0) {
                return false;
            }
            end += n;
            return true;
        }

        boolean find(byte[] needle) throws IOException {
            int keep = 0;
            while (fill(keep)) {
                for (int i = 0; i + needle.length <= end; i++) {
                    if (buf[i] == needle[0] && matches(i, needle)) {
                        start = i + needle.length;
                        return true;
                    }
                }
                keep = Math.min(needle.length - 1, end);
            }
            return false;
        }

        private boolean matches(int at, byte[] needle) {
            for (int j = 1; j < needle.length; j++) {
                if (buf[at + j] != needle[j]) {
                    return false;
                }
            }
            return true;
        }

        int next() throws IOException {
            if (start < end) {
                return buf[start++] & 0xff;
            }
            return in.read();
        }

        byte[] take(int n) throws IOException {
            byte[] out = new byte[n];
            for (int i = 0; i < n; i++) {
                int b = next();
                if (b < 0) {
                    return java.util.Arrays.copyOf(out, i);
                }
                out[i] = (byte) b;
            }
            return out;
        }

        /** A uvarint-length-prefixed string, or null when truncated or longer than {@code max}. */
        String string(int max) throws IOException {
            long len = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                int b = next();
                if (b < 0) {
                    return null;
                }
                len |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            if (len > max) {
                return null;
            }
            byte[] bytes = take((int) len);
            return bytes.length == len ? new String(bytes, StandardCharsets.UTF_8) : null;
        }
    }
}
