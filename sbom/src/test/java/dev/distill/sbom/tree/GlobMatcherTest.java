package dev.distill.sbom.tree;

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

    @Test
    void rejectsUnbalancedGlobs() {
        assertThrows(IllegalArgumentException.class, () -> GlobMatcher.of(List.of("/a/{b")));
        assertThrows(IllegalArgumentException.class, () -> GlobMatcher.of(List.of("/a/[b")));
        assertThrows(IllegalArgumentException.class, () -> GlobMatcher.of(List.of("/a/b}")));
    }
}
