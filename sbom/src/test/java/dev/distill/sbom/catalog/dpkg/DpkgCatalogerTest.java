package dev.distill.sbom.catalog.dpkg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.Compression;
import dev.distill.oci.Digest;
import dev.distill.oci.testing.Fixtures;
import dev.distill.oci.testing.ImageBuilder;
import dev.distill.oci.testing.LayerBuilder;
import dev.distill.oci.testing.LayoutWriter;
import dev.distill.sbom.SbomTesting;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.PackageFile;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Sbom;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DpkgCatalogerTest {
    @TempDir
    Path tmp;

    private static Package find(Sbom sbom, String name) {
        return sbom.packages().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void readsTheDistrolessStatusDLayout() throws IOException {
        Sbom sbom = SbomTesting.sbom(Fixtures.path("distroless-base").toString());
        assertEquals(List.of("base-files", "ca-certificates", "libc6", "libssl3", "media-types", "netbase", "tzdata"),
                sbom.packages().stream().map(Package::name).toList());
        assertEquals("debian", sbom.distro().id());
        assertEquals("12", sbom.distro().versionId());
        Package libc = find(sbom, "libc6");
        assertTrue(libc.purl().matches("pkg:deb/debian/libc6@2\\.36-9%2Bdeb12u\\d+\\?arch=amd64&distro=debian-12&upstream=glibc"),
                libc.purl());
        assertEquals("/var/lib/dpkg/status.d/libc6", libc.dbPath());
        assertEquals(1, libc.layer().index(), "libc6 comes with the second layer");
        assertEquals(0, find(sbom, "tzdata").layer().index());
        assertTrue(sbom.relationships().contains(new Relationship(find(sbom, "libssl3").id(),
                Relationship.Type.DEPENDS_ON, libc.id())));
        // md5sums list lib/x86_64-linux-gnu/...; the file lives under /usr through the /lib symlink.
        PackageFile so = libc.files().stream().filter(f -> f.path().endsWith("/libc.so.6")).findFirst()
                .orElseThrow();
        assertEquals("/lib/x86_64-linux-gnu/libc.so.6", so.path());
        assertTrue(so.recorded().startsWith("md5:"));
        assertEquals(64, so.sha256().length());
        assertTrue(libc.files().size() > 20);
        assertEquals("GPL-2.0-or-later AND MPL-2.0", find(sbom, "ca-certificates").license());
        assertTrue(sbom.unknowns().isEmpty(), sbom.unknowns().toString());
    }

    @Test
    void attributesPackagesToTheLayerThatInstalledThem() throws IOException {
        Sbom sbom = SbomTesting.sbom(Fixtures.path("layered").toString());
        Map<String, Integer> layers = sbom.packages().stream()
                .collect(Collectors.toMap(Package::name, p -> p.layer().index()));
        assertEquals(Map.of("base-files", 0, "netbase", 0, "hostname", 1, "sensible-utils", 2), layers);
        Package hostname = find(sbom, "hostname");
        assertEquals("/var/lib/dpkg/status", hostname.dbPath());
        PackageFile bin = hostname.files().stream().filter(f -> f.path().equals("/bin/hostname")).findFirst()
                .orElseThrow();
        assertNotNull(bin.sha256());
        // Files the upper layers deleted are no longer owned: /etc/motd was whited out.
        assertTrue(find(sbom, "base-files").files().stream().noneMatch(f -> f.path().equals("/etc/motd")));
        assertEquals(null, find(sbom, "netbase").license(), "its copyright file is hidden by an opaque directory");
    }

    @Test
    void ownedFileDigestsAreComputedFromTheImage() throws IOException {
        byte[] content = "#!/bin/sh\necho hi\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String status = "Package: tool\nStatus: install ok installed\nVersion: 1:2.0-1\nArchitecture: all\n"
                + "Maintainer: A <a@example.org>\nDescription: a tool\n long description\n";
        LayerBuilder l = new LayerBuilder().dir("var").dir("var/lib").dir("var/lib/dpkg").dir("var/lib/dpkg/info")
                .file("var/lib/dpkg/status", status)
                .file("var/lib/dpkg/info/tool.list", "/.\n/usr\n/usr/bin\n/usr/bin/tool\n/usr/bin/gone\n")
                .file("var/lib/dpkg/info/tool.md5sums", "0".repeat(32) + "  usr/bin/tool\n")
                .dir("usr").dir("usr/bin").file("usr/bin/tool", content, 0755);
        Sbom sbom = sbomOf(l);
        Package tool = find(sbom, "tool");
        assertEquals("1:2.0-1", tool.version());
        assertEquals("pkg:deb/debian/tool@1%3A2.0-1?arch=all", tool.purl(), "packageurl-java encodes the epoch colon");
        assertEquals(List.of(new PackageFile("/usr/bin/tool", Digest.sha256(content).hex(),
                sha1(content), "md5:" + "0".repeat(32))), tool.files());
        assertEquals("cpe:2.3:a:tool:tool:2.0:*:*:*:*:*:*:*", tool.cpes().get(0));
        assertEquals("a tool", tool.description());
    }

    @Test
    void aBrokenDatabaseIsAnUnknownNotAFailure() throws IOException {
        LayerBuilder l = new LayerBuilder().dir("var").dir("var/lib").dir("var/lib/dpkg")
                .dir("var/lib/dpkg/status.d")
                .file("var/lib/dpkg/status.d/good", "Package: good\nVersion: 1\nArchitecture: amd64\n")
                .file("var/lib/dpkg/status.d/broken", " continuation without a field\n")
                .file("var/lib/dpkg/status", "this is not a control file\n");
        Sbom sbom = sbomOf(l);
        assertEquals(List.of("good"), sbom.packages().stream().map(Package::name).toList());
        assertEquals(List.of("/var/lib/dpkg/status", "/var/lib/dpkg/status.d/broken"),
                sbom.unknowns().stream().map(u -> u.path()).toList());
    }

    private Sbom sbomOf(LayerBuilder l) throws IOException {
        Path dir = tmp.resolve("img");
        new LayoutWriter().add(new ImageBuilder().layer(l.build(Compression.GZIP)).build(), "latest")
                .writeDirectory(dir);
        return SbomTesting.sbom(dir.toString());
    }

    private static String sha1(byte[] b) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void parsesControlData() throws Exception {
        List<Map<String, String>> p = DebControl.parse("Package: a\nDescription: short\n long\n .\n more\n\n"
                + "package: b\nVersion: 2\n");
        assertEquals(2, p.size());
        assertEquals("short\nlong\n.\nmore", DebControl.get(p.get(0), "description"));
        assertEquals("b", DebControl.get(p.get(1), "Package"));
        assertThrows(DebControl.MalformedControlException.class, () -> DebControl.parse("no colon here\n"));
        assertEquals("libc6", DpkgCataloger.packageName(" libc6:any (>= 2.34) [amd64]"));
        assertEquals("3.0.15", DpkgCataloger.upstreamVersion("1:3.0.15-1~deb12u1"));
        assertEquals("2.38.1", DpkgCataloger.upstreamVersion("2.38.1"));
    }

    @Test
    void mapsDebianLicenseNamesToSpdx() {
        String copyright = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
                + "Upstream-Name: x\n\nFiles: *\nCopyright: me\nLicense: GPL-2+ or Artistic\n\n"
                + "Files: lib/*\nCopyright: you\nLicense: Expat\n\nFiles: doc/*\nCopyright: them\n"
                + "License: LGPL-2.1+ with foo exception\n\nLicense: Expat\n Permission is hereby granted...\n";
        assertEquals(List.of("Artistic-1.0-Perl OR GPL-2.0-or-later", "LicenseRef-LGPL-2.1-with-foo-exception", "MIT"),
                DebianCopyright.licenses(copyright));
        assertEquals("(Artistic-1.0-Perl OR GPL-2.0-or-later) AND LicenseRef-LGPL-2.1-with-foo-exception AND MIT",
                DebianCopyright.combine(DebianCopyright.licenses(copyright)));
        assertEquals(List.of(), DebianCopyright.licenses("This is free software under the GPL.\n"));
        assertEquals("GPL-3.0-only", DebianCopyright.term("GPL-3"));
        assertEquals("BSD-3-Clause", DebianCopyright.term("BSD-3-clause"));
        assertEquals("LicenseRef-public-domain", DebianCopyright.term("public-domain"));
    }
}
