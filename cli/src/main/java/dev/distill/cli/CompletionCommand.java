package dev.distill.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Parameters;

/**
 * {@code distill completion bash|zsh|fish}: a completion script for the shell. bash and zsh get picocli's
 * AutoComplete script (zsh loads it through bashcompinit, which the script itself turns on); picocli writes no
 * fish script, so the fish one is written here from the same command model: subcommands, then each one's options.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print a shell completion script for distill."},
        footer = {"", "Examples:",
            "  source <(distill completion bash)",
            "  distill completion zsh > \"${fpath[1]}/_distill\"",
            "  distill completion fish > ~/.config/fish/completions/distill.fish"})
final class CompletionCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SHELL", description = "bash, zsh or fish.")
    String shell;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine all = new CommandLine(new Main());
        Main.addSubcommands(all);
        String script = switch (shell) {
            case "bash", "zsh" -> AutoComplete.bash("distill", all);
            case "fish" -> fish(all);
            default -> throw new CommandLine.ParameterException(spec.commandLine(), "unknown shell '" + shell
                    + "' (bash, zsh or fish)");
        };
        main.feedback().step("writer", shell + " completion script", 1, 1);
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return Main.OK;
    }

    static String fish(CommandLine root) {
        StringBuilder out = new StringBuilder("# fish completion for distill (distill completion fish)\n");
        out.append("complete -c distill -f\n");
        options(out, root.getCommandSpec(), "__fish_use_subcommand");
        for (Map.Entry<String, CommandLine> sub : root.getSubcommands().entrySet()) {
            out.append("complete -c distill -n __fish_use_subcommand -a ").append(sub.getKey())
                    .append(" -d ").append(quote(summary(sub.getValue().getCommandSpec()))).append('\n');
            String seen = "'__fish_seen_subcommand_from " + sub.getKey() + "'";
            for (Map.Entry<String, CommandLine> nested : sub.getValue().getSubcommands().entrySet()) {
                out.append("complete -c distill -n ").append(seen).append(" -a ").append(nested.getKey())
                        .append(" -d ").append(quote(summary(nested.getValue().getCommandSpec()))).append('\n');
                options(out, nested.getValue().getCommandSpec(), "'__fish_seen_subcommand_from "
                        + nested.getKey() + "'");
            }
            options(out, sub.getValue().getCommandSpec(), seen);
        }
        return out.toString();
    }

    private static void options(StringBuilder out, CommandSpec spec, String condition) {
        for (OptionSpec o : spec.options()) {
            out.append("complete -c distill -n ").append(condition);
            for (String name : o.names()) {
                out.append(name.startsWith("--") ? " -l " + name.substring(2) : " -s " + name.substring(1));
            }
            if (o.arity().max() > 0) {
                out.append(" -r");
                if (o.type() == java.nio.file.Path.class || o.type() == java.io.File.class) {
                    out.append(" -F");
                }
            }
            out.append(" -d ").append(quote(o.description().length == 0 ? "" : o.description()[0])).append('\n');
        }
    }

    private static String summary(CommandSpec spec) {
        String[] d = spec.usageMessage().description();
        String first = d.length == 0 ? "" : d[0];
        int stop = first.indexOf(". ");
        return stop > 0 ? first.substring(0, stop) : first.replaceAll("\\.$", "");
    }

    private static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
