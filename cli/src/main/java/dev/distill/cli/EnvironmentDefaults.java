package dev.distill.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option's default from the environment: {@code --max-file-size} from {@code DISTILL_MAX_FILE_SIZE}, as syft
 * reads {@code SYFT_*}, so that a CI job sets its choices once. A value on the command line wins; the variable is
 * named in the option's help.
 */
final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {
    private final Map<String, String> env;

    EnvironmentDefaults(Map<String, String> env) {
        this.env = env;
    }

    /** The variable that holds an option's default. */
    static String variable(OptionSpec option) {
        return "DISTILL_" + option.longestName().replaceFirst("^-+", "").toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static boolean eligible(OptionSpec option) {
        return !option.usageHelp() && !option.versionHelp();
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (arg instanceof OptionSpec option && eligible(option)) {
            return env.get(variable(option)); // null: the option's own default
        }
        return null;
    }

    /** Reads defaults from the environment in the command and all its subcommands, and says so in their help. */
    static void install(CommandLine cl, Map<String, String> env) {
        cl.setDefaultValueProvider(new EnvironmentDefaults(env));
        document(cl);
    }

    /**
     * Appends "Env: DISTILL_X." to each option's description. Option specs are immutable, so each one is rebuilt
     * from itself (same names, same binding to its field) with the longer description, in its place.
     */
    private static void document(CommandLine cl) {
        CommandSpec spec = cl.getCommandSpec();
        // Inherited options (--stacktrace) are copied into every subcommand by picocli; rebuilding them would add
        // them twice, so their own description names the variable.
        List<OptionSpec> options = new ArrayList<>(spec.options().stream()
                .filter(o -> !o.inherited() && o.scopeType() != CommandLine.ScopeType.INHERIT).toList());
        options.forEach(spec::remove);
        for (OptionSpec o : options) {
            if (eligible(o)) {
                String[] description = Arrays.copyOf(o.description(), Math.max(1, o.description().length));
                int last = description.length - 1;
                description[last] = (description[last] == null ? "" : description[last] + " ") + "Env: "
                        + variable(o) + ".";
                spec.addOption(OptionSpec.builder(o).description(description).build());
            } else {
                spec.addOption(o);
            }
        }
        cl.getSubcommands().values().forEach(EnvironmentDefaults::document);
    }
}
