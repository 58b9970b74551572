package dev.distill.sbom.catalog.apk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.Compression;
import dev.distill.oci.Digest;
import dev.distill.oci.testing.ImageBuilder;
import dev.distill.oci.testing.LayerBuilder;
import dev.distill.oci.testing.LayoutWriter;
import dev.distill.sbom.SbomTesting;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.PackageFile;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Sbom;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The apk database written the way apk-tools writes it: C: (package checksum) first, then P, V, A, S, I, T, U, L,
 * o, m, t, c, D, p, and per directory F: with R:, a:, Z: lines for its files; a blank line ends each package.
 */
class ApkCatalogerTest {
    private static final String MUSL = "\u007fELF musl libc";
    private static final String BUSYBOX = "\u007fELF busybox";

    @TempDir
    Path tmp;

    static String q1(String content) throws Exception {
        return "Q1" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                .digest(content.getBytes(StandardCharsets.UTF_8)));
    }

    static String installedDb(boolean withBusybox) throws Exception {
        String db = "C:Q1JqK4D2/kcY5v/Q7ij2UpLPZ0GxU=\nP:musl\nV:1.2.5-r0\nA:x86_64\nS:411323\nI:636928\n"
                + "T:the musl c library (libc) implementation\nU:https://musl.libc.org/\nL:MIT\no:musl\n"
                + "m:Natanael Copa <ncopa@alpinelinux.org>\nt:1711034389\nc:0d2f6de1b5f4f4f55a8e3a29d7c0e6c5ef8a3b2a\n"
                + "p:so:libc.musl-x86_64.so.1=1\nF:lib\nR:ld-musl-x86_64.so.1\na:0:0:755\nZ:" + q1(MUSL) + "\n"
                + "R:libc.musl-x86_64.so.1\na:0:0:777\nZ:Q1/KZNUZ9GYzjDAVWRlWkIaHMDh34=\n\n";
        if (withBusybox) {
            db += "C:Q1hDo8qp5pAtrjqJ5WdcwpkEZkKVs=\nP:busybox\nV:1.36.1-r28\nA:x86_64\nS:516294\nI:947200\n"
                    + "T:Size optimized toolbox of many common UNIX utilities\nU:https://busybox.net/\n"
                    + "L:GPL-2.0-only\no:busybox\nm:Sören Tempel <soeren+alpine@soeren-tempel.net>\nt:1716294233\n"
                    + "c:8a63f0b1d1b5e1d0c9a6c1b5d8e4f3a2b1c0d9e8\nD:so:libc.musl-x86_64.so.1 !busybox-static\n"
                    + "p:/bin/sh cmd:busybox=1.36.1-r28 cmd:sh=1.36.1-r28\nr:busybox-initscripts\n"
                    + "F:bin\nR:busybox\na:0:0:755\nZ:" + q1(BUSYBOX) + "\nR:sh\na:0:0:777\n"
                    + "Z:Q1pcfTfDNEbNKQc2s1tia7da05M8Q=\nF:etc\nR:securetty\nZ:Q1mB95Hhc5TqW+s8HnhgkJvVFZIk=\n\n";
        }
        return db;
    }

    private Sbom image(String osRelease) throws Exception {
        LayerBuilder base = new LayerBuilder().dir("etc").file("etc/os-release", osRelease).dir("lib")
                .file("lib/ld-musl-x86_64.so.1", MUSL).symlink("lib/libc.musl-x86_64.so.1", "ld-musl-x86_64.so.1")
                .dir("lib/apk").dir("lib/apk/db").file("lib/apk/db/installed", installedDb(false));
        LayerBuilder second = new LayerBuilder().dir("bin").file("bin/busybox", BUSYBOX).symlink("bin/sh", "busybox")
                .dir("lib").dir("lib/apk").dir("lib/apk/db").file("lib/apk/db/installed", installedDb(true));
        Path dir = tmp.resolve("img-" + osRelease.hashCode());
        new LayoutWriter().add(new ImageBuilder().layer(base.build(Compression.GZIP))
                .layer(second.build(Compression.ZSTD)).build(), "latest").writeDirectory(dir);
        return SbomTesting.sbom(dir.toString());
    }

    @Test
    void readsAlpinePackagesWithFilesProvidesAndLayers() throws Exception {
        Sbom sbom = image("NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.1\nPRETTY_NAME=\"Alpine Linux v3.20\"\n");
        assertEquals(List.of("busybox", "musl"), sbom.packages().stream().map(Package::name).toList());
        Package musl = sbom.packages().get(1);
        Package busybox = sbom.packages().get(0);
        assertEquals("pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.1", musl.purl());
        assertEquals("MIT", musl.license());
        assertEquals(0, musl.layer().index());
        assertEquals(1, busybox.layer().index());
        assertTrue(sbom.relationships().contains(new Relationship(busybox.id(), Relationship.Type.DEPENDS_ON,
                musl.id())), "so:libc.musl-x86_64.so.1 is provided by musl");
        // /lib/libc.musl-x86_64.so.1 is a symlink in the image: only the regular file is owned.
        assertEquals(List.of(new PackageFile("/lib/ld-musl-x86_64.so.1",
                Digest.sha256(MUSL.getBytes(StandardCharsets.UTF_8)).hex(), sha1(MUSL),
                "sha1:" + sha1(MUSL))), musl.files());
        assertEquals("busybox", busybox.properties().get("apk:origin"));
        assertEquals("cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*", busybox.cpes().get(0));
        // /etc/securetty is listed but not in the image.
        assertEquals(List.of("/bin/busybox"), busybox.files().stream().map(PackageFile::path).toList());
    }

    @Test
    void wolfiImagesGetWolfiPurls() throws Exception {
        Sbom sbom = image("ID=wolfi\nNAME=\"Wolfi\"\nPRETTY_NAME=\"Wolfi\"\nVERSION_ID=20230201\n");
        assertEquals("pkg:apk/wolfi/musl@1.2.5-r0?arch=x86_64&distro=wolfi-20230201", sbom.packages().get(1).purl());
    }

    @Test
    void parsesTheFormatAndRejectsOthers() {
        List<ApkCataloger.Record> r = ApkCataloger.parse("P:a\nV:1-r0\nD:b>=2 so:x.so !c\np:cmd:a=1\n"
                + "F:usr/bin\nR:a\nZ:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\nP:b\nV:2-r1\n");
        assertEquals(2, r.size());
        assertEquals(List.of("b>=2", "so:x.so", "!c"), r.get(0).depends());
        assertEquals(List.of("/usr/bin/a"), r.get(0).files());
        assertEquals("sha1:" + "0".repeat(40), r.get(0).checksums().get("/usr/bin/a"));
        assertEquals("b", ApkCataloger.stripVersion("b>=2"));
        assertEquals("so:libc.so", ApkCataloger.stripVersion("so:libc.so=1"));
        assertEquals("1.36.1", ApkCataloger.upstreamVersion("1.36.1-r28"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ApkCataloger.parse("this is not apk\n"));
    }

    private static String sha1(String s) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
