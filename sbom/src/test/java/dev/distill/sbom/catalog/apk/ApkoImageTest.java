package dev.distill.sbom.catalog.apk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.Compression;
import dev.distill.oci.testing.Golden;
import dev.distill.oci.testing.ImageBuilder;
import dev.distill.oci.testing.LayerBuilder;
import dev.distill.oci.testing.LayoutWriter;
import dev.distill.sbom.SbomTesting;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.PackageFile;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Sbom;
import dev.distill.sbom.model.Unknown;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Images as apko builds them (fixtures/apko-wolfi): a usr-merged root where {@code lib -> usr/lib}, the apk
 * database at {@code usr/lib/apk/db/installed}, Wolfi's os-release, and melange's SPDX document of every package.
 */
class ApkoImageTest {
    @TempDir
    Path tmp;

    private static Sbom apko() throws Exception {
        return SbomTesting.sbom(SbomTesting.fixture("apko-wolfi"));
    }

    @Test
    void givesTheExactPackageSetOnceWithWolfiPurlsAndLayers() throws Exception {
        Sbom sbom = apko();
        // The database is reached as /lib/apk/db/installed (through lib -> usr/lib) and as itself: read once.
        Map<String, String> layers = sbom.packages().stream().collect(Collectors.toMap(
                p -> p.name() + "@" + p.version(), p -> String.valueOf(p.layer().index())));
        assertEquals(Map.of("wolfi-baselayout@20230201-r24", "0", "ca-certificates-bundle@20250911-r0", "0",
                "ld-linux@2.42-r1", "0", "glibc@2.42-r1", "0", "libcrypto3@3.6.0-r3", "1",
                "libssl3@3.6.0-r3", "1", "busybox@1.37.0-r50", "1"), layers);
        Package busybox = sbom.packages().get(0);
        assertEquals("pkg:apk/wolfi/busybox@1.37.0-r50?arch=x86_64&distro=wolfi-20230201", busybox.purl());
        assertEquals("/usr/lib/apk/db/installed", busybox.dbPath());
        assertEquals("wolfi", sbom.distro().id());
        // usr/bin/sh is busybox's symlink: only the regular files are owned (the melange document is one).
        assertEquals(List.of("/usr/bin/busybox", "/var/lib/db/sbom/busybox-1.37.0-r50.spdx.json"),
                busybox.files().stream().map(PackageFile::path).toList());
        Package libssl = sbom.packages().stream().filter(p -> p.name().equals("libssl3")).findFirst().orElseThrow();
        Package libcrypto = sbom.packages().stream().filter(p -> p.name().equals("libcrypto3")).findFirst()
                .orElseThrow();
        assertTrue(sbom.relationships().contains(new Relationship(libssl.id(), Relationship.Type.DEPENDS_ON,
                libcrypto.id())), "so:libcrypto.so.3 is provided by libcrypto3");
    }

    @Test
    void melangeDocumentsEnrichPackagesAndNeverAddOne() throws Exception {
        Sbom sbom = apko();
        assertEquals(7, sbom.packages().size(), "eight documents, seven installed packages");
        Package glibc = sbom.packages().stream().filter(p -> p.name().equals("glibc")).findFirst().orElseThrow();
        assertEquals("Wolfi", glibc.supplier(), "the database has no m: line; melange's supplier fills it");
        assertEquals("https://ftp.gnu.org/gnu/glibc/glibc-2.42.tar.xz",
                glibc.properties().get(Package.DOWNLOAD_LOCATION));
        assertEquals("pkg:generic/glibc@2.42?download_url=https%3A%2F%2Fftp.gnu.org%2Fgnu%2Fglibc%2Fglibc-2.42.tar.xz",
                glibc.properties().get("melange:sourcePurl"));
        assertEquals("/var/lib/db/sbom/glibc-2.42-r1.spdx.json", glibc.properties().get("melange:sbom"));
        Package base = sbom.packages().stream().filter(p -> p.name().equals("wolfi-baselayout")).findFirst()
                .orElseThrow();
        assertNull(base.properties().get(Package.DOWNLOAD_LOCATION), "its document names no source");
        assertEquals(List.of(new Unknown("/var/lib/db/sbom/openssl-config-3.6.0-r3.spdx.json", "apk",
                "an SBOM of openssl-config 3.6.0-r3, which the apk database does not list as installed; ignored")),
                sbom.unknowns());
    }

    @ParameterizedTest
    @ValueSource(strings = {"spdx-json", "cyclonedx-json", "table"})
    void matchesItsGolden(String format) throws Exception {
        Golden.assertMatches("sbom-apko-wolfi." + format,
                new String(SbomTesting.render(apko(), format), StandardCharsets.UTF_8));
    }

    private Sbom image(LayerBuilder layer) throws Exception {
        Path dir = tmp.resolve("img-" + System.nanoTime());
        new LayoutWriter().add(new ImageBuilder().layer(layer.build(Compression.GZIP)).build(), "latest")
                .writeDirectory(dir);
        return SbomTesting.sbom(dir.toString());
    }

    @Test
    void alpineReleaseAloneNamesTheDistro() throws Exception {
        Sbom sbom = image(new LayerBuilder().dir("etc").file("etc/alpine-release", "3.20.1\n").dir("lib")
                .dir("lib/apk").dir("lib/apk/db").file("lib/apk/db/installed", "P:musl\nV:1.2.5-r0\nA:x86_64\n\n"));
        assertEquals("alpine", sbom.distro().id());
        assertEquals("pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.1", sbom.packages().get(0).purl());
    }

    @Test
    void withoutAnyReleaseFileWolfiIsToldByItsBaseLayout() throws Exception {
        Sbom sbom = image(new LayerBuilder().dir("usr").dir("usr/lib").dir("usr/lib/apk").dir("usr/lib/apk/db")
                .symlink("lib", "usr/lib").file("usr/lib/apk/db/installed",
                        "P:wolfi-baselayout\nV:20230201-r24\nA:aarch64\n\nP:zlib\nV:1.3.1-r5\nA:aarch64\n\n"));
        assertNull(sbom.distro());
        assertEquals(List.of("pkg:apk/wolfi/wolfi-baselayout@20230201-r24?arch=aarch64",
                "pkg:apk/wolfi/zlib@1.3.1-r5?arch=aarch64"), sbom.packages().stream().map(Package::purl).toList());
    }

    @Test
    void aDatabaseLinkedTheOtherWayIsReadOnceToo() throws Exception {
        Sbom sbom = image(new LayerBuilder().dir("lib").dir("lib/apk").dir("lib/apk/db")
                .file("lib/apk/db/installed", "P:musl\nV:1.2.5-r0\nA:x86_64\n\n").dir("usr").dir("usr/lib")
                .dir("usr/lib/apk").dir("usr/lib/apk/db").symlink("usr/lib/apk/db/installed", "/lib/apk/db/installed"));
        assertEquals(1, sbom.packages().size());
        assertEquals("/lib/apk/db/installed", sbom.packages().get(0).dbPath());
    }

    @Test
    void melangeFillsAMissingLicenseAndKeepsADifferingOneBeside() throws Exception {
        String doc = "{\"spdxVersion\":\"SPDX-2.3\",\"documentDescribes\":[\"SPDXRef-Package-a\"],\"packages\":["
                + "{\"SPDXID\":\"SPDXRef-Package-a\",\"name\":\"%s\",\"versionInfo\":\"1-r0\","
                + "\"licenseDeclared\":\"%s\",\"supplier\":\"Organization: Example\"}]}";
        Sbom sbom = image(new LayerBuilder().dir("etc").file("etc/os-release", "ID=wolfi\n").dir("lib")
                .dir("lib/apk").dir("lib/apk/db").file("lib/apk/db/installed",
                        "P:a\nV:1-r0\nA:x86_64\nm:Someone <s@example.org>\n\nP:b\nV:1-r0\nA:x86_64\nL:MIT\n\n")
                .dir("var").dir("var/lib").dir("var/lib/db").dir("var/lib/db/sbom")
                .file("var/lib/db/sbom/a-1-r0.spdx.json", String.format(doc, "a", "Apache-2.0"))
                .file("var/lib/db/sbom/b-1-r0.spdx.json", String.format(doc, "b", "MIT OR Apache-2.0"))
                .file("var/lib/db/sbom/c-1-r0.spdx.json", "{ not json"));
        Package a = sbom.packages().get(0);
        Package b = sbom.packages().get(1);
        assertEquals("Apache-2.0", a.license());
        assertEquals("Someone <s@example.org>", a.supplier(), "the database's maintainer wins");
        assertEquals("MIT", b.license(), "the database decides");
        assertEquals("Apache-2.0 OR MIT", b.properties().get("melange:licenseDeclared"));
        assertEquals("Example", b.supplier());
        assertEquals(List.of(new Unknown("/var/lib/db/sbom/c-1-r0.spdx.json", "apk",
                "not a melange SPDX document: not JSON")), sbom.unknowns());
    }
}
