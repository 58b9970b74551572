package dev.distill.sbom.catalog.rpm;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The rpm header parser is ours (no Java library reads rpmdb header blobs) and reads attacker-controlled bytes:
 * every input must parse or be rejected with IllegalArgumentException, nothing else, and nothing unbounded.
 * A normal build replays the seeds in RpmHeaderFuzzTestInputs; {@code bench/fuzz} fuzzes it.
 */
class RpmHeaderFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void parsesOrRejects(byte[] blob) {
        RpmHeader h;
        try {
            h = RpmHeader.parse(blob);
        } catch (IllegalArgumentException e) {
            assertNotNull(e.getMessage());
            return;
        }
        for (int tag : new int[] {RpmHeader.NAME, RpmHeader.EPOCH, RpmHeader.BASENAMES, RpmHeader.DIRINDEXES}) {
            h.string(tag);
            h.integer(tag);
            h.strings(tag);
        }
    }
}
