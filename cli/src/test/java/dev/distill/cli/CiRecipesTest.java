package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The CI recipes of docs/ci.md and the composite action: what they run is a distill command line that parses. */
class CiRecipesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    /** Shell words of a command, with CI expressions and variables replaced by a value and quotes removed. */
    static String[] words(String command) {
        String expanded = command.replaceAll("\\$\\{\\{[^}]*}}", "x").replaceAll("\\$[A-Z_]+", "x")
                .replace("\"", "");
        return expanded.strip().split("\\s+");
    }

    static void assertParses(String command) {
        String[] args = words(command);
        CommandLine cl = new CommandLine(new Main());
        Main.addSubcommands(cl, args);
        try {
            cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new AssertionError(command + ": " + e.getMessage(), e);
        }
    }

    @Test
    void everyRecipeCommandParses() throws Exception {
        String doc = Files.readString(Path.of("../docs/ci.md"));
        Matcher blocks = YAML_BLOCK.matcher(doc);
        List<String> commands = new ArrayList<>();
        while (blocks.find()) {
            JsonNode yaml = YAML.readTree(blocks.group(1));
            for (JsonNode step : yaml.findValues("steps").stream().flatMap(s -> toList(s).stream()).toList()) {
                if (step.path("uses").asText().contains("/distill@")) {
                    commands.add(step.path("with").path("args").asText());
                }
            }
            for (JsonNode line : yaml.findValues("script").stream().flatMap(s -> toList(s).stream()).toList()) {
                String text = line.asText();
                int at = text.indexOf("/distill ");
                if (at >= 0) {
                    commands.add(text.substring(at + "/distill ".length()));
                }
            }
        }
        assertEquals(12, commands.size(), "six steps in each recipe: " + commands);
        commands.forEach(CiRecipesTest::assertParses);
        assertTrue(commands.stream().anyMatch(c -> c.startsWith("verify-attestation ")
                && c.contains("--certificate-oidc-issuer")), "keyless verification of the attestation");
    }

    private static List<JsonNode> toList(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    @Test
    void theActionRunsTheLauncherWithItsArguments() throws Exception {
        JsonNode action = YAML.readTree(Path.of("../action.yml").toFile());
        assertEquals("composite", action.path("runs").path("using").asText());
        assertTrue(action.path("inputs").path("args").path("required").asBoolean());
        JsonNode run = action.path("runs").path("steps").get(1);
        assertEquals("${{ inputs.args }}", run.path("env").path("DISTILL_ARGS").asText());
        String script = run.path("run").asText();
        assertTrue(script.contains("eval \"set -- $DISTILL_ARGS\"") && script.contains("\"$GITHUB_ACTION_PATH/distill\" \"$@\""),
                script);
        // The script itself, in bash, with a stand-in launcher that prints the words it gets.
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "action");
        Path launcher = Files.writeString(dir.resolve("distill"), "#!/usr/bin/env bash\nprintf '<%s>' \"$@\"\n");
        launcher.toFile().setExecutable(true);
        MainTest.Result r = CliProcess.exec(dir, java.util.Map.of("GITHUB_ACTION_PATH", dir.toString(),
                "DISTILL_ARGS", "sbom registry:ghcr.io/o/a:1 -o 'cyclonedx-json=my sbom.json'"),
                List.of("bash", "-c", script));
        assertEquals("<sbom><registry:ghcr.io/o/a:1><-o><cyclonedx-json=my sbom.json>", r.out(), r.err());
    }
}
