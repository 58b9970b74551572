package dev.distill.sbom.tree;

import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The digests of a tree's files, SHA-256 then SHA-1 (52 bytes a file), in large chunks rather than in an array per
 * file: a million-file tree saves a million array headers, and the collector a million objects to copy. Appended
 * to while the tree is built (by one thread: each layer decoded on a thread of its own has a pool of its own), only
 * read after. Chunks grow from 64 files to 16,384 and then stay at that size, so that the pool of a small layer is a
 * few KiB, not 832.
 */
final class DigestPool {
    static final int SHA256 = 32;
    static final int SIZE = SHA256 + 20;
    private static final int SHIFT = 14; // 16,384 files, 832 KiB a full-size chunk
    private static final int MASK = (1 << SHIFT) - 1;
    private static final int FIRST_SHIFT = 6; // the first chunk holds 64 files
    private static final int FIRST = 1 << FIRST_SHIFT;
    /** Chunks 0 to GROWING - 1 double in size; the files before CAP_START are in them. */
    private static final int GROWING = SHIFT - FIRST_SHIFT;
    private static final int CAP_START = (1 << SHIFT) - FIRST;

    private byte[][] chunks = new byte[8][];
    private int count;

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
        return count++;
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
        int off = slotOf(index) * SIZE + from;
        return HexFormat.of().formatHex(chunks[chunkOf(index)], off, off + length);
    }

    /** {@code length} bytes from {@code from} of digest {@code index}. */
    byte[] copy(int index, int from, int length) {
        int off = slotOf(index) * SIZE + from;
        return Arrays.copyOfRange(chunks[chunkOf(index)], off, off + length);
    }
}
