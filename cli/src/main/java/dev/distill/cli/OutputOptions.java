package dev.distill.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The {@code -o FORMAT[=FILE]} option of the commands that write SBOMs. */
final class OutputOptions {
    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT[=FILE]",
            description = "An output format, written to FILE or else to standard output; repeatable "
                    + "(default: table).")
    List<String> specs = new ArrayList<>();

    Outputs plan(CommandLine commandLine) {
        return Outputs.plan(specs, commandLine);
    }
}
