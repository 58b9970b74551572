package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.testing.Golden;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** End-to-end tests of the command line on the fixture images. Paths are relative to the cli module. */
class MainTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void printsVersionAndHelp() {
        Result v = run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().matches("distill \\d+\\.\\d+\\.\\d+.*\\n"), v.out());
        Result h = run("--help");
        assertEquals(0, h.code());
        assertTrue(h.out().contains("inspect") && h.out().contains("Exit codes"), h.out());
        Result ih = run("inspect", "--help");
        assertTrue(ih.out().contains("Examples:") && ih.out().contains("--platform"), ih.out());
    }

    /** Only the command the arguments name is built (picocli reflects over every option it is given). */
    @Test
    void buildsOnlyTheCommandItRuns() {
        picocli.CommandLine one = new picocli.CommandLine(new Main());
        Main.addSubcommands(one, "--stacktrace", "sbom", "x");
        assertEquals(java.util.Set.of("sbom"), one.getSubcommands().keySet());
        picocli.CommandLine version = new picocli.CommandLine(new Main());
        Main.addSubcommands(version, "--version");
        assertTrue(version.getSubcommands().isEmpty());
        for (String[] args : new String[][] {{"--help"}, {"help", "sign"}, {"sbm"}, {}, {"--version", "--help"}}) {
            picocli.CommandLine all = new picocli.CommandLine(new Main());
            Main.addSubcommands(all, args);
            assertTrue(all.getSubcommands().keySet().containsAll(java.util.List.of("sbom", "sign", "verify", "help",
                    "provenance")), String.join(" ", args) + ": " + all.getSubcommands().keySet());
        }
        Result unknown = run("sbm", "x");
        assertEquals(2, unknown.code());
        Result helpSign = run("help", "sign");
        assertTrue(helpSign.out().contains("--key"), helpSign.out());
        Result stack = run("sbom", "--stacktrace", "/nonexistent/image");
        assertEquals(3, stack.code(), stack.err());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "../fixtures/distroless-base, text",
        "../fixtures/distroless-base, json",
        "oci:../fixtures/layered:latest, text",
        "oci-archive:../fixtures/layered.oci.tar, text",
        "docker-archive:../fixtures/layered.docker.tar, json",
        "../fixtures/multi-platform, text",
        "dir:../fixtures/rootfs-netbase, json"})
    void inspectsEveryFixtureMedium(String image, String format) {
        Result r = run("inspect", image, "--output", format);
        assertEquals("", r.err());
        assertEquals(0, r.code());
        String name = image.replaceAll("^[a-z-]+:", "").replace("../fixtures/", "").replaceAll("[^A-Za-z0-9.-]", "_");
        Golden.assertMatches("inspect-" + name + "." + format, r.out());
    }

    @Test
    void inspectsAnotherPlatform() {
        Result r = run("inspect", "../fixtures/multi-platform", "--platform", "linux/arm64");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Platform:    linux/arm64/v8"), r.out());
        Result missing = run("inspect", "../fixtures/multi-platform", "--platform", "linux/riscv64");
        assertEquals(3, missing.code());
        assertEquals("distill: error: ../fixtures/multi-platform: no image for platform linux/riscv64; "
                + "available: linux/amd64, linux/arm64/v8\n", missing.err());
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, run().code());
        assertEquals(2, run("inspect").code());
        assertEquals(2, run("inspect", "x", "--bogus").code());
        Result badPlatform = run("inspect", "x", "--platform", "linux");
        assertEquals(2, badPlatform.code());
        assertTrue(badPlatform.err().contains("malformed platform 'linux'"), badPlatform.err());
        assertEquals(2, run("inspect", "../fixtures/layered", "-o", "yaml").code());
        assertEquals(2, run("inspect", "../fixtures/layered", "--max-total-bytes", "lots").code());
        assertEquals(2, run("inspect", "../fixtures/layered", "--max-entries", "0").code());
    }

    @Test
    void badInputExitsWithThreeAndOneLine() throws IOException {
        Result missing = run("inspect", "../fixtures/no-such-image");
        assertEquals(3, missing.code());
        assertEquals("distill: error: ../fixtures/no-such-image: no such file or directory\n", missing.err());
        assertEquals("", missing.out());

        Path corrupt = tmp.resolve("corrupt");
        copyTree(Path.of("../fixtures/layered"), corrupt);
        try (var blobs = Files.list(corrupt.resolve("blobs/sha256"))) {
            Path biggest = blobs.max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length())).orElseThrow();
            byte[] data = Files.readAllBytes(biggest);
            data[data.length / 2] ^= 0x55;
            Files.write(biggest, data);
        }
        Result r = run("inspect", corrupt.toString());
        assertEquals(3, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("distill: error: layer 1 (sha256:"), r.err());

        Result limited = run("inspect", "../fixtures/distroless-base", "--max-total-bytes", "1M");
        assertEquals(3, limited.code());
        assertTrue(limited.err().contains("raise with --max-total-bytes"), limited.err());

        Result traced = run("inspect", "../fixtures/no-such-image", "--stacktrace");
        assertTrue(traced.err().contains("at dev.distill."), traced.err());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
