package dev.distill.sbom.catalog.rpm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.Compression;
import dev.distill.oci.testing.ImageBuilder;
import dev.distill.oci.testing.LayerBuilder;
import dev.distill.oci.testing.LayoutWriter;
import dev.distill.sbom.SbomTesting;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.PackageFile;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Sbom;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On fixtures/rpm-sqlite: two packages built by rpmbuild and recorded by rpm 4.18 in an rpmdb.sqlite. */
class RpmCatalogerTest {
    @TempDir
    Path tmp;

    @Test
    void readsTheSqliteDatabaseRpmWrote() throws Exception {
        Sbom sbom = SbomTesting.sbom(SbomTesting.fixture("rpm-sqlite"));
        assertEquals(List.of("distill-greeting-data", "distill-hello"),
                sbom.packages().stream().map(Package::name).toList());
        Package data = sbom.packages().get(0);
        Package hello = sbom.packages().get(1);
        assertEquals("1:1.2.3-4", hello.version());
        assertEquals("pkg:rpm/distill-rpm-fixture/distill-hello@1.2.3-4?arch=noarch&distro=distill-rpm-fixture-1"
                + "&epoch=1&upstream=distill-hello-1.2.3-4.src.rpm", hello.purl());
        assertEquals("MIT", hello.license());
        assertEquals("Apache-2.0 OR GPL-2.0-or-later", data.license(), "canonical order");
        assertEquals("distill fixtures", hello.supplier());
        assertEquals(0, data.layer().index(), "installed by the first layer");
        assertEquals(1, hello.layer().index());
        assertTrue(sbom.relationships().contains(new Relationship(hello.id(), Relationship.Type.DEPENDS_ON,
                data.id())), "Requires: distill-greeting-data");
        // /usr/bin/hello is a symlink the package owns; only regular files carry digests.
        assertEquals(List.of("/usr/bin/distill-hello", "/usr/share/doc/distill-hello/README"),
                hello.files().stream().map(PackageFile::path).toList());
        PackageFile bin = hello.files().get(0);
        assertTrue(bin.recorded().startsWith("sha256:"), bin.recorded());
        assertEquals(bin.recorded(), "sha256:" + bin.sha256(), "rpm's own digest matches the image's bytes");
        assertTrue(sbom.unknowns().isEmpty(), sbom.unknowns().toString());
    }

    @Test
    void otherDatabasesAndBrokenOnesAreUnknowns() throws Exception {
        LayerBuilder l = new LayerBuilder().dir("var").dir("var/lib").dir("var/lib/rpm")
                .file("var/lib/rpm/Packages", "Berkeley DB bytes")
                .file("var/lib/rpm/rpmdb.sqlite", "not a sqlite database at all, just text");
        Path dir = tmp.resolve("img");
        new LayoutWriter().add(new ImageBuilder().layer(l.build(Compression.GZIP)).build(), "latest")
                .writeDirectory(dir);
        Sbom sbom = SbomTesting.sbom(dir.toString());
        assertTrue(sbom.packages().isEmpty());
        assertEquals(List.of("/var/lib/rpm/Packages", "/var/lib/rpm/rpmdb.sqlite"),
                sbom.unknowns().stream().map(u -> u.path()).toList());
    }

    @Test
    void malformedHeadersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> RpmHeader.parse(new byte[] {0, 0}));
        assertThrows(IllegalArgumentException.class, () -> RpmHeader.parse(new byte[] {0, 0, 0, 1, 0, 0, 0, 0}));
        byte[] huge = {0x7f, 0, 0, 0, 0, 0, 0, 0};
        assertThrows(IllegalArgumentException.class, () -> RpmHeader.parse(huge));
        // one STRING entry whose data has no terminating NUL
        byte[] unterminated = {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0x03, (byte) 0xe8, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 1,
            'a', 'b'};
        assertThrows(IllegalArgumentException.class, () -> RpmHeader.parse(unterminated));
        byte[] ok = {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0x03, (byte) 0xe8, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 1, 'a', 0};
        assertEquals("a", RpmHeader.parse(ok).string(RpmHeader.NAME));
        assertEquals("sha256", RpmCataloger.digestAlgorithm(8));
        assertEquals("md5", RpmCataloger.digestAlgorithm(null));
    }
}
