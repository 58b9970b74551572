package dev.distill.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestTest {
    @Test
    void parsesAndPrints() {
        Digest d = Digest.sha256("hello".getBytes(StandardCharsets.UTF_8));
        assertEquals("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", d.toString());
        assertEquals(d, Digest.parse(d.toString()));
        assertEquals("2cf24dba5fb0", d.shortHex());
    }

    @Test
    void rejectsMalformed() {
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:abc"));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("md5:" + "a".repeat(32)));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("nocolon"));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:" + "A".repeat(64)));
        assertThrows(IllegalArgumentException.class, () -> Digest.parse("sha256:../../" + "a".repeat(58)));
    }
}
