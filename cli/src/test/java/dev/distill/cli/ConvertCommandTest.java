package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvertCommandTest {
    @TempDir
    Path tmp;

    @Test
    void convertsBetweenFormatsAndBack() throws Exception {
        Path spdx = tmp.resolve("a.spdx.json");
        Path cdx = tmp.resolve("a.cdx.json");
        assertEquals(0, SbomCommandTest.run(Map.of(), "sbom", "../fixtures/rpm-sqlite", "-o", "spdx-json=" + spdx,
                "-o", "cyclonedx-json=" + cdx).code());
        Path converted = tmp.resolve("b.cdx.json");
        MainTest.Result r = SbomCommandTest.run(Map.of(), "convert", spdx.toString(), "-o",
                "cyclonedx-json=" + converted, "-o", "table");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("distill-hello          1:1.2.3-4  rpm   MIT"), r.out());
        String c = Files.readString(converted);
        assertTrue(c.contains("pkg:rpm/distill-rpm-fixture/distill-hello@1.2.3-4?arch=noarch"), c);
        Path again = tmp.resolve("c.cdx.json");
        assertEquals(0, SbomCommandTest.run(Map.of(), "convert", cdx.toString(), "-o", "cyclonedx-json=" + again)
                .code());
        assertArrayEquals(Files.readAllBytes(cdx), Files.readAllBytes(again), "CycloneDX round-trips unchanged");
    }

    /** The README's promise: a document distill wrote converts back to the same bytes, nesting and all. */
    @Test
    void langAppsDocumentsConvertBackByteForByte(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        for (String format : List.of("spdx-json", "spdx-tag-value", "spdx3-json", "cyclonedx-json", "cyclonedx-xml",
                "cyclonedx-json@1.7")) {
            Path first = dir.resolve("first." + format);
            Path again = dir.resolve("again." + format);
            assertEquals(0, SbomCommandTest.run(Map.of(), "sbom", "../fixtures/lang-apps", "-o",
                    format + "=" + first).code(), format);
            MainTest.Result r = SbomCommandTest.run(Map.of(), "convert", first.toString(), "-o", format + "=" + again);
            assertEquals(0, r.code(), r.err());
            assertEquals(Files.readString(first), Files.readString(again), format);
        }
    }

    /** What the output format cannot carry is said once on standard error; -q keeps it quiet. */
    @Test
    void whatCannotBeCarriedIsSaidOnce(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path spdx = dir.resolve("base.spdx.json");
        assertEquals(0, SbomCommandTest.run(Map.of(), "sbom", "../fixtures/distroless-base", "-o",
                "spdx-json=" + spdx).code());
        MainTest.Result r = SbomCommandTest.run(Map.of(), "convert", spdx.toString(), "-o",
                "cyclonedx-json=" + dir.resolve("a.json"), "-o", "cyclonedx-xml=" + dir.resolve("a.xml"));
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(2, lines.size(), r.err());
        assertTrue(lines.get(0).matches("distill: cyclonedx-json carries no owned files: \\d+ files of 7 packages "
                + "left out"), lines.get(0));
        assertTrue(lines.get(1).startsWith("distill: cyclonedx-xml carries no owned files: "), lines.get(1));
        MainTest.Result quiet = SbomCommandTest.run(Map.of(), "-q", "convert", spdx.toString(), "-o",
                "cyclonedx-json=" + dir.resolve("b.json"));
        assertEquals(0, quiet.code(), quiet.err());
        assertEquals("", quiet.err());
        MainTest.Result same = SbomCommandTest.run(Map.of(), "convert", spdx.toString(), "-o",
                "spdx-tag-value=" + dir.resolve("c.spdx"));
        assertEquals("", same.err(), "SPDX to SPDX loses nothing");
    }

    @Test
    void badInputIsNamed() throws Exception {
        MainTest.Result missing = SbomCommandTest.run(Map.of(), "convert", tmp.resolve("nope.json").toString());
        assertEquals(3, missing.code());
        assertTrue(missing.err().startsWith("distill: error: no such file: "), missing.err());
        Path junk = Files.writeString(tmp.resolve("junk.json"), "{\"hello\": 1}");
        MainTest.Result bad = SbomCommandTest.run(Map.of(), "convert", junk.toString(), "-o", "spdx-json");
        assertEquals(3, bad.code());
        assertEquals(1, bad.err().lines().count(), bad.err());
        assertTrue(bad.err().contains("junk.json: JSON, but neither SPDX"), bad.err());
    }
}
