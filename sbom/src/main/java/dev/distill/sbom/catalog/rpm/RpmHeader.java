package dev.distill.sbom.catalog.rpm;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An rpm header blob as rpmdb stores it: big-endian index count and data length, index entries of (tag, type,
 * offset, count), then the data store. Only the types package metadata uses are decoded. Written here because no
 * maintained Java library reads rpm headers; the format is small and fixed (rpm's header.c, "Package header
 * format" in rpm's documentation).
 */
final class RpmHeader {
    static final int NAME = 1000;
    static final int VERSION = 1001;
    static final int RELEASE = 1002;
    static final int EPOCH = 1003;
    static final int SUMMARY = 1004;
    static final int VENDOR = 1011;
    static final int LICENSE = 1014;
    static final int PACKAGER = 1015;
    static final int URL = 1020;
    static final int ARCH = 1022;
    static final int FILEMODES = 1030;
    static final int FILEDIGESTS = 1035;
    static final int SOURCERPM = 1044;
    static final int PROVIDENAME = 1047;
    static final int REQUIRENAME = 1049;
    static final int DIRINDEXES = 1116;
    static final int BASENAMES = 1117;
    static final int DIRNAMES = 1118;
    static final int FILEDIGESTALGO = 5011;

    private static final int TYPE_INT16 = 3;
    private static final int TYPE_INT32 = 4;
    private static final int TYPE_STRING = 6;
    private static final int TYPE_STRING_ARRAY = 8;
    private static final int TYPE_I18NSTRING = 9;
    private static final int MAX_ENTRIES = 1 << 16;

    private final Map<Integer, Object> values = new HashMap<>();

    private RpmHeader() {
    }

    /** Parses a header blob; throws IllegalArgumentException when it is malformed. */
    static RpmHeader parse(byte[] blob) {
        try {
            ByteBuffer b = ByteBuffer.wrap(blob);
            int il = b.getInt();
            int dl = b.getInt();
            if (il < 0 || il > MAX_ENTRIES || dl < 0 || 8L + 16L * il + dl > blob.length) {
                throw new IllegalArgumentException("header sizes out of range (" + il + " entries, " + dl + " bytes)");
            }
            int dataStart = 8 + 16 * il;
            RpmHeader h = new RpmHeader();
            // Entries may overlap, so a small blob could make every entry decode the same data again: bound
            // the bytes decoded to a few times the data (a real header decodes each byte about once).
            long[] budget = {4L * dl + 16L * il + 4096};
            for (int i = 0; i < il; i++) {
                int tag = b.getInt(8 + 16 * i);
                int type = b.getInt(12 + 16 * i);
                int offset = b.getInt(16 + 16 * i);
                int count = b.getInt(20 + 16 * i);
                if (offset < 0 || offset >= dl && count > 0 || count < 0 || count > dl + 1) {
                    throw new IllegalArgumentException("entry " + i + " (tag " + tag + ") points outside the data");
                }
                Object v = read(blob, dataStart + offset, dataStart + dl, type, count, budget);
                if (v != null) {
                    h.values.putIfAbsent(tag, v);
                }
            }
            return h;
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated header", e);
        }
    }

    private static Object read(byte[] blob, int pos, int end, int type, int count, long[] budget) {
        switch (type) {
            case TYPE_INT32, TYPE_INT16 -> {
                int width = type == TYPE_INT32 ? 4 : 2;
                if (pos + (long) width * count > end) {
                    throw new IllegalArgumentException("integer array runs past the data");
                }
                spend(budget, (long) width * count);
                int[] out = new int[count];
                ByteBuffer b = ByteBuffer.wrap(blob);
                for (int i = 0; i < count; i++) {
                    out[i] = width == 4 ? b.getInt(pos + 4 * i) : b.getShort(pos + 2 * i) & 0xffff;
                }
                return out;
            }
            case TYPE_STRING, TYPE_STRING_ARRAY, TYPE_I18NSTRING -> {
                List<String> out = new ArrayList<>();
                int p = pos;
                int n = type == TYPE_STRING ? 1 : count;
                for (int i = 0; i < n; i++) {
                    int z = p;
                    while (z < end && blob[z] != 0) {
                        z++;
                    }
                    if (z >= end) {
                        throw new IllegalArgumentException("unterminated string");
                    }
                    spend(budget, z - p + 1L);
                    out.add(new String(blob, p, z - p, StandardCharsets.UTF_8));
                    p = z + 1;
                }
                return out;
            }
            default -> {
                return null; // binary and 8/64-bit types carry nothing we report
            }
        }
    }

    private static void spend(long[] budget, long bytes) {
        budget[0] -= bytes;
        if (budget[0] < 0) {
            throw new IllegalArgumentException("header entries decode the same data over and over");
        }
    }

    String string(int tag) {
        Object v = values.get(tag);
        return v instanceof List<?> l && !l.isEmpty() ? (String) l.get(0) : null;
    }

    @SuppressWarnings("unchecked")
    List<String> strings(int tag) {
        Object v = values.get(tag);
        return v instanceof List<?> l ? (List<String>) l : List.of();
    }

    int[] ints(int tag) {
        Object v = values.get(tag);
        return v instanceof int[] a ? a : new int[0];
    }

    Integer integer(int tag) {
        int[] a = ints(tag);
        return a.length == 0 ? null : a[0];
    }

    /** Absolute paths of the package's files: dirnames[dirindexes[i]] + basenames[i]. */
    List<String> files() {
        List<String> base = strings(BASENAMES);
        List<String> dirs = strings(DIRNAMES);
        int[] idx = ints(DIRINDEXES);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < base.size() && i < idx.length; i++) {
            if (idx[i] >= 0 && idx[i] < dirs.size()) {
                out.add(dirs.get(idx[i]) + base.get(i));
            }
        }
        return out;
    }
}
