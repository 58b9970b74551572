package dev.distill.sbom.catalog.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RpmHeaderTest {

    /** il entries, each a string array of count elements at data offset 0, over dl zero bytes of data. */
    private static byte[] overlapping(int il, int dl, int count) {
        ByteBuffer b = ByteBuffer.allocate(8 + 16 * il + dl);
        b.putInt(il).putInt(dl);
        for (int i = 0; i < il; i++) {
            b.putInt(1000 + i).putInt(8).putInt(0).putInt(count);
        }
        return b.array();
    }

    @Test
    void entriesThatAllDecodeTheSameDataAreRejectedQuickly() {
        // 20,000 distinct tags over 200 kB of NULs once meant 4e9 empty strings: minutes and an OutOfMemoryError.
        byte[] bomb = overlapping(20_000, 200_000, 200_000);
        IllegalArgumentException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(IllegalArgumentException.class, () -> RpmHeader.parse(bomb)));
        assertEquals("header entries decode the same data over and over", e.getMessage());
    }

    @Test
    void aFewOverlappingEntriesAreStillRead() {
        RpmHeader h = RpmHeader.parse(overlapping(3, 16, 4));
        assertEquals(4, h.strings(1000).size());
        assertEquals("", h.string(1002));
    }
}
