package dev.distill.sbom.catalog.dpkg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.sbom.SbomTesting;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Sbom;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ground truth: a real Debian bookworm root filesystem made by {@code debootstrap --variant=minbase}, whose dpkg
 * packages must be exactly those {@code dpkg-query} lists (name, version, architecture). The root filesystem is
 * built once under target/ and reused. Needs root and Debian's debootstrap (./run-tests installs it).
 */
class DebootstrapGroundTruthTest {
    private static final Path ROOTFS = dev.distill.sbom.Debootstrap.ROOTFS;

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void dpkgPackagesEqualDpkgQuery() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "debootstrap needs root; CI runs as root");
        dev.distill.sbom.Debootstrap.ensureRootfs();
        Set<String> expected = new TreeSet<>(dev.distill.sbom.Debootstrap.run(List.of("dpkg-query", "--admindir=" + ROOTFS.resolve("var/lib/dpkg"),
                "-W", "-f", "${Package}\\t${Version}\\t${Architecture}\\n")).lines().toList());
        Sbom sbom = SbomTesting.sbom("dir:" + ROOTFS);
        Set<String> actual = sbom.packages().stream().filter(p -> p.type().equals("deb"))
                .map(p -> p.name() + "\t" + p.version() + "\t" + p.architecture())
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(expected.size() > 50, "a minbase system has dozens of packages: " + expected.size());
        assertEquals(expected, actual);
        assertEquals("debian", sbom.distro().id());
        Package dpkg = sbom.packages().stream().filter(p -> p.name().equals("dpkg")).findFirst().orElseThrow();
        assertTrue(dpkg.files().stream().anyMatch(f -> f.path().equals("/usr/bin/dpkg")), "owned files come from "
                + "info/dpkg.list");
        assertTrue(sbom.relationships().size() > 50, "Depends/Pre-Depends become relationships");
    }
}
