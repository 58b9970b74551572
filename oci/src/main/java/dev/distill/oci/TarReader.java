package dev.distill.oci;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the entries of a layer's tar stream, one pass, nothing extracted: ustar, GNU (long names and links, old
 * sparse files) and pax (extended headers, the three GNU sparse formats).
 *
 * <p>Where formats leave room, it reads an archive as Go's {@code archive/tar} does, because that is what docker,
 * containerd and most image builders use, so that an SBOM lists the files a container gets: a GNU long name or link
 * wins over a pax {@code path} or {@code linkpath}; global pax headers ({@code 'g'}) are read and then ignored, as
 * docker and containerd ignore them, and they end any extended header pending before them; only a header of type
 * {@code '\0'} whose name ends in '/' is a directory; pax sparse files are recognised by the same records.
 *
 * <p>Written by hand, not taken from commons-compress, for speed on images of many small files. Its tar reader
 * allocates two 8 KiB skip buffers per entry (commons-io's {@code IOUtils.skip}, with no way to pass one), a header
 * map and list, and a full entry object with dates and owner names; on the benchmark image of a million files that
 * was half the reading thread's time and gigabytes of garbage. This reader reuses one buffer and parses only the
 * fields an SBOM uses. It is held to commons-compress's reading of the same archives in {@code TarReaderTest}.
 *
 * <p>It is stricter than most readers, as a verifier should be: header checksums are checked, a stream that ends
 * inside a header or an entry is an error (a clean end at a header boundary is an end, like a missing end-of-archive
 * marker), as are malformed numbers, pax records and sparse maps. Errors are {@link IOException}s whose message
 * says what was wrong; the caller names the layer.
 */
public final class TarReader {
    /** What an entry is. */
    public enum Kind { FILE, HARDLINK, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, DIRECTORY, FIFO, OTHER }

    /**
     * One entry's header, extended headers applied.
     *
     * @param name the name as written (pax path, GNU long name, or ustar prefix and name)
     * @param size the content's size: for a sparse file the size with its holes
     * @param linkName a link's target, else ""
     * @param sparse whether it is a sparse file: its content, holes read as zeros, can be far larger than the bytes
     *     the archive holds, so a reader that reads it all should count its size against its own limits
     */
    public record Entry(String name, Kind kind, int mode, long uid, long gid, long size, String linkName,
                        boolean sparse) {
    }

    private static final int BLOCK = 512;
    /** Bound on extended headers and long names (as Go's archive/tar): they are held in memory. */
    private static final int MAX_SPECIAL = 1 << 20;
    /** Bound on the segments of one sparse file. */
    private static final int MAX_SPARSE_SEGMENTS = 1 << 20;

    private final InputStream in;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private final byte[] header = new byte[BLOCK];
    private final Content content = new Content();
    private boolean done;
    private Entry current;
    /** Stored bytes of the current entry not yet consumed, and the padding after them. */
    private long remaining;
    private long padding;
    /** The current entry's sparse map (offset, length pairs), or null. */
    private long[] sparse;
    private int sparseCount;
    private long logicalPos;
    private int segment;

    public TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. The previous entry's unread content is skipped. */
    public Entry next() throws IOException {
        if (done) {
            return null;
        }
        skipStored(remaining); // apart: a size near 2^63 plus its padding would overflow
        skipStored(padding);
        remaining = 0;
        padding = 0;
        sparse = null;
        current = null;
        Map<String, String> pax = null;
        long[] paxSparse = null;
        String longName = null;
        String longLink = null;
        boolean special = false;
        while (true) {
            int n = read(header, BLOCK);
            if (n == 0 || n == BLOCK && isZero(header)) {
                if (special) {
                    throw new IOException("the tar archive ends after an extended header, without its entry");
                }
                done = true;
                return null;
            }
            if (n < BLOCK) {
                throw new IOException("the stream ends inside a tar header");
            }
            checkSum();
            byte flag = header[156];
            long size = number(124, 12, "size");
            if (flag == 'x' || flag == 'g' || flag == 'L' || flag == 'K') {
                byte[] data = readSpecial(size, flag);
                special = true;
                switch (flag) {
                    case 'x' -> {
                        pax = new HashMap<>();
                        paxSparse = parsePax(data, pax);
                    }
                    case 'g' -> {
                        // checked, then ignored like docker and containerd do; it ends what was pending (as in Go)
                        parsePax(data, new HashMap<>());
                        pax = null;
                        paxSparse = null;
                        longName = null;
                        longLink = null;
                        special = false;
                    }
                    case 'L' -> longName = cString(data, 0, data.length);
                    default -> longLink = cString(data, 0, data.length);
                }
                continue;
            }
            return current = entry(flag, size, pax, paxSparse, longName, longLink);
        }
    }

    /**
     * The current entry's content (holes of a sparse file read as zeros). The same stream serves every entry; it
     * reads nothing once the reader has moved on, and closing it does nothing.
     */
    public InputStream content() {
        return content;
    }

    private Entry entry(byte flag, long size, Map<String, String> pax, long[] paxSparse, String longName,
                        String longLink) throws IOException {
        Map<String, String> ext = pax == null ? Map.of() : pax;
        String name = longName != null ? longName : ext.getOrDefault("path", ustarName());
        String linkName = longLink != null ? longLink : ext.getOrDefault("linkpath", cString(header, 157, 100));
        size = paxNumber(ext, "size", size);
        long uid = paxNumber(ext, "uid", number(108, 8, "uid"));
        long gid = paxNumber(ext, "gid", number(116, 8, "gid"));
        int mode = (int) (number(100, 8, "mode") & 07777);
        boolean headerOnly = flag >= '1' && flag <= '6';
        remaining = headerOnly ? 0 : size;
        padding = headerOnly ? 0 : -size & (BLOCK - 1);
        long logicalSize = remaining;
        String sparseVersion = headerOnly ? null : paxSparseVersion(ext, paxSparse);
        if (flag == 'S') {
            logicalSize = oldGnuSparse();
        } else if (sparseVersion != null) {
            String sparseName = ext.get("GNU.sparse.name");
            if (sparseName != null) {
                name = sparseName;
            }
            logicalSize = paxSparse(ext, sparseVersion, paxSparse);
        }
        Kind kind = kindOf(flag, name);
        if (kind != Kind.FILE) {
            sparse = null;
        }
        logicalPos = 0;
        segment = 0;
        return new Entry(name, kind, mode, uid, gid, kind == Kind.FILE ? logicalSize : size, linkName,
                sparse != null);
    }

    /**
     * Unknown type flags read as regular files, as POSIX asks. An old-style header (type '\0') whose name ends in
     * '/' is a directory; with any other type the slash is just dropped (as Go, docker and containerd do).
     */
    private static Kind kindOf(byte flag, String name) {
        return switch (flag) {
            case '1' -> Kind.HARDLINK;
            case '2' -> Kind.SYMLINK;
            case '3' -> Kind.CHAR_DEVICE;
            case '4' -> Kind.BLOCK_DEVICE;
            case '5', 'D' -> Kind.DIRECTORY;
            case '6' -> Kind.FIFO;
            case 'V', 'M' -> Kind.OTHER; // a volume label; the continuation of a file from another volume
            case 0 -> name.endsWith("/") ? Kind.DIRECTORY : Kind.FILE;
            default -> Kind.FILE;
        };
    }

    /** The name of a plain header: ustar's prefix and name, or the name alone (GNU and v7 headers). */
    private String ustarName() {
        String name = cString(header, 0, 100);
        boolean ustar = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
                && header[261] == 'r' && header[262] == 0;
        if (!ustar) {
            return name;
        }
        boolean star = header[508] == 't' && header[509] == 'a' && header[510] == 'r' && header[511] == 0;
        String prefix = cString(header, 345, star ? 131 : 155);
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    // ---- sparse files

    /**
     * Which GNU pax sparse format an entry's records declare, as Go tells them: "0.x" (a map in the records) or "1.0"
     * (a map before the data); null when it is not sparse, an unknown version included.
     */
    private static String paxSparseVersion(Map<String, String> ext, long[] offsetsAndLengths) {
        String major = ext.getOrDefault("GNU.sparse.major", "");
        String minor = ext.getOrDefault("GNU.sparse.minor", "");
        if (major.equals("0") && (minor.equals("0") || minor.equals("1"))) {
            return "0.x";
        }
        if (major.equals("1") && minor.equals("0")) {
            return "1.0";
        }
        if (!major.isEmpty() || !minor.isEmpty()) {
            return null;
        }
        return ext.containsKey("GNU.sparse.map") || offsetsAndLengths != null ? "0.x" : null;
    }

    /** Old GNU sparse: four segments in the header, more in extension blocks; returns the size with holes. */
    private long oldGnuSparse() throws IOException {
        sparse = new long[16];
        sparseCount = 0;
        readSegments(header, 386, 4);
        boolean extended = header[482] != 0;
        long real = number(483, 12, "real size");
        byte[] block = new byte[BLOCK];
        while (extended) {
            if (read(block, BLOCK) != BLOCK) {
                throw new IOException("the stream ends inside a sparse file's map");
            }
            readSegments(block, 0, 21);
            extended = block[504] != 0;
        }
        checkSparse(real);
        return real;
    }

    /** Reads up to {@code max} old GNU segments, stopping at an empty one (the extension flag says if more follow). */
    private void readSegments(byte[] b, int off, int max) throws IOException {
        for (int i = 0; i < max; i++) {
            int at = off + i * 24;
            if (b[at] == 0) {
                return;
            }
            addSegment(number(b, at, 12, "sparse offset"), number(b, at + 12, 12, "sparse length"));
        }
    }

    /** GNU's pax sparse formats 0.0, 0.1 and 1.0 ({@code version} "0.x" or "1.0"); returns the size with holes. */
    private long paxSparse(Map<String, String> ext, String version, long[] offsetsAndLengths) throws IOException {
        sparse = new long[16];
        sparseCount = 0;
        String realKey = ext.containsKey("GNU.sparse.size") ? "GNU.sparse.size" : "GNU.sparse.realsize";
        long real = paxNumber(ext, realKey, -1);
        if (real < 0) {
            throw new IOException("a sparse file's pax header has no real size");
        }
        if (version.equals("1.0")) {
            readSparseMapV1();
        } else if (ext.containsKey("GNU.sparse.map")) {
            String map = ext.get("GNU.sparse.map");
            String[] parts = map.isEmpty() ? new String[0] : map.split(",", -1);
            if (parts.length % 2 != 0) {
                throw new IOException("a sparse map has an odd number of values");
            }
            for (int i = 0; i < parts.length; i += 2) {
                addSegment(decimal(parts[i], "sparse offset"), decimal(parts[i + 1], "sparse length"));
            }
        } else if (offsetsAndLengths != null) {
            if (offsetsAndLengths.length % 2 != 0) {
                throw new IOException("a sparse map has an offset without a length");
            }
            for (int i = 0; i < offsetsAndLengths.length; i += 2) {
                addSegment(offsetsAndLengths[i], offsetsAndLengths[i + 1]);
            }
        }
        checkSparse(real);
        return real;
    }

    /** Format 1.0: the map opens the stored data, in decimal lines, padded to a block. */
    private void readSparseMapV1() throws IOException {
        long count = -1;
        long pending = -1;
        StringBuilder digits = new StringBuilder();
        long consumed = 0;
        while (count < 0 || sparseCount * 2L + (pending >= 0 ? 1 : 0) < count * 2) {
            int c = readStoredByte();
            consumed++;
            if (c != '\n') {
                if (c < '0' || c > '9' || digits.length() >= 19) {
                    throw new IOException("a sparse file's map is malformed");
                }
                digits.append((char) c);
                continue;
            }
            long v = decimal(digits.toString(), "sparse map value");
            digits.setLength(0);
            if (count < 0) {
                if (v > MAX_SPARSE_SEGMENTS) {
                    throw new IOException("a sparse file of more than " + MAX_SPARSE_SEGMENTS + " segments");
                }
                count = v;
            } else if (pending < 0) {
                pending = v;
            } else {
                addSegment(pending, v);
                pending = -1;
            }
        }
        long pad = -consumed & (BLOCK - 1);
        if (pad > remaining) {
            throw new IOException("the stream ends inside a sparse file's map");
        }
        if (!skip(pad)) {
            throw new IOException("the stream ends inside a sparse file's map");
        }
        remaining -= pad;
    }

    private int readStoredByte() throws IOException {
        if (remaining <= 0) {
            throw new IOException("a sparse file's map runs past its entry");
        }
        if (pos == limit && !fill()) {
            throw new IOException("the stream ends inside a sparse file's map");
        }
        remaining--;
        return buf[pos++] & 0xff;
    }

    private void addSegment(long offset, long length) throws IOException {
        if (offset < 0 || length < 0 || offset > Long.MAX_VALUE - length) {
            throw new IOException("a sparse file's map has an invalid segment");
        }
        if (sparseCount == MAX_SPARSE_SEGMENTS) {
            throw new IOException("a sparse file of more than " + MAX_SPARSE_SEGMENTS + " segments");
        }
        if (sparseCount * 2 == sparse.length) {
            sparse = Arrays.copyOf(sparse, sparse.length * 2);
        }
        sparse[sparseCount * 2] = offset;
        sparse[sparseCount * 2 + 1] = length;
        sparseCount++;
    }

    /** Segments in order, apart, within the file, and exactly as many stored bytes as the entry holds. */
    private void checkSparse(long real) throws IOException {
        long end = 0;
        long stored = 0;
        for (int i = 0; i < sparseCount; i++) {
            long offset = sparse[i * 2];
            long length = sparse[i * 2 + 1];
            if (offset < end || offset + length > real) {
                throw new IOException("a sparse file's map has overlapping or out-of-range segments");
            }
            end = offset + length;
            stored += length;
        }
        if (stored != remaining) {
            throw new IOException("a sparse file's map describes " + stored + " stored bytes, the entry holds "
                    + remaining);
        }
    }

    // ---- extended headers

    private byte[] readSpecial(long size, byte flag) throws IOException {
        if (size > MAX_SPECIAL) {
            throw new IOException("an extended header ('" + (char) flag + "') of " + size + " bytes, over the limit of "
                    + MAX_SPECIAL);
        }
        byte[] data = new byte[(int) size];
        if (read(data, data.length) != data.length || !skip(-size & (BLOCK - 1))) {
            throw new IOException("the stream ends inside an extended header");
        }
        return data;
    }

    /**
     * Parses pax records ("LENGTH KEY=VALUE\n") into {@code into}; an empty value unsets a key. Returns the repeated
     * offset and length records of GNU sparse format 0.0, in order, or null.
     */
    private static long[] parsePax(byte[] data, Map<String, String> into) throws IOException {
        long[] pairs = null;
        int count = 0;
        int at = 0;
        while (at < data.length) {
            int space = at;
            long length = 0;
            while (space < data.length && data[space] >= '0' && data[space] <= '9' && space - at < 9) {
                length = length * 10 + (data[space] - '0');
                space++;
            }
            if (space == at || space >= data.length || data[space] != ' ' || length <= space - at + 1
                    || at + length > data.length || data[(int) (at + length - 1)] != '\n') {
                throw new IOException("a pax extended header has a malformed record");
            }
            int end = (int) (at + length - 1);
            int eq = space + 1;
            while (eq < end && data[eq] != '=') {
                eq++;
            }
            if (eq == end || eq == space + 1) {
                throw new IOException("a pax extended header has a record without a key");
            }
            String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
            String value = new String(data, eq + 1, end - eq - 1, StandardCharsets.UTF_8);
            if (key.equals("GNU.sparse.offset") || key.equals("GNU.sparse.numbytes")) {
                if (pairs == null) {
                    pairs = new long[16];
                }
                if (count == pairs.length) {
                    if (count >= MAX_SPARSE_SEGMENTS * 2) {
                        throw new IOException("a sparse file of more than " + MAX_SPARSE_SEGMENTS + " segments");
                    }
                    pairs = Arrays.copyOf(pairs, count * 2);
                }
                if (count % 2 != (key.equals("GNU.sparse.offset") ? 0 : 1)) {
                    throw new IOException("a pax sparse map does not alternate offsets and lengths");
                }
                pairs[count++] = decimal(value, key);
            } else if (value.isEmpty()) {
                into.remove(key);
            } else {
                into.put(key, value);
            }
            at = end + 1;
        }
        return pairs == null ? null : Arrays.copyOf(pairs, count);
    }

    private static long paxNumber(Map<String, String> ext, String key, long otherwise) throws IOException {
        String v = ext.get(key);
        return v == null ? otherwise : decimal(v, "pax " + key);
    }

    private static long decimal(String s, String what) throws IOException {
        if (s.isEmpty() || s.length() > 18) {
            throw new IOException("the " + what + " value '" + s + "' is not a number");
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new IOException("the " + what + " value '" + s + "' is not a number");
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    // ---- header fields

    private void checkSum() throws IOException {
        // the sum of the header's bytes with the checksum field read as spaces, unsigned or (old tars) signed; ints
        // suffice (512 bytes of at most 255) and let the compiler vectorise the loop
        int unsigned = 0;
        int signed = 0;
        for (byte b : header) {
            unsigned += b & 0xff;
            signed += b;
        }
        for (int i = 148; i < 156; i++) {
            unsigned += ' ' - (header[i] & 0xff);
            signed += ' ' - header[i];
        }
        long stored = number(148, 8, "checksum");
        if (stored != unsigned && stored != signed) {
            throw new IOException("a tar header's checksum does not match");
        }
    }

    private long number(int off, int len, String what) throws IOException {
        return number(header, off, len, what);
    }

    /**
     * A numeric field: octal digits between optional spaces and NULs, or GNU's base-256 (the first byte's top bit
     * set). Negative and overflowing values are errors.
     */
    private static long number(byte[] b, int off, int len, String what) throws IOException {
        int end = off + len;
        if ((b[off] & 0x80) != 0) {
            if ((b[off] & 0x40) != 0) {
                throw new IOException("the " + what + " field of a tar header is negative");
            }
            long v = b[off] & 0x3f;
            for (int i = off + 1; i < end; i++) {
                if (v >>> 55 != 0) {
                    throw new IOException("the " + what + " field of a tar header overflows");
                }
                v = v << 8 | (b[i] & 0xff);
            }
            return v;
        }
        int i = off;
        while (i < end && (b[i] == ' ' || b[i] == 0)) {
            i++;
        }
        long v = 0;
        while (i < end && b[i] >= '0' && b[i] <= '7') {
            if (v >>> 60 != 0) {
                throw new IOException("the " + what + " field of a tar header overflows");
            }
            v = v << 3 | (b[i] - '0');
            i++;
        }
        while (i < end && (b[i] == ' ' || b[i] == 0)) {
            i++;
        }
        if (i != end) {
            throw new IOException("the " + what + " field of a tar header is not an octal number");
        }
        return v;
    }

    /** Text up to the first NUL, as UTF-8. */
    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    // ---- the underlying stream

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            if (n == 0) {
                throw new IOException("the layer stream returned no bytes");
            }
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    /** Reads {@code len} bytes into {@code into}; fewer (0 at a clean end) when the stream ends first. */
    private int read(byte[] into, int len) throws IOException {
        int at = 0;
        while (at < len) {
            if (pos == limit && !fill()) {
                return at;
            }
            int k = Math.min(limit - pos, len - at);
            System.arraycopy(buf, pos, into, at, k);
            pos += k;
            at += k;
        }
        return at;
    }

    /** Skips {@code n} bytes; false when the stream ends first. */
    private boolean skip(long n) throws IOException {
        while (n > 0) {
            if (pos == limit && !fill()) {
                return false;
            }
            int k = (int) Math.min(limit - pos, n);
            pos += k;
            n -= k;
        }
        return true;
    }

    /** Skips what is left of the current entry's stored bytes or padding. */
    private void skipStored(long n) throws IOException {
        if (!skip(n)) {
            throw new IOException("the stream ends inside the entry '" + (current == null ? "" : current.name())
                    + "'");
        }
    }

    /** Reads stored bytes of the current entry. */
    private int readStored(byte[] b, int off, int len) throws IOException {
        if (pos == limit && !fill()) {
            throw new IOException("the stream ends inside the entry '" + current.name() + "'");
        }
        int k = (int) Math.min(Math.min(limit - pos, len), remaining);
        System.arraycopy(buf, pos, b, off, k);
        pos += k;
        remaining -= k;
        return k;
    }

    private final class Content extends InputStream {
        @Override
        public int read() throws IOException {
            return Streams.readOne(this);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (current == null || current.kind() != Kind.FILE) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            if (sparse == null) {
                return remaining == 0 ? -1 : readStored(b, off, len);
            }
            return readSparse(b, off, len);
        }

        private int readSparse(byte[] b, int off, int len) throws IOException {
            long size = current.size();
            if (logicalPos >= size) {
                return -1;
            }
            while (segment < sparseCount && logicalPos >= sparse[segment * 2] + sparse[segment * 2 + 1]) {
                segment++;
            }
            int n;
            if (segment < sparseCount && logicalPos >= sparse[segment * 2]) {
                long left = sparse[segment * 2] + sparse[segment * 2 + 1] - logicalPos;
                n = readStored(b, off, (int) Math.min(len, left));
            } else {
                long holeEnd = segment < sparseCount ? sparse[segment * 2] : size;
                n = (int) Math.min(len, holeEnd - logicalPos);
                Arrays.fill(b, off, off + n, (byte) 0);
            }
            logicalPos += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            return Streams.skipByReading(this, n);
        }

        @Override
        public void close() {
            // the archive's stream is closed by its owner
        }
    }
}
