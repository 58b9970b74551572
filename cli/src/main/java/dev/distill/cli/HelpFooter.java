package dev.distill.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * The footer of every command's help, with examples kept whole. picocli wraps footer lines at the help width,
 * which broke example commands in the middle ({@code -o\ncyclonedx-json=...}) so that pasting them failed. Here
 * prose lines are wrapped as before and indented lines (the examples) are printed as they are written.
 */
final class HelpFooter {
    private HelpFooter() {
    }

    /** Installs the footer renderer on the command and on all its subcommands. */
    static void install(CommandLine cl) {
        cl.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_FOOTER, HelpFooter::render);
        for (CommandLine sub : cl.getSubcommands().values()) {
            install(sub);
        }
    }

    static String render(Help help) {
        StringBuilder out = new StringBuilder();
        int width = help.commandSpec().usageMessage().width();
        for (String line : help.commandSpec().usageMessage().footer()) {
            if (line.startsWith(" ")) {
                out.append(line).append(System.lineSeparator());
            } else {
                for (String wrapped : wrap(line, width)) {
                    out.append(wrapped).append(System.lineSeparator());
                }
            }
        }
        return out.toString();
    }

    /** Greedy word wrap; a word longer than the width gets a line of its own. */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}
