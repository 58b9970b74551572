package dev.distill.sbom.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.Compression;
import dev.distill.oci.Image;
import dev.distill.oci.ImageSources;
import dev.distill.oci.SourceOptions;
import dev.distill.oci.testing.ImageBuilder;
import dev.distill.oci.testing.LayerBuilder;
import dev.distill.oci.testing.LayoutWriter;
import dev.distill.sbom.Debootstrap;
import dev.distill.sbom.SbomOptions;
import dev.distill.sbom.SbomTesting;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class AuditorTest {
    @TempDir
    Path tmp;

    private static AuditReport audit(String ref) throws IOException {
        try (Image img = ImageSources.open(ref, SourceOptions.defaults())) {
            return Auditor.audit(img, SbomOptions.defaults(SbomTesting.TOOL).withClock(SbomTesting.CLOCK));
        }
    }

    private static Set<String> details(AuditReport r, Category c) {
        return r.findings().stream().filter(f -> f.category() == c).map(Finding::detail)
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    @Test
    void theDistrolessFixtureCarriesNoShellNoPackageManagerAndRunsAsNonRoot() throws IOException {
        AuditReport r = audit(SbomTesting.fixture("distroless-base"));
        for (Category c : List.of(Category.SHELL, Category.PACKAGE_MANAGER, Category.ROOT, Category.SETUID,
                Category.NETWORK_TOOL, Category.WORLD_WRITABLE)) {
            assertFalse(r.has(c), c + ": " + r.findings());
        }
        assertEquals(96, r.score(), "only 'no entrypoint' and a few unowned files: " + r.findings());
        assertEquals(2, r.layers().size());
        assertEquals("libc6", r.packages().get(0).name(), "the biggest package");
    }

    @Test
    void aBusyboxSymlinkFarmReportsEachAppletOncePerTarget() throws IOException {
        LayerBuilder l = new LayerBuilder().dir("bin").dir("usr").dir("usr/bin")
                .file("bin/busybox", "\u007fELF busybox", 0755, 0, 0)
                .symlink("bin/sh", "busybox").symlink("bin/ash", "/bin/busybox").symlink("bin/ls", "busybox")
                .symlink("usr/bin/sh", "../../bin/busybox").symlink("usr/bin/wget", "/bin/busybox")
                .symlink("usr/bin/nc", "../../bin/busybox").symlink("usr/bin/curl", "/nowhere")
                .dir("tmp", 0777).dir("var").dir("var/tmp", 01777).charDevice("null", 1, 3);
        Path dir = tmp.resolve("busybox");
        new LayoutWriter().add(new ImageBuilder().layer(l.build(Compression.GZIP))
                .env("PATH=/bin", "DB_PASSWORD=hunter2", "API_TOKEN=", "HOME=/root")
                .entrypoint("/bin/sh", "-c", "exec server").build(), "latest").writeDirectory(dir);
        AuditReport r = audit(dir.toString());
        assertEquals(Set.of("ash -> /bin/busybox", "busybox", "sh -> /bin/busybox"), details(r, Category.SHELL));
        assertEquals(Set.of("nc -> /bin/busybox", "wget -> /bin/busybox"), details(r, Category.NETWORK_TOOL),
                "a dangling curl link runs nothing");
        assertEquals(Set.of("directory mode 777"), details(r, Category.WORLD_WRITABLE), "sticky /var/tmp is fine");
        assertEquals(Set.of("DB_PASSWORD"), details(r, Category.SECRET_ENV), "empty values are not secrets");
        assertTrue(r.findings().stream().noneMatch(f -> f.detail().contains("hunter2")), "never the value");
        assertEquals(Set.of("/bin/sh -c exec server"), details(r, Category.SHELL_ENTRYPOINT));
        assertEquals(Set.of("char device"), details(r, Category.DEVICE));
        assertTrue(r.has(Category.ROOT));
        assertEquals(100 - 15 - 10 - 10 - 5 - 5 - 5 - 2 - 2, r.score(), r.findings().toString());
        assertEquals(Category.Severity.HIGH, r.findings().get(0).category().severity(), "most severe first");
    }

    @Test
    void wastedBytesAreCounted() throws IOException {
        LayerBuilder l1 = new LayerBuilder().dir("opt").file("opt/big", new byte[10_000], 0644)
                .file("opt/old", new byte[500], 0644);
        LayerBuilder l2 = new LayerBuilder().dir("opt").whiteout("opt/big").file("opt/old", new byte[20], 0644);
        Path dir = tmp.resolve("wasted");
        new LayoutWriter().add(new ImageBuilder().layer(l1.build(Compression.GZIP)).layer(l2.build(Compression.GZIP))
                .user("1000").cmd("/opt/old").build(), "latest").writeDirectory(dir);
        AuditReport r = audit(dir.toString());
        assertEquals(10_500, r.wastedBytes());
        assertEquals(Set.of("2 files, 10500 bytes replaced or deleted by upper layers"), details(r, Category.WASTED));
        assertFalse(r.has(Category.ROOT));
        assertFalse(r.has(Category.NO_ENTRYPOINT));
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aDebootstrapMinbaseImageReportsShellsPackageManagersSetuidAndRoot() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "debootstrap needs root");
        Debootstrap.ensureRootfs();
        Path dir = tmp.resolve("minbase");
        new LayoutWriter().add(new ImageBuilder().layer(new LayerBuilder().tree(Debootstrap.ROOTFS, "")
                .build(Compression.NONE)).cmd("/bin/bash").build(), "latest").writeDirectory(dir);
        AuditReport r = audit(dir.toString());
        Set<String> shells = details(r, Category.SHELL);
        assertTrue(shells.contains("dash") && shells.contains("bash"), shells.toString());
        Set<String> managers = details(r, Category.PACKAGE_MANAGER);
        assertTrue(managers.containsAll(List.of("apt", "apt-get", "dpkg")), managers.toString());
        Set<String> setuid = r.findings().stream().filter(f -> f.category() == Category.SETUID)
                .map(Finding::path).collect(Collectors.toSet());
        assertTrue(setuid.contains("/usr/bin/su") && setuid.contains("/usr/bin/mount"), setuid.toString());
        assertTrue(r.findings().stream().filter(f -> f.category() == Category.SETUID)
                .allMatch(f -> f.owner() != null && f.owner().startsWith("pkg:deb/debian/")), "owned by packages");
        assertTrue(r.has(Category.ROOT));
        assertTrue(r.score() < 50, "far from distroless: " + r.score());
    }
}
