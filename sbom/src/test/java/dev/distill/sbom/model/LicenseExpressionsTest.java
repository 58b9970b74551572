package dev.distill.sbom.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LicenseExpressionsTest {
    @Test
    void sortsFlattensAndParenthesisesOnlyWhereNeeded() {
        assertEquals("GPL-2.0-or-later AND MPL-2.0", LicenseExpressions.canonical("(MPL-2.0 AND GPL-2.0-or-later)"));
        assertEquals("(Artistic-1.0 OR GPL-1.0-or-later) AND Apache-2.0",
                LicenseExpressions.canonical("((GPL-1.0-or-later OR Artistic-1.0) AND Apache-2.0)"));
        assertEquals("Apache-2.0 AND BSD-3-Clause AND MIT",
                LicenseExpressions.canonical("MIT and (BSD-3-Clause AND Apache-2.0)"));
        assertEquals("GPL-2.0-only WITH Classpath-exception-2.0 OR MIT",
                LicenseExpressions.canonical("MIT OR GPL-2.0-only WITH Classpath-exception-2.0"));
        assertEquals("Apache-2.0 OR MIT AND Zlib", LicenseExpressions.canonical("(Zlib AND MIT) OR Apache-2.0"),
                "AND binds tighter than OR, so no parentheses are needed");
    }

    @Test
    void leavesWhatDoesNotParseAlone() {
        assertEquals("GPL2+ custom", LicenseExpressions.canonical("GPL2+ custom"));
        assertEquals("MIT OR", LicenseExpressions.canonical("MIT OR"));
        assertEquals("(MIT", LicenseExpressions.canonical("(MIT"));
        assertEquals(null, LicenseExpressions.canonical(null));
    }
}
