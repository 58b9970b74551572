package dev.distill.sbom.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.testing.Fixtures;
import dev.distill.sbom.SbomTesting;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Sbom;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.spdx.jacksonstore.MultiFormatStore;
import org.spdx.library.model.v2.SpdxDocument;
import org.spdx.storage.simple.InMemSpdxStore;
import org.spdx.tagvaluestore.TagValueStore;

/**
 * {@code convert} on documents distill did not write: {@code fixtures/sboms/} holds documents in the shapes syft,
 * trivy, cdxgen and an SPDX 3 tool write (written for these tests from the specs and the tools' documented
 * fields). Each converts into every format schema-valid, with the packages, types, purls, licenses, nesting and
 * relationships it had, and with no text the input did not give ("null").
 */
class ConvertFidelityTest {
    private static final List<String> CYCLONEDX = List.of("cyclonedx-json", "cyclonedx-xml", "cyclonedx-json@1.5",
            "cyclonedx-json@1.4", "cyclonedx-xml@1.4", "cyclonedx-json@1.7", "cyclonedx-xml@1.7");
    private static final List<String> SPDX = List.of("spdx-json", "spdx-tag-value", "spdx3-json");
    private static final Pattern NULL = Pattern.compile("\\bnull\\b");

    /** What each document says, checked by hand: packages as "type name version purl license", relationships. */
    private static final Map<String, List<String>> PACKAGES = Map.of(
            "syft-image.cdx.json", List.of(
                    "deb libc6 2.36-9+deb12u10 pkg:deb/debian/libc6@2.36-9+deb12u10?arch=amd64&distro=debian-12 "
                            + "LGPL-2.1-or-later AND LicenseRef-GPL-2",
                    "golang billing-tool v0.3.1 - -",
                    "maven guava 32.1.3-jre pkg:maven/com.google.guava/guava@32.1.3-jre Apache-2.0",
                    "maven internal-billing 4.2.0 - -",
                    "maven shop-app 2.1.0 pkg:maven/com.example.shop/shop-app@2.1.0 Apache-2.0"),
            "syft-image.spdx.json", List.of(
                    "deb libc6 2.36-9+deb12u10 pkg:deb/debian/libc6@2.36-9%2Bdeb12u10?arch=amd64&distro=debian-12 "
                            + "LGPL-2.1-or-later AND LicenseRef-GPL-2",
                    "golang billing-tool v0.3.1 - -",
                    "maven guava 32.1.3-jre pkg:maven/com.google.guava/guava@32.1.3-jre Apache-2.0",
                    "maven internal-billing 4.2.0 - -",
                    "maven shop-app 2.1.0 pkg:maven/com.example.shop/shop-app@2.1.0 Apache-2.0"),
            "trivy-image.cdx.json", List.of(
                    "deb libc6 2.36-9+deb12u10 pkg:deb/debian/libc6@2.36-9%2Bdeb12u10?arch=amd64&distro=debian-12.11 "
                            + "LicenseRef-GPL-2.0 AND LicenseRef-LGPL-2.1",
                    "maven internal-billing 4.2.0 - -",
                    "npm left-pad 1.3.0 pkg:npm/left-pad@1.3.0 MIT"),
            "cdxgen-app.cdx.json", List.of(
                    "npm accepts 1.3.8 pkg:npm/accepts@1.3.8 MIT",
                    "npm express 4.21.2 pkg:npm/express@4.21.2 MIT",
                    "npm node 22.10.2 pkg:npm/%40types/node@22.10.2 MIT"),
            "trivy-image.spdx.json", List.of(
                    "deb libc6 2.36-9+deb12u10 pkg:deb/debian/libc6@2.36-9%2Bdeb12u10?arch=amd64&distro=debian-12.11 "
                            + "GPL-2.0-only AND LGPL-2.1-only",
                    "maven internal-billing 4.2.0 - -"),
            "one-package.spdx.json", List.of("npm left-pad 1.3.0 pkg:npm/left-pad@1.3.0 WTFPL"),
            "tool-image.spdx3.json", List.of(
                    "apk zlib 1.3.1-r2 pkg:apk/alpine/zlib@1.3.1-r2?arch=x86_64&distro=alpine-3.21.3 Zlib",
                    "unknown libfoo 0.9 - -"));
    private static final Map<String, List<String>> RELATIONSHIPS = Map.of(
            "syft-image.cdx.json", List.of("shop-app CONTAINS guava", "shop-app DEPENDS_ON internal-billing"),
            "syft-image.spdx.json", List.of("shop-app CONTAINS guava", "shop-app DEPENDS_ON internal-billing"),
            "trivy-image.cdx.json", List.of(),
            "cdxgen-app.cdx.json", List.of("express DEPENDS_ON accepts"),
            "trivy-image.spdx.json", List.of(),
            "one-package.spdx.json", List.of(),
            "tool-image.spdx3.json", List.of("libfoo DEPENDS_ON zlib"));

    @BeforeAll
    static void schemas() throws Exception {
        CycloneDx17Test.schemas();
    }

    private static Sbom read(String document) throws IOException {
        return SbomReader.read(Files.readAllBytes(Fixtures.path("sboms").resolve(document)), document, Instant.EPOCH);
    }

    @ParameterizedTest
    @ValueSource(strings = {"syft-image.cdx.json", "syft-image.spdx.json", "trivy-image.cdx.json",
        "trivy-image.spdx.json", "one-package.spdx.json", "tool-image.spdx3.json", "cdxgen-app.cdx.json"})
    void aForeignDocumentKeepsItsPackagesAndRelationships(String document) throws Exception {
        Sbom sbom = read(document);
        assertEquals(PACKAGES.get(document), packages(sbom), document);
        assertEquals(RELATIONSHIPS.get(document), relationships(sbom), document);
        for (String format : CYCLONEDX) {
            byte[] out = SbomTesting.render(sbom, format);
            assertEquals(List.of(), cycloneDxProblems(format, out), document + " as " + format);
            assertNoInventedText(document, format, out);
            Sbom again = SbomReader.read(out, format, Instant.EPOCH);
            assertEquals(PACKAGES.get(document), packages(again), document + " through " + format);
            assertEquals(RELATIONSHIPS.get(document), relationships(again), document + " through " + format);
        }
        for (String format : SPDX) {
            byte[] out = SbomTesting.render(sbom, format);
            if (!format.equals("spdx3-json")) {
                assertEquals(List.of(), spdx2Problems(format, out), document + " as " + format);
            }
            assertNoInventedText(document, format, out);
            Sbom again = SbomReader.read(out, format, Instant.EPOCH);
            assertEquals(PACKAGES.get(document), packages(again), document + " through " + format);
            assertEquals(RELATIONSHIPS.get(document), relationships(again), document + " through " + format);
        }
    }

    @Test
    void theDistroAndImageOfForeignDocumentsAreKept() throws Exception {
        for (String document : List.of("syft-image.cdx.json", "syft-image.spdx.json", "trivy-image.cdx.json",
                "trivy-image.spdx.json")) {
            Sbom sbom = read(document);
            // syft's SPDX has no operating-system package; the others name Debian.
            if (!document.equals("syft-image.spdx.json")) {
                assertEquals("debian", sbom.distro().id(), document);
            }
            assertEquals("sha256:4f1c9a3e2b7d6c5a4f1c9a3e2b7d6c5a4f1c9a3e2b7d6c5a4f1c9a3e2b7d6c5a",
                    sbom.source().digest(), document);
        }
    }

    /** distill's own documents of the fixture with nesting, purl-less packages and shaded jars, every format. */
    @Test
    void distillsOwnLangAppsDocumentsRoundTripByteForByte() throws Exception {
        Sbom sbom = SbomTesting.sbom(SbomTesting.fixture("lang-apps"));
        assertTrue(sbom.packages().stream().anyMatch(p -> p.purl() == null), "lang-apps has purl-less packages");
        assertTrue(sbom.relationships().stream().anyMatch(r -> r.type() == Relationship.Type.CONTAINS));
        for (String format : List.of("spdx-json", "spdx-tag-value", "spdx3-json", "cyclonedx-json", "cyclonedx-xml",
                "cyclonedx-json@1.4", "cyclonedx-json@1.7")) {
            String first = new String(SbomTesting.render(sbom, format), StandardCharsets.UTF_8);
            Sbom back = SbomReader.read(first.getBytes(StandardCharsets.UTF_8), "doc", Instant.EPOCH);
            assertEquals(first, new String(SbomTesting.render(back, format), StandardCharsets.UTF_8), format);
        }
    }

    /** What a format cannot carry is named once per format, with how much of it there was. */
    @Test
    void whatAFormatCannotCarryIsNamed() {
        Package deb = new dev.distill.sbom.catalog.PackageBuilder("deb", "tzdata", "2025b-1")
                .purl("pkg:deb/debian/tzdata@2025b-1").property("dpkg:source", "tzdata")
                .property(Package.DOWNLOAD_LOCATION, "https://deb.debian.org/")
                .files(List.of(new dev.distill.sbom.model.PackageFile("/etc/timezone", null, null, null),
                        new dev.distill.sbom.model.PackageFile("/usr/share/zoneinfo/UTC", null, null, null)))
                .build();
        Package jar = new dev.distill.sbom.catalog.PackageBuilder("maven", "guava", "33.0.0-jre")
                .purl("pkg:maven/com.google.guava/guava@33.0.0-jre").build();
        Sbom sbom = new Sbom(new dev.distill.sbom.model.SourceInfo("x", "dir", "x", null, null, null, null, null,
                List.of(), null), null, List.of(deb, jar), List.of(), List.of(), SbomTesting.TOOL, Instant.EPOCH);
        assertEquals(List.of("cyclonedx-json@1.7 carries no owned files: 2 files of 1 package left out"),
                SbomFormat.notCarried("cyclonedx-json@1.7", sbom));
        assertEquals(List.of("spdx-tag-value carries no package properties: 1 package has them (dpkg:source)"),
                SbomFormat.notCarried("spdx-tag-value", sbom));
        assertEquals(List.of(), SbomFormat.notCarried("table", sbom));
        assertEquals(List.of(), SbomFormat.notCarried("cyclonedx-xml", new Sbom(sbom.source(), null, List.of(jar),
                List.of(), List.of(), SbomTesting.TOOL, Instant.EPOCH)));
    }

    private static void assertNoInventedText(String document, String format, byte[] out) {
        String text = new String(out, StandardCharsets.UTF_8);
        assertFalse(NULL.matcher(text).find(), document + " as " + format + " says 'null': "
                + text.lines().filter(l -> NULL.matcher(l).find()).findFirst().orElse(""));
        assertFalse(text.contains("\"occurrences\" : [ { } ]"), document + " as " + format);
    }

    private static List<String> cycloneDxProblems(String format, byte[] out) throws Exception {
        if (format.endsWith("@1.7")) {
            return format.startsWith("cyclonedx-json") ? CycloneDx17Test.validateJson(out)
                    : CycloneDx17Test.validateXml(out);
        }
        return SbomFormatsTest.validate(format, out);
    }

    /** What spdx-java-library's verifier finds wrong with an SPDX 2 document. */
    private static List<String> spdx2Problems(String format, byte[] out) throws Exception {
        SpdxDocument doc = format.equals("spdx-json")
                ? new MultiFormatStore(new InMemSpdxStore(), MultiFormatStore.Format.JSON)
                        .deSerialize(new ByteArrayInputStream(out), false)
                : new TagValueStore(new InMemSpdxStore()).deSerialize(new ByteArrayInputStream(out), false);
        return doc.verify();
    }

    private static List<String> packages(Sbom sbom) {
        List<String> out = new ArrayList<>();
        for (Package p : sbom.packages()) {
            out.add(p.type() + " " + p.name() + " " + p.version() + " " + (p.purl() == null ? "-" : p.purl()) + " "
                    + (p.license() == null ? "-" : p.license()));
        }
        return out;
    }

    private static List<String> relationships(Sbom sbom) {
        List<String> out = new ArrayList<>();
        for (Relationship r : sbom.relationships()) {
            out.add(sbom.pkg(r.from()).name() + " " + r.type() + " " + sbom.pkg(r.to()).name());
        }
        out.sort(null);
        return out;
    }
}
