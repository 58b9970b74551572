package dev.distill.sbom.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.distill.oci.SourceOptions;
import dev.distill.oci.testing.Golden;
import dev.distill.sbom.SbomOptions;
import dev.distill.sbom.SbomTesting;
import dev.distill.sbom.catalog.PackageBuilder;
import dev.distill.sbom.model.LayerInfo;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Sbom;
import dev.distill.sbom.model.SourceInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SbomDiffTest {
    private static Sbom load(String input) throws IOException {
        return SbomDiff.load(input, SourceOptions.defaults(), SbomOptions.defaults(SbomTesting.TOOL)
                .withClock(SbomTesting.CLOCK));
    }

    /** Two versions of one root: a version bump, a license that appears, a package removed and one added. */
    @Test
    void twoVersionsOfARootGiveTheGoldenTableAndJson(@TempDir Path tmp) throws IOException {
        Path old = DpkgRoots.write(tmp.resolve("old"), Map.of("base-files", "12.4+deb12u5 amd64",
                "libc6", "2.36-9+deb12u4 amd64", "tzdata", "2024a-0+deb12u1 all", "wget", "1.21.3-1+b2 amd64"),
                Map.of("base-files", "GPL-2+"));
        Path now = DpkgRoots.write(tmp.resolve("new"), Map.of("base-files", "12.4+deb12u5 amd64",
                "libc6", "2.36-9+deb12u10 amd64", "tzdata", "2024a-0+deb12u1 all",
                "curl", "7.88.1-10+deb12u12 amd64"), Map.of("base-files", "GPL-2+", "tzdata", "public-domain"));
        DiffReport r = SbomDiff.compare("old-root", load("dir:" + old), "new-root", load("dir:" + now));
        assertEquals(1, r.count(PackageChange.Kind.ADDED));
        assertEquals(1, r.count(PackageChange.Kind.REMOVED));
        assertEquals(2, r.count(PackageChange.Kind.CHANGED));
        assertEquals(1, r.unchanged());
        Golden.assertMatches("diff-dpkg-roots.text", r.text());
        Golden.assertMatches("diff-dpkg-roots.json", r.json());
    }

    @Test
    void twoFixtureImagesGiveTheGoldenTable() throws IOException {
        DiffReport r = SbomDiff.compare("distroless-base", load(SbomTesting.fixture("distroless-base")),
                "lang-apps", load(SbomTesting.fixture("lang-apps")));
        Golden.assertMatches("diff-distroless-base-lang-apps.text", r.text());
        assertEquals(r.text(), SbomDiff.compare("distroless-base", load(SbomTesting.fixture("distroless-base")),
                "lang-apps", load(SbomTesting.fixture("lang-apps"))).text(), "the same inputs give the same bytes");
    }

    /** SBOM documents in different formats give the report their images give. */
    @Test
    void documentsInAnyFormatDiffLikeTheirImages(@TempDir Path tmp) throws IOException {
        Sbom base = load(SbomTesting.fixture("distroless-base"));
        Sbom apps = load(SbomTesting.fixture("lang-apps"));
        Path spdx = Files.write(tmp.resolve("base.spdx.json"), SbomTesting.render(base, "spdx-json"));
        Path cdx = Files.write(tmp.resolve("apps.cdx.xml"), SbomTesting.render(apps, "cyclonedx-xml"));
        Path tv = Files.write(tmp.resolve("apps.spdx"), SbomTesting.render(apps, "spdx-tag-value"));
        String images = SbomDiff.compare("a", base, "b", apps).text();
        assertEquals(images, SbomDiff.compare("a", load(spdx.toString()), "b", load(cdx.toString())).text());
        assertEquals(images, SbomDiff.compare("a", load("sbom:" + spdx), "b", load(tv.toString())).text());
    }

    @Test
    void layersAndVersionsOfOneNameArePairedUp() {
        Sbom before = sbom(pkg("npm", "semver", "7.5.4", 0), pkg("npm", "semver", "6.3.1", 0),
                pkg("maven", "guava", "32.1.3-jre", 1));
        Sbom after = sbom(pkg("npm", "semver", "7.5.4", 0), pkg("npm", "semver", "6.3.1", 2),
                pkg("npm", "semver", "5.7.2", 2), pkg("maven", "guava", "33.0.0-jre", 1));
        DiffReport r = SbomDiff.compare("a", before, "b", after);
        assertEquals(List.of("ADDED npm semver 5.7.2 []", "CHANGED maven guava 33.0.0-jre [version]",
                "CHANGED npm semver 6.3.1 [layer]"), r.changes().stream()
                .map(c -> c.kind() + " " + c.current().type() + " " + c.current().name() + " "
                        + c.current().version() + " " + c.changes()).toList());
        assertEquals(1, r.unchanged());
    }

    /** The same package in a newer point release is the same package; another architecture is another one. */
    @Test
    void qualifiersOtherThanArchDoNotMakeAnotherPackage() {
        Package old = new PackageBuilder("deb", "libc6", "2.36-9")
                .purl("pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12.11").build();
        Package now = new PackageBuilder("deb", "libc6", "2.36-9")
                .purl("pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12.12").build();
        Package i386 = new PackageBuilder("deb", "libc6", "2.36-9")
                .purl("pkg:deb/debian/libc6@2.36-9?arch=i386&distro=debian-12.12").build();
        DiffReport r = SbomDiff.compare("a", sbom(old), "b", sbom(now, i386));
        assertEquals(1, r.unchanged());
        assertEquals(List.of("ADDED pkg:deb/debian/libc6@2.36-9?arch=i386&distro=debian-12.12"), r.changes()
                .stream().map(c -> c.kind() + " " + c.current().purl()).toList());
    }

    @Test
    void imageArchivesAreImagesAndDocumentsAreDocuments(@TempDir Path tmp) throws IOException {
        assertNull(SbomDiff.document(SbomTesting.fixture("layered.docker.tar")));
        assertNull(SbomDiff.document(SbomTesting.fixture("layered.oci.tar")));
        assertNull(SbomDiff.document(SbomTesting.fixture("layered")));
        assertNull(SbomDiff.document("registry.example/app:1"));
        Path doc = Files.writeString(tmp.resolve("x.json"), "\n  {\"bomFormat\":\"CycloneDX\"}");
        assertNotNull(SbomDiff.document(doc.toString()));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> SbomDiff.document("sbom:" + tmp.resolve("no")));
    }

    private static Package pkg(String type, String name, String version, int layer) {
        return new PackageBuilder(type, name, version).purl("pkg:" + type + "/" + name + "@" + version)
                .layer(new LayerInfo(layer, "sha256:" + Integer.toString(layer).repeat(64), null)).build();
    }

    private static Sbom sbom(Package... packages) {
        List<Package> sorted = java.util.Arrays.stream(packages)
                .sorted(java.util.Comparator.comparing(Package::id)).toList();
        return new Sbom(new SourceInfo("x", "dir", "x", null, null, null, null, null, List.of(), null), null, sorted,
                List.of(), List.of(), SbomTesting.TOOL, Instant.EPOCH);
    }
}
