package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.testing.DockerRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress on a terminal only, -v one line per step, -q nothing but errors. */
class FeedbackTest {
    @TempDir
    Path tmp;
    @TempDir
    static Path shared;
    static DockerRegistry registry;
    /** The layered fixture in a registry: what attest and tree read. */
    static String REMOTE;
    static String HOST_REF;

    private static final String IMAGE = Path.of("../fixtures/layered").toAbsolutePath().normalize().toString();

    @BeforeAll
    static void start() throws Exception {
        registry = DockerRegistry.start(shared.resolve("registry"), DockerRegistry.Auth.NONE);
        SignCommandTest.skopeo(shared, "oci:" + IMAGE + ":latest", "docker://" + registry.host() + "/app/layered:v1");
        HOST_REF = registry.host() + "/app/layered:v1";
        REMOTE = "registry:" + HOST_REF;
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    /** Runs distill under util-linux's script(1), which gives it a pseudo-terminal for its standard streams. */
    private MainTest.Result onTerminal(Map<String, String> env, String... args) throws Exception {
        String command = CliProcess.command(List.of(), args).stream()
                .map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
        MainTest.Result r = CliProcess.exec(tmp, env, List.of("script", "-qefc", command, "/dev/null"));
        assertEquals(0, r.code(), String.join(" ", args) + ": " + r.out() + r.err());
        return r;
    }

    @Test
    void aTerminalSeesProgress() throws Exception {
        Path sbom = tmp.resolve("tty.spdx.json");
        String screen = onTerminal(Map.of(), "sbom", IMAGE, "-o", "spdx-json=" + sbom).out();
        assertTrue(screen.contains("\r\u001b[Kdistill: layer 1/"), screen);
        assertTrue(screen.contains("\r\u001b[Kdistill: layer 3/3 "), screen);
        assertTrue(screen.contains("\r\u001b[Kdistill: cataloging 1/"), screen);
        assertTrue(screen.contains("\r\u001b[Kdistill: writing 1/1 spdx-json to "), screen);
        assertTrue(screen.endsWith("\r\u001b[K"), "the progress line is cleared at the end: " + screen);
        assertTrue(Files.size(sbom) > 0);
    }

    /** Every command that reads an image draws its layers (and catalogers) as sbom does, and -q silences it. */
    @Test
    void everyImageReadingCommandDrawsProgressOnATerminal() throws Exception {
        String audit = onTerminal(Map.of(), "audit", IMAGE).out();
        assertTrue(audit.contains("\r\u001b[Kdistill: layer 3/3 "), audit);
        assertTrue(audit.contains("\r\u001b[Kdistill: cataloging 1/"), audit);
        assertTrue(audit.contains("Score:"), "the report follows on a clean line: " + audit);
        assertTrue(audit.contains("\r\u001b[KImage:"), "the progress line is cleared before the report: " + audit);

        String inspect = onTerminal(Map.of(), "inspect", IMAGE).out();
        assertTrue(inspect.contains("\r\u001b[Kdistill: layer 1/3 "), inspect);
        assertTrue(inspect.contains("\r\u001b[Kdistill: layer 3/3 "), inspect);
        assertTrue(inspect.contains("\r\u001b[KReference:"), inspect);

        String key = tmp.resolve("tty").toString();
        Map<String, String> env = Map.of("DISTILL_PASSWORD", "pw");
        assertEquals(0, SbomCommandTest.run(env, "key", "generate", "--output-key-prefix", key).code());
        String attest = onTerminal(env, "attest", REMOTE, "--type", "cyclonedx", "--sbom", "--key", key + ".key")
                .out();
        assertTrue(attest.contains("\r\u001b[Kdistill: resolving 1/1 " + HOST_REF), attest);
        assertTrue(attest.contains("\r\u001b[Kdistill: layer 3/3 "), attest);
        assertTrue(attest.contains("\r\u001b[Kdistill: writing 1/1 cyclonedx-json"), attest);
        assertTrue(attest.contains("\r\u001b[Kdistill: signing 1/1 https://cyclonedx.org/bom statement"), attest);
        assertTrue(attest.contains("\r\u001b[KAttested https://cyclonedx.org/bom"), attest);

        // tree reads no layer: its steps are the registry's answers.
        String tree = onTerminal(Map.of(), "tree", REMOTE).out();
        assertTrue(tree.contains("\r\u001b[Kdistill: resolving 1/2 " + HOST_REF), tree);
        assertTrue(tree.contains("\r\u001b[Kdistill: listing 2/2 what is attached to sha256:"), tree);
        assertTrue(tree.contains("\r\u001b[K" + REMOTE.substring("registry:".length()).replace(":v1", "@sha256:")),
                tree);

        for (String[] args : new String[][] {{"audit", IMAGE, "-q"}, {"inspect", IMAGE, "-q"}, {"tree", REMOTE, "-q"},
            {"sbom", IMAGE, "-q", "-o", "spdx-json=" + tmp.resolve("q.json")},
            {"attest", REMOTE, "--type", "cyclonedx", "--sbom", "--key", key + ".key", "-q"}}) {
            String quiet = onTerminal(env, args).out();
            assertFalse(quiet.contains("\u001b[K") || quiet.contains("distill: "), String.join(" ", args) + ": "
                    + quiet);
        }
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

    /** -v says what each command does, one line per step, on standard error; nothing else goes there. */
    @Test
    void verboseSaysEachStepOnEveryCommand() throws Exception {
        Map<String, String> env = Map.of("DISTILL_PASSWORD", "pw", "GITHUB_ACTIONS", "true", "GITHUB_REPOSITORY",
                "acme/app", "GITHUB_SHA", "4f2c1e9d0000000000000000000000000000abcd", "GITHUB_REF", "refs/heads/main",
                "GITHUB_WORKFLOW_REF", "acme/app/.github/workflows/ci.yml@refs/heads/main", "GITHUB_RUN_ID", "7",
                "GITHUB_EVENT_NAME", "push", "RUNNER_ENVIRONMENT", "github-hosted");
        String key = tmp.resolve("v").toString();
        Path sbom = tmp.resolve("v.cdx.json");
        Path bundle = tmp.resolve("v.bundle.json");
        String blob = IMAGE + "/index.json";
        // A distroless rule makes verify-attestation audit the image: it reads the layers as audit does.
        Path policy = Files.writeString(tmp.resolve("policy.yaml"), "distroless:\n  forbid: [device]\n");
        String[][] commands = {
            {"key", "generate", "--output-key-prefix", key},
            {"key", "public-key", "--key", key + ".key"},
            {"sbom", IMAGE, "-o", "cyclonedx-json=" + sbom},
            {"convert", sbom.toString(), "-o", "spdx-json=" + tmp.resolve("v.spdx.json")},
            {"audit", IMAGE},
            {"inspect", IMAGE},
            {"sign-blob", blob, "--key", key + ".key", "--bundle", bundle.toString()},
            {"verify-blob", blob, "--bundle", bundle.toString(), "--key", key + ".pub"},
            {"sign", REMOTE, "--key", key + ".key"},
            {"verify", REMOTE, "--key", key + ".pub"},
            {"attest", REMOTE, "--type", "cyclonedx", "--sbom", "--key", key + ".key"},
            {"verify-attestation", REMOTE, "--type", "cyclonedx", "--key", key + ".pub"},
            {"verify-attestation", REMOTE, "--policy", policy.toString(), "--key", key + ".pub"},
            {"tree", REMOTE},
            {"provenance"},
            {"completion", "bash"}};
        Map<String, String> expected = Map.ofEntries(
            Map.entry("key generate", "Private key written to "),
            Map.entry("key public-key", "distill: reading " + key + ".key (1/1)"),
            Map.entry("sbom", "distill: writing cyclonedx-json to " + sbom + " (1/1)"),
            Map.entry("convert", "distill: reading " + sbom + " (1/1)"),
            Map.entry("audit", "distill: reading layer 3/3 "),
            Map.entry("inspect", "distill: reading layer 3/3 "),
            Map.entry("sign-blob", "distill: signing " + blob + " (1/1)"),
            Map.entry("verify-blob", "distill: verifying the bundle " + bundle + " for " + blob + " (1/1)"),
            Map.entry("sign", "distill: signing " + REMOTE.substring("registry:".length()).replace(":v1", "@sha256:")),
            Map.entry("verify", "distill: verifying signatures of "),
            Map.entry("attest", "distill: writing cyclonedx-json (1/1)"),
            Map.entry("verify-attestation", "distill: verifying https://cyclonedx.org/bom attestations of "),
            Map.entry("verify-attestation --policy", "distill: reading layer 3/3 "),
            Map.entry("tree", "distill: listing what is attached to sha256:"),
            Map.entry("provenance", "distill: reading the CI environment (1/1)"),
            Map.entry("completion", "distill: writing bash completion script (1/1)"));
        for (String[] args : commands) {
            boolean withPolicy = args.length > 2 && args[2].equals("--policy");
            String name = args[0].equals("key") ? "key " + args[1] : withPolicy ? args[0] + " --policy" : args[0];
            String[] verbose = Stream.concat(Arrays.stream(args), Stream.of("-v")).toArray(String[]::new);
            MainTest.Result r = SbomCommandTest.run(env, verbose);
            assertEquals(0, r.code(), name + ": " + r.err());
            List<String> lines = r.err().lines().toList();
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(expected.get(name))), name + ": " + r.err());
            assertTrue(lines.stream().allMatch(l -> l.startsWith("distill: ") || l.startsWith("Private key written")
                    || l.startsWith("Signed " + blob)), name + ": " + r.err());
            String[] quietly = Stream.concat(Arrays.stream(args), name.equals("key generate")
                    ? Stream.of("--force", "-q") : Stream.of("-q")).toArray(String[]::new);
            MainTest.Result quiet = SbomCommandTest.run(env, quietly);
            assertEquals(0, quiet.code(), name + " -q: " + quiet.err());
            assertEquals("", quiet.err(), name + " -q");
        }
    }

    @Test
    void sizesAreReadable() {
        assertEquals("512 B", Feedback.size(512));
        assertEquals("1.5 KB", Feedback.size(1536));
        assertEquals("341.0 MB", Feedback.size(341L << 20));
    }
}
