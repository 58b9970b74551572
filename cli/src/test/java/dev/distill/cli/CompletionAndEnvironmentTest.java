package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shell completion scripts, and option defaults from DISTILL_* variables. */
class CompletionAndEnvironmentTest {
    @TempDir
    Path tmp;

    private MainTest.Result bash(String script) throws Exception {
        return CliProcess.exec(tmp, Map.of(), List.of("bash", "-c", script));
    }

    @Test
    void theBashScriptLoadsAndCompletes() throws Exception {
        MainTest.Result r = MainTest.run("completion", "bash");
        assertEquals(0, r.code(), r.err());
        Path script = Files.writeString(tmp.resolve("distill.bash"), r.out());
        MainTest.Result syntax = bash("bash -n " + script);
        assertEquals(0, syntax.code(), syntax.err());
        MainTest.Result loaded = bash("source " + script + " && complete -p distill");
        assertEquals(0, loaded.code(), loaded.err());
        assertTrue(loaded.out().matches("complete .*-F _complete_distill.* distill\\n"), loaded.out());
        // What bash offers after "distill s" and after "distill sbom --sc".
        MainTest.Result words = bash("source " + script + " && COMP_WORDS=(distill s) COMP_CWORD=1 COMP_LINE='distill s'"
                + " COMP_POINT=9 && _complete_distill && printf '%s\\n' \"${COMPREPLY[@]}\"");
        assertEquals(0, words.code(), words.err());
        assertTrue(words.out().lines().toList().containsAll(List.of("sbom", "sign", "sign-blob")), words.out());
        MainTest.Result option = bash("source " + script + " && COMP_WORDS=(distill sbom --sc) COMP_CWORD=2 "
                + "COMP_LINE='distill sbom --sc' COMP_POINT=17 && _complete_distill && printf '%s\\n' \"${COMPREPLY[@]}\"");
        assertEquals("--scope\n", option.out(), option.err());
        assertEquals(r.out(), MainTest.run("completion", "zsh").out(), "zsh loads the same script via bashcompinit");
    }

    @Test
    void theZshScriptLoadsThroughBashcompinit() throws Exception {
        Path script = Files.writeString(tmp.resolve("distill.zsh"), MainTest.run("completion", "zsh").out());
        MainTest.Result syntax = CliProcess.exec(tmp, Map.of(), List.of("zsh", "-n", script.toString()));
        assertEquals(0, syntax.code(), syntax.err());
        MainTest.Result loaded = CliProcess.exec(tmp, Map.of(), List.of("zsh", "-c",
                "autoload -U +X compinit && compinit -u && source " + script + " && print -r -- ${_comps[distill]}"));
        assertEquals(0, loaded.code(), loaded.err());
        assertTrue(loaded.out().contains("_complete_distill"), loaded.out());
    }

    @Test
    void theFishScriptLoadsAndCompletes() throws Exception {
        Path script = Files.writeString(tmp.resolve("distill.fish"), MainTest.run("completion", "fish").out());
        MainTest.Result syntax = CliProcess.exec(tmp, Map.of(), List.of("fish", "--no-execute", script.toString()));
        assertEquals(0, syntax.code(), syntax.err());
        MainTest.Result sb = CliProcess.exec(tmp, Map.of(), List.of("fish", "-c", "source " + script
                + "; complete -C'distill sb'; complete -C'distill sbom --sc'; complete -C'distill key im'"));
        assertEquals(0, sb.code(), sb.err());
        List<String> offered = sb.out().lines().map(l -> l.split("\t")[0]).toList();
        assertEquals(List.of("sbom", "--scope", "import"), offered, sb.out());
    }

    @Test
    void theFishScriptNamesEveryCommandAndOption() {
        MainTest.Result r = MainTest.run("completion", "fish");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("complete -c distill -n __fish_use_subcommand -a sbom -d 'Write a software bill "
                + "of materials of an image: its OS packages (dpkg, apk, rpm) and language packages (Java archives, "
                + "Python, npm, Go and Rust binaries), with the files they own, their licenses and the layer that "
                + "introduced them'\n"), r.out());
        assertTrue(r.out().contains("complete -c distill -n '__fish_seen_subcommand_from sbom' -l scope -r -d "), r.out());
        assertTrue(r.out().contains("complete -c distill -n '__fish_seen_subcommand_from key' -a import -d "), r.out());
        assertEquals(2, MainTest.run("completion", "tcsh").code());
    }

    @Test
    void everyOptionDefaultsFromItsVariableAndTheCommandLineWins() {
        String image = "../fixtures/multi-platform";
        MainTest.Result plain = SbomCommandTest.run(Map.of(), "inspect", image);
        assertTrue(plain.out().contains("linux/amd64"), plain.out());
        MainTest.Result fromEnv = SbomCommandTest.run(Map.of("DISTILL_PLATFORM", "linux/arm64",
                "DISTILL_OUTPUT", "json"), "inspect", image);
        assertEquals(0, fromEnv.code(), fromEnv.err());
        assertTrue(fromEnv.out().startsWith("{") && fromEnv.out().contains("\"platform\" : \"linux/arm64"), fromEnv.out());
        MainTest.Result overridden = SbomCommandTest.run(Map.of("DISTILL_PLATFORM", "linux/arm64"), "inspect", image,
                "--platform", "linux/amd64");
        assertTrue(overridden.out().contains("linux/amd64"), overridden.out());
        MainTest.Result bad = SbomCommandTest.run(Map.of("DISTILL_MAX_FILE_SIZE", "lots"), "sbom", image);
        assertEquals(2, bad.code(), "a bad value from the environment is a usage error like one on the command line");

        String help = SbomCommandTest.run(Map.of(), "sbom", "--help").out().replaceAll("\\s+", " ");
        for (String variable : List.of("DISTILL_SCOPE", "DISTILL_PLATFORM", "DISTILL_MAX_FILE_SIZE",
                "DISTILL_OUTPUT", "DISTILL_STACKTRACE", "DISTILL_TIMEOUT")) {
            assertTrue(help.contains("Env: " + variable + "."), variable + " not in: " + help);
        }
        assertTrue(!help.contains("DISTILL_HELP"), "help and version flags have no variable");
    }
}
