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
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The CI recipes of docs/ci.md and the composite action: what they run is a distill command line that parses, and
 * their YAML has the keys GitHub and GitLab require (parsed with Jackson's YAML, checked here; they have not run
 * on either service).
 */
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

    /** The YAML blocks of docs/ci.md: the GitHub workflow first, then the GitLab job. */
    private static List<JsonNode> recipes() throws Exception {
        Matcher blocks = YAML_BLOCK.matcher(Files.readString(Path.of("../docs/ci.md")));
        List<JsonNode> out = new ArrayList<>();
        while (blocks.find()) {
            out.add(YAML.readTree(blocks.group(1)));
        }
        assertEquals(2, out.size(), "a GitHub Actions workflow and a GitLab CI job");
        return out;
    }

    /** Every ${{ ... }} expression is closed and reads a context the place it is in has. */
    private static void assertExpressions(String text, Set<String> contexts) {
        Matcher open = Pattern.compile("\\$\\{\\{").matcher(text);
        while (open.find()) {
            int close = text.indexOf("}}", open.end());
            assertTrue(close > 0, "unclosed expression in " + text);
            String expr = text.substring(open.end(), close).strip();
            String context = expr.replaceFirst("[.\\[].*", "");
            assertTrue(contexts.contains(context), "'" + expr + "' reads '" + context + "', not one of " + contexts);
        }
    }

    /**
     * The workflow as GitHub reads it (no actionlint here: the keys GitHub requires, checked on the parsed YAML):
     * a trigger, jobs with runs-on and steps, each step uses an action or runs a script (never both), and the
     * job that signs keyless may ask for an OIDC token.
     */
    @Test
    void theGithubWorkflowHasWhatGithubRequires() throws Exception {
        JsonNode wf = recipes().get(0);
        // YAML 1.1 (SnakeYAML, under Jackson) reads the key 'on' as the boolean true; GitHub reads it as 'on'.
        JsonNode on = wf.has("on") ? wf.get("on") : wf.get("true");
        assertTrue(on != null && on.path("push").isObject(), "a push trigger: " + wf);
        assertTrue(wf.path("jobs").isObject() && wf.path("jobs").size() >= 1);
        for (JsonNode job : toList(wf.path("jobs"))) {
            assertTrue(job.path("runs-on").isTextual(), "runs-on: " + job);
            assertEquals("write", job.path("permissions").path("id-token").asText(), "keyless signing needs id-token");
            assertExpressions(job.path("env").toString(), Set.of("github", "secrets"));
            assertTrue(job.path("steps").isArray() && job.path("steps").size() > 0);
            for (JsonNode step : toList(job.path("steps"))) {
                assertTrue(step.has("uses") ^ step.has("run"), "a step uses an action or runs a script: " + step);
                String uses = step.path("uses").asText();
                assertTrue(!step.has("uses") || uses.matches("[\\w.-]+/[\\w.-]+(/[\\w./-]+)?@[\\w.-]+"), uses);
                assertTrue(!step.has("with") || step.has("uses"), "with belongs to uses: " + step);
                assertExpressions(step.toString(), Set.of("github", "env", "secrets"));
            }
        }
    }

    @Test
    void theGitlabJobHasWhatGitlabRequires() throws Exception {
        JsonNode ci = recipes().get(1);
        Set<String> reserved = Set.of("stages", "variables", "default", "include", "workflow", "image", "services");
        List<String> jobs = new ArrayList<>();
        ci.fieldNames().forEachRemaining(n -> {
            if (!reserved.contains(n) && !n.startsWith(".")) {
                jobs.add(n);
            }
        });
        assertEquals(List.of("release-image"), jobs);
        JsonNode job = ci.path("release-image");
        assertTrue(job.path("image").isTextual());
        assertEquals("sigstore", job.path("id_tokens").path("SIGSTORE_ID_TOKEN").path("aud").asText());
        assertTrue(job.path("script").isArray() && job.path("script").size() > 0);
        Set<String> defined = new java.util.TreeSet<>();
        job.path("variables").fieldNames().forEachRemaining(defined::add);
        for (JsonNode line : toList(job.path("script"))) {
            assertTrue(line.isTextual(), "every script line is a string (a ': ' would make it a map): " + line);
            Matcher var = Pattern.compile("\\$\\{?([A-Z_]+)").matcher(line.asText());
            while (var.find()) {
                String v = var.group(1);
                assertTrue(defined.contains(v) || v.startsWith("CI_"), v + " is neither the job's nor GitLab's");
            }
        }
        for (JsonNode value : toList(job.path("variables"))) {
            Matcher var = Pattern.compile("\\$\\{?([A-Z_]+)").matcher(value.asText());
            while (var.find()) {
                assertTrue(var.group(1).startsWith("CI_"), value.asText());
            }
        }
        assertTrue(job.path("artifacts").path("paths").isArray());
    }

    @Test
    void theActionHasWhatAnActionNeeds() throws Exception {
        JsonNode action = YAML.readTree(Path.of("../action.yml").toFile());
        assertTrue(action.path("name").isTextual() && action.path("description").isTextual());
        Set<String> inputs = new java.util.TreeSet<>();
        action.path("inputs").fieldNames().forEachRemaining(inputs::add);
        for (JsonNode step : toList(action.path("runs").path("steps"))) {
            assertTrue(step.has("uses") ^ step.has("run"), step.toString());
            assertTrue(!step.has("run") || step.path("shell").isTextual(), "a composite run step names its shell");
            assertExpressions(step.toString(), Set.of("inputs", "github", "env"));
            Matcher used = Pattern.compile("inputs\\.([\\w-]+)").matcher(step.toString());
            while (used.find()) {
                assertTrue(inputs.contains(used.group(1)), used.group(1) + " is not an input");
            }
        }
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
