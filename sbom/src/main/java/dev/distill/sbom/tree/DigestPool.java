package dev.distill.sbom.tree;

import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The digests of a tree's files, SHA-256 then SHA-1 (52 bytes a file), in large chunks rather than in an array per
 * file: a million-file tree saves a million array headers, and the collector a million objects to copy. Appended
 * to while the tree is built (by one thread), only read after.
 */
final class DigestPool {
    static final int SHA256 = 32;
    static final int SIZE = SHA256 + 20;
    private static final int SHIFT = 14; // 16,384 files, 832 KiB a chunk
    private static final int MASK = (1 << SHIFT) - 1;

    private byte[][] chunks = new byte[8][];
    private int count;

    /** Stores the digests' results (which resets them) and returns where. */
    int add(MessageDigest sha256, MessageDigest sha1) {
        byte[] chunk = next();
        int off = (count & MASK) * SIZE;
        try {
            sha256.digest(chunk, off, SHA256);
            sha1.digest(chunk, off + SHA256, SIZE - SHA256);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        return count++;
    }

    private byte[] next() {
        int c = count >>> SHIFT;
        if (c == chunks.length) {
            chunks = Arrays.copyOf(chunks, c * 2);
        }
        if (chunks[c] == null) {
            chunks[c] = new byte[SIZE << SHIFT];
        }
        return chunks[c];
    }

    /** {@code length} bytes from {@code from} of digest {@code index}, as hex. */
    String hex(int index, int from, int length) {
        return HexFormat.of().formatHex(chunks[index >>> SHIFT], (index & MASK) * SIZE + from,
                (index & MASK) * SIZE + from + length);
    }

    /** {@code length} bytes from {@code from} of digest {@code index}. */
    byte[] copy(int index, int from, int length) {
        int off = (index & MASK) * SIZE + from;
        return Arrays.copyOfRange(chunks[index >>> SHIFT], off, off + length);
    }
}
