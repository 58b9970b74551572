package dev.distill.sbom.catalog.binary;

import dev.distill.sbom.tree.ContentInspector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Looks inside every executable ELF file once, as it streams past, for the dependency metadata toolchains
 * embed: Go's build info (1.18 and later: a 32-byte header starting {@code \xff Go buildinf:} followed by the
 * Go version and module info as varint-length-prefixed strings) and cargo-auditable's {@code .dep-v0} section
 * (zlib-compressed JSON starting {@code {"packages":}). Both are found by scanning the bytes, so neither section
 * headers nor the binary itself need to be kept, stripped or not. Go binaries and Rust binaries share this one
 * inspector because a tree shows each file's bytes to one inspector.
 */
public final class ExecutableInspector implements ContentInspector {
    public static final ExecutableInspector INSTANCE = new ExecutableInspector();

    static final byte[] GO_MAGIC = {(byte) 0xff, ' ', 'G', 'o', ' ', 'b', 'u', 'i', 'l', 'd', 'i', 'n', 'f', ':'};
    private static final byte[] RUST_PREFIX = "{\"packages\":".getBytes(StandardCharsets.US_ASCII);
    private static final int GO_HEADER = 32;
    private static final int MAX_MODINFO = 16 << 20;
    private static final int MAX_RUST_JSON = 16 << 20;
    private static final int LOOKAHEAD = 64;
    private static final long MAX_BINARY = 2L << 30;

    private ExecutableInspector() {
    }

    /** What an executable holds; every field may be null. */
    public record Found(String goVersion, String goModinfo, String goError, String rustJson, String rustError) {
    }

    @Override
    public boolean wants(String path, int mode, long size) {
        return (mode & 0111) != 0 && size >= 64 && size <= MAX_BINARY;
    }

    @Override
    public Object inspect(String path, InputStream in) throws IOException {
        byte[] head = in.readNBytes(4);
        if (head.length < 4 || head[0] != 0x7f || head[1] != 'E' || head[2] != 'L' || head[3] != 'F') {
            return null;
        }
        Scanner s = new Scanner(in);
        while (s.fill()) {
            for (int i = s.start; i < s.scanEnd(); i++) {
                byte b = s.buf[i];
                if (b == GO_MAGIC[0] && s.matches(i, GO_MAGIC)) {
                    s.start = i + GO_MAGIC.length;
                    return go(s);
                }
                if (b == 0x78 && isZlibLevel(s.buf[i + 1]) && rustCandidate(s.buf, i, s.end)) {
                    s.start = i;
                    return rust(s);
                }
            }
            s.start = s.scanEnd();
        }
        return null;
    }

    private static boolean isZlibLevel(byte flg) {
        return flg == 0x01 || flg == 0x5e || flg == (byte) 0x9c || flg == (byte) 0xda;
    }

    /** Inflates the first bytes after a zlib header and checks they start cargo-auditable's JSON. */
    private static boolean rustCandidate(byte[] buf, int at, int end) {
        Inflater inf = new Inflater();
        try {
            inf.setInput(buf, at, Math.min(LOOKAHEAD, end - at));
            byte[] out = new byte[RUST_PREFIX.length];
            int n = inf.inflate(out);
            return n == out.length && Arrays.equals(out, RUST_PREFIX);
        } catch (DataFormatException e) {
            return false;
        } finally {
            inf.end();
        }
    }

    private static Found go(Scanner s) throws IOException {
        byte[] header = s.take(GO_HEADER - GO_MAGIC.length);
        if (header.length < GO_HEADER - GO_MAGIC.length) {
            return new Found(null, null, "Go build info header is truncated", null, null);
        }
        if ((header[1] & 2) == 0) {
            return new Found(null, null, "pointer-based Go build info (Go before 1.18) is not read", null, null);
        }
        String version = s.string(64);
        String modinfo = s.string(MAX_MODINFO);
        if (version == null || modinfo == null) {
            return new Found(null, null, "Go build info strings are truncated or longer than allowed", null, null);
        }
        if (modinfo.length() >= 33 && modinfo.charAt(modinfo.length() - 17) == '\n') {
            modinfo = modinfo.substring(16, modinfo.length() - 16); // framed by 16-byte sentinels
        }
        return new Found(version, modinfo, null, null, null);
    }

    /** Inflates the whole .dep-v0 stream, reading on from the stream as needed, bounded. */
    private static Found rust(Scanner s) throws IOException {
        Inflater inf = new Inflater();
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        byte[] out = new byte[1 << 16];
        try {
            inf.setInput(s.buf, s.start, s.end - s.start);
            while (!inf.finished()) {
                int n = inf.inflate(out);
                json.write(out, 0, n);
                if (json.size() > MAX_RUST_JSON) {
                    return new Found(null, null, null, null, "cargo-auditable data larger than " + MAX_RUST_JSON);
                }
                if (n == 0 && inf.needsInput()) {
                    byte[] more = s.in.readNBytes(1 << 16);
                    if (more.length == 0) {
                        return new Found(null, null, null, null, "cargo-auditable data is truncated");
                    }
                    inf.setInput(more);
                }
            }
            return new Found(null, null, null, json.toString(StandardCharsets.UTF_8), null);
        } catch (DataFormatException e) {
            return new Found(null, null, null, null, "cargo-auditable data is corrupt: " + e.getMessage());
        } finally {
            inf.end();
        }
    }

    /** A forward-only window over a stream, keeping enough overlap to see a whole signature at any offset. */
    private static final class Scanner {
        private final InputStream in;
        private final byte[] buf = new byte[1 << 16];
        private int start;
        private int end;
        private boolean eof;

        Scanner(InputStream in) {
            this.in = in;
        }

        /** Keeps the unscanned tail, reads more; false when nothing is left to scan. */
        boolean fill() throws IOException {
            int keep = end - start;
            System.arraycopy(buf, start, buf, 0, keep);
            start = 0;
            end = keep;
            while (!eof && end < buf.length) {
                int n = in.read(buf, end, buf.length - end);
                if (n < 0) {
                    eof = true;
                } else {
                    end += n;
                }
            }
            return end - start > 1 && (scanEnd() > start);
        }

        /** Where scanning stops in this window: signatures need their lookahead unless the stream has ended. */
        int scanEnd() {
            return eof ? end - 1 : Math.max(start, end - LOOKAHEAD);
        }

        boolean matches(int at, byte[] needle) {
            if (at + needle.length > end) {
                return false;
            }
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
                    return Arrays.copyOf(out, i);
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
