package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's help: its examples print whole and each one parses as the command it shows. */
class HelpTest {
    /** Every command and subcommand, by its qualified name without "distill". */
    private static Map<String, CommandLine> commands() {
        CommandLine root = new CommandLine(new Main());
        Main.addSubcommands(root);
        Map<String, CommandLine> all = new java.util.TreeMap<>();
        collect(root, all);
        return all;
    }

    private static void collect(CommandLine cl, Map<String, CommandLine> into) {
        into.put(cl.getCommandSpec().qualifiedName(" "), cl);
        cl.getSubcommands().values().forEach(sub -> collect(sub, into));
    }

    @Test
    void examplesArePrintedWholeAndParse() {
        int examples = 0;
        for (Map.Entry<String, CommandLine> c : commands().entrySet()) {
            String[] words = c.getKey().split(" ");
            List<String> helpArgs = new ArrayList<>(List.of(words).subList(1, words.length));
            helpArgs.add("--help");
            String help = MainTest.run(helpArgs.toArray(String[]::new)).out();
            for (String line : c.getValue().getCommandSpec().usageMessage().footer()) {
                if (!line.startsWith("  ") || !line.contains("distill ")) {
                    continue;
                }
                assertTrue(help.contains(line + "\n"), c.getKey() + ": example not printed whole: " + line);
                // Drop the environment assignments (DISTILL_PASSWORD=...), then parse what follows "distill".
                String command = line.substring(line.indexOf("distill ") + "distill ".length()).split(" [>|] ")[0]
                        .strip();
                String[] args = command.split(" +");
                CommandLine fresh = new CommandLine(new Main());
                Main.addSubcommands(fresh, args);
                fresh.parseArgs(args); // throws on an option the command does not have
                examples++;
            }
        }
        assertTrue(examples > 20, "examples found: " + examples);
    }

    @Test
    void theTopLevelHelpNamesEveryImageSource() {
        String help = MainTest.run("--help").out();
        for (String source : List.of("oci:DIR", "oci-archive:FILE", "docker-archive:FILE", "dir:DIR", "registry:REF")) {
            assertTrue(help.contains(source), source + " missing from:\n" + help);
        }
        String sbom = MainTest.run("sbom", "--help").out();
        assertTrue(sbom.contains("language") && sbom.contains("OS packages"), sbom);
        assertFalse(HelpFooter.wrap("a b c", 3).isEmpty());
        assertEquals(List.of("aa bb", "cc"), HelpFooter.wrap("aa bb cc", 5));
    }
}
