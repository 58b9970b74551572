package dev.distill.oci.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Tar records written byte by byte, for tests that need what no tar writer makes on purpose: odd type flags, pax
 * records of any content, sparse maps, broken checksums and fields.
 */
public final class RawTar {
    private RawTar() {
    }

    /** One ustar header (mode 0644, owner 0) and its content padded to a block, the checksum right. */
    public static byte[] record(String name, char flag, String content) {
        return record(name, flag, content, "");
    }

    /** As {@link #record(String, char, String)}, with a link target in the header. */
    public static byte[] record(String name, char flag, String content, String link) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[512 + (data.length + 511) / 512 * 512];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, out, 0, n.length);
        put(out, 100, "0000644");
        put(out, 108, "0000000");
        put(out, 116, "0000000");
        put(out, 124, String.format("%011o", data.length));
        put(out, 136, "00000000000");
        out[156] = (byte) flag;
        put(out, 157, link);
        put(out, 257, "ustar");
        put(out, 263, "00");
        System.arraycopy(data, 0, out, 512, data.length);
        fixChecksum(out);
        return out;
    }

    /** Writes ASCII text into a header at {@code at}. */
    public static void put(byte[] b, int at, String s) {
        byte[] v = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(v, 0, b, at, v.length);
    }

    /** Sets the checksum of the header that opens {@code tar} from its other bytes. */
    public static void fixChecksum(byte[] tar) {
        Arrays.fill(tar, 148, 156, (byte) ' ');
        int sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += tar[i] & 0xff;
        }
        put(tar, 148, String.format("%06o", sum));
        tar[154] = 0;
    }

    /** One pax record, "LENGTH KEY=VALUE\n", its length counting itself. */
    public static String pax(String key, String value) {
        String body = " " + key + "=" + value + "\n";
        int len = body.getBytes(StandardCharsets.UTF_8).length;
        int digits = String.valueOf(len).length();
        if (String.valueOf(len + digits).length() != digits) {
            digits++;
        }
        return (len + digits) + body;
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
