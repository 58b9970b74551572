package dev.distill.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;

/** Any text parses to a reference that prints and reparses to itself, or is rejected with a message. */
class ImageReferenceFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void parsesToAFixedPointOrSaysWhy(byte[] input) {
        String text = new String(input, java.nio.charset.StandardCharsets.UTF_8);
        ImageReference ref;
        try {
            ref = ImageReference.parse(text);
        } catch (IllegalArgumentException e) {
            assertNotNull(e.getMessage());
            return;
        }
        assertEquals(ref, ImageReference.parse(ref.toString()), text);
    }
}
