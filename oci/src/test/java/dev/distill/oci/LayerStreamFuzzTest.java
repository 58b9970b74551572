package dev.distill.oci;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.distill.oci.testing.MemoryStore;
import java.io.IOException;

/**
 * Any bytes served as a layer blob (plain tar, gzip or zstd, told by their first bytes) decompress to at most the
 * limit or fail with one {@link ImageException} naming the layer; never another exception, never more bytes than
 * the limit. Seeds are small real layers cut from the fixtures. A normal build replays the seeds;
 * {@code bench/fuzz oci:LayerStreamFuzzTest} fuzzes it.
 */
class LayerStreamFuzzTest {
    private static final long LIMIT = 1 << 20;

    @FuzzTest(maxDuration = "60s")
    void decompressesWithinTheLimitOrSaysWhy(byte[] blob) throws IOException {
        try (Image image = MemoryStore.oneLayerImage(blob);
             Layer.LayerStream s = image.layers().get(0).open(LIMIT, " (raise it)")) {
            byte[] buf = new byte[8192];
            while (s.read(buf, 0, buf.length) >= 0) {
                assertTrue(s.uncompressedBytes() <= LIMIT, "read past the limit");
            }
            s.finish();
            assertTrue(s.compressedBytes() == blob.length, "the whole blob was verified");
        } catch (ImageException e) {
            assertNotNull(e.getMessage());
            assertTrue(e.getMessage().contains("memory:fuzz"), e.getMessage());
        }
    }
}
