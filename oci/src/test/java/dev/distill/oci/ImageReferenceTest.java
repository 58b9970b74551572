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

    /** Security finding 4 of #22: one image, one spelling; case and Docker Hub's aliases once let rules miss. */
    @Test
    void normalisesTheRegistrySoThatOneImageHasOneName() {
        ImageReference upper = ImageReference.parse("Localhost:5055/app:v1");
        assertEquals("localhost:5055", upper.registry());
        assertTrue(upper.isLoopback(), "Localhost:5055 is loopback");
        assertEquals(ImageReference.parse("localhost:5055/app:v1"), upper);
        assertEquals(ImageReference.parse("nginx"), ImageReference.parse("INDEX.DOCKER.IO/nginx"));
        assertEquals(ImageReference.parse("docker.io/library/nginx"), ImageReference.parse("registry-1.docker.io/nginx"));
        assertEquals(ImageReference.parse("ghcr.io/org/app"), ImageReference.parse("GHCR.io:443/org/app"));
        assertEquals("ghcr.io:8443", ImageReference.parse("ghcr.io:8443/org/app").registry());
        assertEquals("example.com:5000", ImageReference.normalizeRegistry("Example.COM:5000"));
        assertTrue(new dev.distill.oci.registry.RegistryOptions(java.util.Set.of("Registry.Example:5000"), null, 1,
                java.time.Duration.ZERO, java.time.Duration.ZERO, java.time.Duration.ZERO).insecureHosts()
                .contains("registry.example:5000"), "--insecure-registry hosts compare as references do");
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
