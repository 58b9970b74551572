package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress on a terminal only, -v one line per step, -q nothing but errors. */
class FeedbackTest {
    @TempDir
    Path tmp;

    private static final String IMAGE = Path.of("../fixtures/layered").toAbsolutePath().normalize().toString();

    /** Runs distill under util-linux's script(1), which gives it a pseudo-terminal for its standard streams. */
    @Test
    void aTerminalSeesProgress() throws Exception {
        Path sbom = tmp.resolve("tty.spdx.json");
        String command = CliProcess.command(List.of(), "sbom", IMAGE, "-o", "spdx-json=" + sbom).stream()
                .map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
        MainTest.Result r = CliProcess.exec(tmp, Map.of(), List.of("script", "-qefc", command, "/dev/null"));
        assertEquals(0, r.code(), r.out() + r.err());
        String screen = r.out();
        assertTrue(screen.contains("\r\u001b[Kdistill: layer 1/"), screen);
        assertTrue(screen.contains("\r\u001b[Kdistill: layer 3/3 "), screen);
        assertTrue(screen.matches("(?s).*\\r\\u001b\\[K(distill: (cataloging|writing) [^\\r]*)?.*"), screen);
        assertTrue(screen.endsWith("\r\u001b[K"), "the progress line is cleared at the end: " + screen);
        assertTrue(Files.size(sbom) > 0);
    }

    @Test
    void aPipeSeesNone() throws Exception {
        Path sbom = tmp.resolve("pipe.spdx.json");
        MainTest.Result r = CliProcess.run(tmp, Map.of(), List.of(), "sbom", IMAGE, "-o", "spdx-json=" + sbom);
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        assertEquals("", r.out());
    }

    @Test
    void quietPrintsNothingOnSuccess() throws Exception {
        Map<String, String> env = Map.of("DISTILL_PASSWORD", "pw");
        for (String[] args : new String[][] {
            {"sbom", IMAGE, "-o", "spdx-json=" + tmp.resolve("q.json"), "-q"},
            {"-q", "key", "generate", "--output-key-prefix", tmp.resolve("k").toString()},
            {"sign-blob", IMAGE + "/index.json", "--key", tmp.resolve("k.key").toString(), "--bundle",
                tmp.resolve("b.json").toString(), "--quiet"}}) {
            MainTest.Result r = SbomCommandTest.run(env, args);
            assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
            assertEquals("", r.out() + r.err(), String.join(" ", args));
        }
        MainTest.Result noisy = SbomCommandTest.run(env, "key", "generate", "--output-key-prefix",
                tmp.resolve("k2").toString());
        assertTrue(noisy.err().startsWith("Private key written to "), "without -q the note is printed");
        MainTest.Result failing = SbomCommandTest.run(env, "sbom", "/nonexistent", "-q");
        assertEquals(3, failing.code());
        assertFalse(failing.err().isEmpty(), "errors are still printed");
        MainTest.Result fromEnv = SbomCommandTest.run(Map.of("DISTILL_PASSWORD", "pw", "DISTILL_QUIET", "true"),
                "key", "generate", "--output-key-prefix", tmp.resolve("k3").toString());
        assertEquals("", fromEnv.err());
    }

    @Test
    void verboseSaysEachStep() {
        Path out = tmp.resolve("v.json");
        MainTest.Result r = SbomCommandTest.run(Map.of(), "sbom", IMAGE, "-o", "spdx-json=" + out, "-v");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.err().lines().toList();
        assertTrue(lines.get(0).matches("distill: reading layer 1/3 sha256:[0-9a-f]{64} \\(\\d.*\\)"), r.err());
        assertEquals(3, lines.stream().filter(l -> l.startsWith("distill: reading layer ")).count(), r.err());
        assertTrue(lines.stream().anyMatch(l -> l.matches("distill: cataloging dpkg \\(\\d+/\\d+\\)")), r.err());
        assertEquals("distill: writing spdx-json to " + out + " (1/1)", lines.get(lines.size() - 1));
        assertTrue(lines.stream().allMatch(l -> l.startsWith("distill: ")), r.err());
    }

    @Test
    void sizesAreReadable() {
        assertEquals("512 B", Feedback.size(512));
        assertEquals("1.5 KB", Feedback.size(1536));
        assertEquals("341.0 MB", Feedback.size(341L << 20));
    }
}
