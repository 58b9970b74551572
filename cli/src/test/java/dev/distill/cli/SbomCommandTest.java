package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.testing.Golden;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code distill sbom} end to end on the fixture images. */
class SbomCommandTest {
    @TempDir
    Path tmp;

    static MainTest.Result run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), env, args);
        return new MainTest.Result(code, out.toString(), err.toString());
    }

    @Test
    void writesSeveralFormatsFromOneWalk() throws IOException {
        Path spdx = tmp.resolve("a.spdx.json");
        Path cdx = tmp.resolve("b.cdx.json");
        MainTest.Result r = run(Map.of(), "sbom", "../fixtures/distroless-base", "-o", "spdx-json=" + spdx,
                "-o", "cyclonedx-json=" + cdx, "-o", "table");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        Golden.assertMatches("sbom-distroless-base.table", r.out());
        assertTrue(Files.readString(spdx).contains("\"spdxVersion\" : \"SPDX-2.3\""));
        assertTrue(Files.readString(cdx).contains("\"specVersion\" : \"1.6\""));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(spdx)));
        assertEquals(List.of("a.spdx.json", "b.cdx.json"), listing(tmp), "no temp files left behind");
    }

    @Test
    void theDefaultIsATableOnStandardOutput() {
        MainTest.Result r = run(Map.of(), "sbom", "oci:../fixtures/layered:latest");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("NAME"), r.out());
        assertTrue(r.out().contains("4 packages, Debian GNU/Linux 12 (bookworm)"), r.out());
    }

    @Test
    void sourceDateEpochFixesTheTimestamp() throws IOException {
        Path a = tmp.resolve("a.json");
        Path b = tmp.resolve("b.json");
        assertEquals(0, run(Map.of("SOURCE_DATE_EPOCH", "1700000000"), "sbom", "../fixtures/layered",
                "-o", "cyclonedx-json=" + a).code());
        assertEquals(0, run(Map.of("SOURCE_DATE_EPOCH", "1700000000"), "sbom", "../fixtures/layered",
                "-o", "cyclonedx-json=" + b).code());
        assertTrue(Files.readString(a).contains("\"timestamp\" : \"2023-11-14T22:13:20Z\""));
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        MainTest.Result bad = run(Map.of("SOURCE_DATE_EPOCH", "yesterday"), "sbom", "../fixtures/layered");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("SOURCE_DATE_EPOCH"), bad.err());
    }

    @Test
    void usageErrorsWriteNothing() throws IOException {
        assertEquals(2, run(Map.of(), "sbom", "../fixtures/layered", "-o", "syft-json").code());
        assertEquals(2, run(Map.of(), "sbom", "../fixtures/layered", "-o", "table", "-o", "spdx-json").code());
        assertEquals(2, run(Map.of(), "sbom", "../fixtures/layered", "--scope", "everything").code());
        MainTest.Result r = run(Map.of(), "sbom", "../fixtures/layered", "-o", "spdx-json=" + tmp.resolve("x"),
                "-o", "bogus=" + tmp.resolve("y"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown format 'bogus'"), r.err());
        assertEquals(List.of(), listing(tmp));
    }

    @Test
    void aBadImageWritesNoFile() throws IOException {
        Path out = tmp.resolve("out.json");
        Files.writeString(out, "previous content");
        MainTest.Result r = run(Map.of(), "sbom", "../fixtures/distroless-base", "--max-total-bytes", "1M",
                "-o", "spdx-json=" + out);
        assertEquals(3, r.code());
        assertEquals("previous content", Files.readString(out), "the old file is left as it was");
        assertEquals(List.of("out.json"), listing(tmp));
        MainTest.Result missingDir = run(Map.of(), "sbom", "../fixtures/layered", "-o",
                "spdx-json=" + tmp.resolve("no/such/dir/x.json"));
        assertEquals(3, missingDir.code());
        assertFalse(Files.exists(tmp.resolve("no")));
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
