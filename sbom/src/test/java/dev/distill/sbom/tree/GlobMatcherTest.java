package dev.distill.sbom.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GlobMatcherTest {
    @Test
    void matchesWithinAndAcrossElements() {
        GlobMatcher m = GlobMatcher.of(List.of("/var/lib/dpkg/status.d/*", "**/*.{jar,war}", "etc/os-releas?"));
        assertTrue(m.matches("/var/lib/dpkg/status.d/libc6"));
        assertFalse(m.matches("/var/lib/dpkg/status.d/sub/libc6"));
        assertTrue(m.matches("/app.jar"));
        assertTrue(m.matches("/opt/app/lib/x.war"));
        assertFalse(m.matches("/opt/app/lib/x.jar.txt"));
        assertTrue(m.matches("/etc/os-release"));
        assertFalse(m.matches("/usr/etc/os-release"));
    }

    @Test
    void quotesRegexCharactersAndSupportsClasses() {
        GlobMatcher m = GlobMatcher.of(List.of("/usr/lib/python3.[0-9]*/**/METADATA", "/a+b/(c)"));
        assertTrue(m.matches("/usr/lib/python3.11/site-packages/x-1.dist-info/METADATA"));
        assertFalse(m.matches("/usr/lib/python3x11/site-packages/METADATA"));
        assertTrue(m.matches("/a+b/(c)"));
        assertFalse(m.matches("/aab/c"));
        assertFalse(GlobMatcher.of(List.of()).matches("/anything"));
    }

    /** The literal head and tail only pre-filter: the regex still decides, so the answers are the same. */
    @Test
    void literalEndsOfAGlob() {
        assertEquals("/var/lib/dpkg/status.d/", GlobMatcher.literalHead("/var/lib/dpkg/status.d/*"));
        assertEquals("/etc/os-releas", GlobMatcher.literalHead("etc/os-releas?"));
        assertEquals("/usr/lib/python3.", GlobMatcher.literalHead("/usr/lib/python3.[0-9]*/**/METADATA"));
        assertEquals("", GlobMatcher.literalHead("**/*.jar"));
        assertEquals("/etc/os-release", GlobMatcher.literalHead("/etc/os-release"));
        assertEquals("", GlobMatcher.literalTail("/var/lib/dpkg/status.d/*"));
        GlobMatcher m = GlobMatcher.of(List.of("/usr/share/doc/*/copyright", "/var/lib/dpkg/status.d/*"));
        assertTrue(m.matches("/usr/share/doc/libc6/copyright"));
        assertFalse(m.matches("/usr/share/docs/libc6/copyright"));
        assertFalse(m.matches("/opt/var/lib/dpkg/status.d/x"));
        assertTrue(m.matches("/var/lib/dpkg/status.d/x"));
    }

    @Test
    void rejectsUnbalancedGlobs() {
        assertThrows(IllegalArgumentException.class, () -> GlobMatcher.of(List.of("/a/{b")));
        assertThrows(IllegalArgumentException.class, () -> GlobMatcher.of(List.of("/a/[b")));
        assertThrows(IllegalArgumentException.class, () -> GlobMatcher.of(List.of("/a/b}")));
    }
}
