package dev.distill.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PlatformTest {
    @Test
    void parses() {
        assertEquals(new Platform("linux", "arm64", "v8"), Platform.parse("linux/arm64/v8"));
        assertEquals("linux/amd64", Platform.parse("linux/amd64").toString());
        assertThrows(IllegalArgumentException.class, () -> Platform.parse("linux"));
        assertThrows(IllegalArgumentException.class, () -> Platform.parse("linux//v8"));
        assertThrows(IllegalArgumentException.class, () -> Platform.parse("a/b/c/d"));
    }

    @Test
    void normalisesVariantsAndAliases() {
        assertTrue(Platform.parse("linux/arm64").matchesExactly(Platform.parse("linux/arm64/v8")));
        assertTrue(Platform.parse("linux/arm64/v8").matches(Platform.parse("linux/aarch64")));
        assertTrue(Platform.parse("linux/arm").matches(Platform.parse("linux/arm/v6")));
        assertFalse(Platform.parse("linux/arm").matchesExactly(Platform.parse("linux/arm/v6")));
        assertFalse(Platform.parse("linux/arm/v7").matches(Platform.parse("linux/arm/v6")));
        assertTrue(Platform.parse("linux/amd64").matches(Platform.parse("linux/x86_64")));
        assertFalse(Platform.parse("linux/amd64").matches(Platform.parse("windows/amd64")));
    }
}
