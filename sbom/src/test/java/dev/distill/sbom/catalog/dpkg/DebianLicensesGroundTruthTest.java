package dev.distill.sbom.catalog.dpkg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.testing.Golden;
import dev.distill.sbom.Debootstrap;
import dev.distill.sbom.SbomTesting;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Sbom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The license of every package of a real debootstrap minbase root (bookworm), against a list checked by hand
 * against each package's copyright file (golden {@code licenses-debootstrap-bookworm-minbase.tsv}): DEP-5 files
 * with their operators, prose files (libc6, gcc's runtime, libselinux...) through their GNU grants and
 * common-licenses references.
 */
class DebianLicensesGroundTruthTest {
    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void everyMinbasePackageHasItsLicense() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "debootstrap needs root; CI runs as root");
        Debootstrap.ensureRootfs();
        Sbom sbom = SbomTesting.sbom("dir:" + Debootstrap.ROOTFS);
        String table = sbom.packages().stream().filter(p -> p.type().equals("deb"))
                .map(p -> p.name() + "\t" + (p.license() == null ? "-" : p.license()))
                .collect(Collectors.joining("\n", "", "\n"));
        Golden.assertMatches("licenses-debootstrap-bookworm-minbase.tsv", table);
        long licensed = sbom.packages().stream().filter(p -> p.type().equals("deb") && p.license() != null).count();
        assertTrue(licensed >= 86, licensed + " packages licensed");
        for (Package p : sbom.packages()) {
            if (p.license() != null) {
                assertTrue(!p.license().matches(".*LicenseRef-(and|or|with)-.*"), p.name() + ": " + p.license());
            }
        }
    }

    @Test
    void operatorsInsideDep5FieldsAreOperators() {
        assertEquals("(Artistic-1.0-Perl OR GPL-1.0-or-later) AND MIT",
                DebianCopyright.expression("GPL-1+ or Artistic, and Expat"));
        assertEquals("(Artistic-1.0-Perl OR GPL-1.0-or-later) AND LicenseRef-REGCOMP",
                DebianCopyright.expression("REGCOMP, and GPL-1+ or Artistic"));
        assertEquals("BSD-3-Clause OR GPL-3.0-or-later", DebianCopyright.expression("BSD-3-clause and/or GPL-3+"));
        assertEquals("GPL-3.0-or-later WITH Bison-exception-2.2", DebianCopyright.expression(
                "GPL-3+ with Bison exception"));
        assertEquals("GPL-3.0-or-later WITH Bison-exception-2.2", DebianCopyright.expression(
                "GPL-3+-WITH-BISON-EXCEPTION"));
        assertEquals("GPL-2.0-only WITH Linux-syscall-note", DebianCopyright.expression(
                "GPL-2 with Linux-syscall-note exception"));
        assertEquals("GPL-3.0-or-later WITH Autoconf-exception-3.0", DebianCopyright.expression(
                "GPL-3+ with autoconf exception"));
        assertEquals("GFDL-1.3-no-invariants-or-later", DebianCopyright.expression("GFDL-1.3+-no-invariant"));
        assertEquals("GFDL-1.3-no-invariants-only", DebianCopyright.expression("GFDL-NIV-1.3"));
        assertEquals("LicenseRef-BSD-3-clause-with-weird-numbering",
                DebianCopyright.expression("BSD-3-clause-with-weird-numbering"));
        assertEquals("Zlib", DebianCopyright.expression("ZLIB"));
        assertEquals("BSD-4-Clause-UC AND GPL-3.0-or-later",
                DebianCopyright.combine(java.util.List.of("GPL-3.0-or-later",
                        DebianCopyright.expression("GPL-3+ and BSD-4-clause-UC"))), "each term once, SPDX ids in any case");
    }

    @Test
    void proseFilesStateLicensesByGrantsAndReferences() {
        String libc = "    The GNU C Library is free software; you can redistribute it and/or\n"
                + "    modify it under the terms of the GNU Lesser General Public\n"
                + "    License as published by the Free Software Foundation; either\n"
                + "    version 2.1 of the License, or (at your option) any later version.\n\n"
                + "  On Debian systems, the complete text of the GNU Library\n"
                + "  General Public License can be found in `/usr/share/common-licenses/LGPL-2.1'.\n\n"
                + "Debian changes are under the GNU General Public License, version 2.\n"
                + "See /usr/share/common-licenses/GPL-2 and /usr/share/common-licenses/Apache-2.0.\n";
        assertEquals(java.util.List.of("Apache-2.0", "GPL-2.0-only", "LGPL-2.1-or-later"),
                DebianCopyright.licenses(libc));
        assertEquals(java.util.List.of("LGPL-2.1-or-later"), DebianCopyright.licenses("The overall license is the"
                + " GNU Lesser General Public\nLicense, version 2.1 (or, at your option, any later version)."));
        assertEquals(java.util.List.of(), DebianCopyright.licenses("This is free software under the GPL.\n"));
    }
}
