package dev.distill.sbom.tree;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The bulk of a tree's entries, out of per-entry objects: the digests of files, SHA-256 then SHA-1 (52 bytes a
 * file), and the entries' names (one byte a character when every character fits in Latin-1), in large chunks: a
 * million-file tree saves two million arrays and strings, and the collector as many objects to copy. Appended to
 * while the tree is built by one thread (each layer decoded on a thread of its own has a pool of its own), only read
 * after. Chunks start small and grow, so that the pool of a small layer or a single entry is a few bytes, not MiB.
 *
 * <p>With a {@link DigestSpill}, each full-size digest chunk moves there once it is full: a tree keeps in memory
 * only the digests of its first 16,320 files and of the last 16,384 files of each pool, and an SBOM reads back the
 * few it lists, through a small cache of windows of the file.
 */
final class EntryPool {
    static final int SHA256 = 32;
    static final int SIZE = SHA256 + 20;
    private static final int SHIFT = 14; // 16,384 files, 832 KiB a full-size chunk
    private static final int MASK = (1 << SHIFT) - 1;
    private static final int FIRST_SHIFT = 6; // the first chunk holds 64 files
    private static final int FIRST = 1 << FIRST_SHIFT;
    /** Chunks 0 to GROWING - 1 double in size; the files before CAP_START are in them. */
    private static final int GROWING = SHIFT - FIRST_SHIFT;
    private static final int CAP_START = (1 << SHIFT) - FIRST;

    /** A name is at chunk {@code ref >>> NAME_SHIFT}, offset {@code ref & NAME_MASK}; a longer one has a chunk. */
    private static final int NAME_SHIFT = 20;
    private static final int NAME_MASK = (1 << NAME_SHIFT) - 1;
    private static final int FIRST_NAMES = 256;
    /** A name's header: its length, with this bit when it is stored two bytes a character. */
    private static final int WIDE = 0x8000;
    private static final int LONG = 0x7fff;

    /** Files a window of the spill file that is read back holds, and how many windows are kept. */
    private static final int WINDOW = 256;
    private static final int WINDOWS = 8;

    private final DigestSpill spill;
    private byte[][] chunks = new byte[1][];
    /** Where in the spill file each chunk is, once it has moved there (its entry in {@code chunks} is then null). */
    private long[] spilled;
    private int count;
    private byte[][] windows;
    private int[] windowStart;
    private byte[][] names = new byte[1][];
    private int nameChunk = -1;
    private int nameEnd;
    /** Wide entries' fields: uid, gid, layer and size, four longs an entry; and their link targets. */
    private long[] wideFields;
    private String[] links;
    private int wideCount;

    /** A pool that keeps every digest in memory. */
    EntryPool() {
        this(null);
    }

    /** A pool that moves its full-size digest chunks to {@code spill} (none when null). */
    EntryPool(DigestSpill spill) {
        this.spill = spill;
    }

    /** Stores the digests' results (which resets them) and returns where. */
    int add(MessageDigest sha256, MessageDigest sha1) {
        byte[] chunk = next();
        int off = slotOf(count) * SIZE;
        try {
            sha256.digest(chunk, off, SHA256);
            sha1.digest(chunk, off + SHA256, SIZE - SHA256);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        return added();
    }

    /** Copies digest {@code index} of {@code from} here and returns where. */
    int copy(EntryPool from, int index) {
        byte[] chunk = next();
        from.read(index, 0, chunk, slotOf(count) * SIZE, SIZE);
        return added();
    }

    /** Counts the digest just stored, and moves its chunk to the spill file when that filled it. */
    private int added() {
        int index = count++;
        int c = chunkOf(index);
        if (spill != null && c >= GROWING && slotOf(index) == MASK) {
            long at = spill.write(chunks[c]);
            if (at >= 0) {
                if (spilled == null || spilled.length < chunks.length) {
                    spilled = spilled == null ? new long[chunks.length] : Arrays.copyOf(spilled, chunks.length);
                }
                spilled[c] = at;
                chunks[c] = null;
            }
        }
        return index;
    }

    /** Copies {@code length} bytes from {@code from} of digest {@code index} to {@code into} at {@code at}. */
    private void read(int index, int from, byte[] into, int at, int length) {
        int c = chunkOf(index);
        byte[] chunk = chunks[c];
        if (chunk != null) {
            System.arraycopy(chunk, slotOf(index) * SIZE + from, into, at, length);
            return;
        }
        synchronized (this) {
            byte[] w = window(c, slotOf(index));
            System.arraycopy(w, (slotOf(index) % WINDOW) * SIZE + from, into, at, length);
        }
    }

    /** The window of spilled chunk {@code c} that holds slot {@code slot}, read from the spill file on a miss. */
    private byte[] window(int c, int slot) {
        if (windows == null) {
            windows = new byte[WINDOWS][WINDOW * SIZE];
            windowStart = new int[WINDOWS];
            Arrays.fill(windowStart, -1);
        }
        int first = c * (1 << SHIFT) + slot / WINDOW * WINDOW; // a number for the window, unique in this pool
        int w = (first / WINDOW) % WINDOWS;
        if (windowStart[w] != first) {
            windowStart[w] = -1;
            spill.read(spilled[c] + (long) (slot / WINDOW * WINDOW) * SIZE, windows[w], WINDOW * SIZE);
            windowStart[w] = first;
        }
        return windows[w];
    }

    private byte[] next() {
        int c = chunkOf(count);
        if (c == chunks.length) {
            chunks = Arrays.copyOf(chunks, c * 2);
        }
        if (chunks[c] == null) {
            chunks[c] = new byte[SIZE * (c < GROWING ? FIRST << c : 1 << SHIFT)];
        }
        return chunks[c];
    }

    private static int chunkOf(int index) {
        if (index < CAP_START) {
            return 31 - Integer.numberOfLeadingZeros(index + FIRST) - FIRST_SHIFT;
        }
        return GROWING + ((index - CAP_START) >>> SHIFT);
    }

    /** Where in its chunk digest {@code index} is, in files. */
    private static int slotOf(int index) {
        if (index < CAP_START) {
            int i = index + FIRST;
            return i - Integer.highestOneBit(i);
        }
        return (index - CAP_START) & MASK;
    }

    /** {@code length} bytes from {@code from} of digest {@code index}, as hex. */
    String hex(int index, int from, int length) {
        byte[] chunk = chunks[chunkOf(index)];
        if (chunk == null) {
            return HexFormat.of().formatHex(copy(index, from, length));
        }
        int off = slotOf(index) * SIZE + from;
        return HexFormat.of().formatHex(chunk, off, off + length);
    }

    /** {@code length} bytes from {@code from} of digest {@code index}. */
    byte[] copy(int index, int from, int length) {
        byte[] out = new byte[length];
        read(index, from, out, 0, length);
        return out;
    }

    /** Stores the characters {@code from} to the end of {@code s} as a name and returns where. */
    int addName(String s, int from) {
        int length = s.length() - from;
        boolean wide = false;
        for (int i = from; i < s.length() && !wide; i++) {
            wide = s.charAt(i) > 0xff;
        }
        int header = length >= LONG ? 6 : 2;
        int bytes = header + (wide ? 2 * length : length);
        if (nameChunk < 0 || nameEnd + bytes > names[nameChunk].length) {
            int size = nameChunk < 0 ? FIRST_NAMES : Math.min(names[nameChunk].length * 2, 1 << NAME_SHIFT);
            nameChunk++;
            if (nameChunk == names.length) {
                names = Arrays.copyOf(names, nameChunk * 2);
            }
            names[nameChunk] = new byte[Math.max(size, bytes)];
            nameEnd = 0;
        }
        if (nameChunk >= 1 << (31 - NAME_SHIFT)) {
            throw new IllegalStateException("too many entry names for one pool");
        }
        byte[] b = names[nameChunk];
        int ref = nameChunk << NAME_SHIFT | nameEnd;
        int at = nameEnd;
        int h = (wide ? WIDE : 0) | Math.min(length, LONG);
        b[at++] = (byte) (h >>> 8);
        b[at++] = (byte) h;
        if (length >= LONG) {
            b[at++] = (byte) (length >>> 24);
            b[at++] = (byte) (length >>> 16);
            b[at++] = (byte) (length >>> 8);
            b[at++] = (byte) length;
        }
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (wide) {
                b[at++] = (byte) (c >>> 8);
            }
            b[at++] = (byte) c;
        }
        // a name longer than what is left of a full-size chunk has a chunk of its own, the next starts anew
        nameEnd = at > NAME_MASK ? b.length : at;
        return ref;
    }

    private byte[] nameChunk(int ref) {
        return names[ref >>> NAME_SHIFT];
    }

    private static int header(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | b[at + 1] & 0xff;
    }

    private static int length(byte[] b, int at) {
        int h = header(b, at) & ~WIDE;
        return h < LONG ? h : (b[at + 2] & 0xff) << 24 | (b[at + 3] & 0xff) << 16 | (b[at + 4] & 0xff) << 8
                | b[at + 5] & 0xff;
    }

    private static int start(byte[] b, int at) {
        return at + ((header(b, at) & ~WIDE) < LONG ? 2 : 6);
    }

    private static char charAt(byte[] b, int start, boolean wide, int i) {
        return wide ? (char) ((b[start + 2 * i] & 0xff) << 8 | b[start + 2 * i + 1] & 0xff)
                : (char) (b[start + i] & 0xff);
    }

    /** The name stored at {@code ref}. */
    String name(int ref) {
        byte[] b = nameChunk(ref);
        int at = ref & NAME_MASK;
        int length = length(b, at);
        int start = start(b, at);
        if ((header(b, at) & WIDE) == 0) {
            return new String(b, start, length, StandardCharsets.ISO_8859_1);
        }
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = charAt(b, start, true, i);
        }
        return new String(chars);
    }

    /**
     * Compares the name at {@code ref} with the characters {@code from} to {@code to} of {@code s}, followed by a
     * '/' when {@code slash}, as {@link String#compareTo} would compare them as strings.
     */
    int compare(int ref, String s, int from, int to, boolean slash) {
        byte[] b = nameChunk(ref);
        int at = ref & NAME_MASK;
        int length = length(b, at);
        int start = start(b, at);
        boolean wide = (header(b, at) & WIDE) != 0;
        int other = to - from + (slash ? 1 : 0);
        int n = Math.min(length, other);
        for (int i = 0; i < n; i++) {
            char c = charAt(b, start, wide, i);
            char d = from + i < to ? s.charAt(from + i) : '/';
            if (c != d) {
                return c - d;
            }
        }
        return length - other;
    }

    /** Compares the name at {@code ref} with the name at {@code otherRef} of {@code other}, as strings. */
    int compare(int ref, EntryPool other, int otherRef) {
        byte[] b = nameChunk(ref);
        int at = ref & NAME_MASK;
        byte[] ob = other.nameChunk(otherRef);
        int oat = otherRef & NAME_MASK;
        int length = length(b, at);
        int olength = length(ob, oat);
        int start = start(b, at);
        int ostart = start(ob, oat);
        boolean wide = (header(b, at) & WIDE) != 0;
        boolean owide = (header(ob, oat) & WIDE) != 0;
        int n = Math.min(length, olength);
        for (int i = 0; i < n; i++) {
            char c = charAt(b, start, wide, i);
            char d = charAt(ob, ostart, owide, i);
            if (c != d) {
                return c - d;
            }
        }
        return length - olength;
    }

    /**
     * Stores the fields of an entry that do not fit in its own (a uid, gid, layer or size too large, or a link's
     * target) and returns where.
     */
    int addWide(long uid, long gid, int layer, long size, String linkTarget) {
        if (wideFields == null) {
            wideFields = new long[4 * 4];
            links = new String[4];
        } else if (4 * wideCount + 4 > wideFields.length) {
            wideFields = Arrays.copyOf(wideFields, wideFields.length * 2);
            links = Arrays.copyOf(links, links.length * 2);
        }
        wideFields[4 * wideCount] = uid;
        wideFields[4 * wideCount + 1] = gid;
        wideFields[4 * wideCount + 2] = layer;
        wideFields[4 * wideCount + 3] = size;
        links[wideCount] = linkTarget;
        return wideCount++;
    }

    long uid(int index) {
        return wideFields[4 * index];
    }

    long gid(int index) {
        return wideFields[4 * index + 1];
    }

    long size(int index) {
        return wideFields[4 * index + 3];
    }

    String linkTarget(int index) {
        return links[index];
    }

    int layer(int index) {
        return (int) wideFields[4 * index + 2];
    }
}
