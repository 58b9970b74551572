package dev.distill.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {
    private static final String HEX = "a".repeat(64);

    @Test
    void appliesDockerDefaults() {
        assertEquals(new ImageReference("docker.io", "library/alpine", "latest", null), ImageReference.parse("alpine"));
        assertEquals(new ImageReference("docker.io", "library/alpine", "3.20", null),
                ImageReference.parse("alpine:3.20"));
        assertEquals(new ImageReference("docker.io", "bitnami/redis", "latest", null),
                ImageReference.parse("bitnami/redis"));
        assertEquals("registry-1.docker.io", ImageReference.parse("alpine").apiHost());
    }

    @Test
    void tellsRegistriesFromPaths() {
        ImageReference r = ImageReference.parse("127.0.0.1:5000/team/app:1.0@sha256:" + HEX);
        assertEquals("127.0.0.1:5000", r.registry());
        assertEquals("team/app", r.repository());
        assertEquals("1.0", r.tag());
        assertEquals("sha256:" + HEX, r.identifier());
        assertTrue(r.isLoopback());
        assertEquals("localhost", ImageReference.parse("localhost/app").registry());
        assertTrue(ImageReference.parse("localhost:5000/app").isLoopback());
        assertTrue(ImageReference.parse("[::1]:5000/app").isLoopback());
        assertFalse(ImageReference.parse("ghcr.io/org/app").isLoopback());
        assertEquals("ghcr.io/org/app:latest", ImageReference.parse("ghcr.io/org/app").toString());
        ImageReference digestOnly = ImageReference.parse("quay.io/x/y@sha256:" + HEX);
        assertEquals(null, digestOnly.tag());
    }

    @Test
    void rejectsMalformedReferences() {
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("Upper/Case"));
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("app:bad tag"));
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("app@sha256:short"));
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("a..b/c"));
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse(""));
        assertThrows(IllegalArgumentException.class, () -> ImageReference.parse("reg.io/app/"));
        assertFalse(ImageReference.looksLikeReference("./some/path"));
    }
}
