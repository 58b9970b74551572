package dev.distill.sbom.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Digests read back from a pool are the ones stored, whether their chunk is in memory or moved to the spill file. */
class EntryPoolTest {
    /** More than the growing chunks and three full-size ones: 16,320 + 3 × 16,384 files, and a partial chunk. */
    private static final int FILES = 16_320 + 3 * 16_384 + 1_000;

    private static MessageDigest md(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] content(int i) {
        return ("file " + i).getBytes(StandardCharsets.UTF_8);
    }

    private static EntryPool fill(EntryPool pool) {
        MessageDigest sha256 = md("SHA-256");
        MessageDigest sha1 = md("SHA-1");
        for (int i = 0; i < FILES; i++) {
            sha256.update(content(i));
            sha1.update(content(i));
            assertEquals(i, pool.add(sha256, sha1));
        }
        return pool;
    }

    private static void assertDigests(EntryPool pool, int index, int of) {
        byte[] sha256 = md("SHA-256").digest(content(of));
        byte[] sha1 = md("SHA-1").digest(content(of));
        assertEquals(HexFormat.of().formatHex(sha256), pool.hex(index, 0, EntryPool.SHA256), "file " + of);
        assertEquals(HexFormat.of().formatHex(sha1), pool.hex(index, EntryPool.SHA256, 20), "file " + of);
        assertArrayEquals(sha256, pool.copy(index, 0, EntryPool.SHA256), "file " + of);
        assertArrayEquals(sha1, pool.copy(index, EntryPool.SHA256, 20), "file " + of);
    }

    @Test
    void fullChunksMoveToTheSpillFileAndReadBackInAnyOrder() {
        try (DigestSpill spill = new DigestSpill()) {
            EntryPool pool = fill(new EntryPool(spill));
            assertEquals(3L * 16_384 * EntryPool.SIZE, spill.size(), "three full-size chunks on disk");
            for (int i = 0; i < FILES; i++) {
                assertDigests(pool, i, i);
            }
            Random random = new Random(21);
            for (int n = 0; n < 20_000; n++) {
                int i = random.nextInt(FILES);
                assertDigests(pool, i, i);
            }
        }
    }

    @Test
    void digestsCopiedOutOfASpilledChunkAreTheOriginals() {
        try (DigestSpill spill = new DigestSpill()) {
            EntryPool from = fill(new EntryPool(spill));
            EntryPool to = new EntryPool(spill);
            // the files of the three full-size chunks, last first, and the in-memory ones after them
            for (int i = FILES - 1; i >= 0; i--) {
                assertEquals(FILES - 1 - i, to.copy(from, i));
            }
            for (int i = 0; i < FILES; i += 7) {
                assertDigests(to, FILES - 1 - i, i);
            }
            assertTrue(spill.size() >= 6L * 16_384 * EntryPool.SIZE, "both pools moved their full chunks");
        }
    }

    @Test
    void aPoolWithoutASpillKeepsEverythingInMemory() {
        EntryPool pool = fill(new EntryPool());
        for (int i = 0; i < FILES; i += 13) {
            assertDigests(pool, i, i);
        }
    }

    @Test
    void readingASpilledDigestAfterTheTreeIsClosedIsRefused() {
        DigestSpill spill = new DigestSpill();
        EntryPool pool = fill(new EntryPool(spill));
        spill.close();
        assertDigests(pool, 5, 5); // still in memory
        assertThrows(IllegalStateException.class, () -> pool.hex(20_000, 0, EntryPool.SHA256));
    }
}
