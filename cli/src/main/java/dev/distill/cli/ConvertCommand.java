package dev.distill.cli;

import dev.distill.sbom.format.SbomReader;
import dev.distill.sbom.model.Sbom;
import dev.distill.sbom.model.ToolInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code distill convert SBOM -o FORMAT[=FILE]...}: an SPDX 2 or CycloneDX document into other formats. */
@Command(name = "convert",
        description = {"Convert an SBOM between formats. Reads SPDX 2.x (JSON, tag-value), SPDX 3 (JSON-LD) and "
                + "CycloneDX (JSON, XML); "
                + "writes every format 'distill sbom' writes. What the input format does not carry (CycloneDX has "
                + "no owned files, SPDX no package properties) is not invented."},
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:",
            "  distill convert sbom.spdx.json -o cyclonedx-json=sbom.cdx.json",
            "  distill convert bom.xml -o spdx-tag-value"})
final class ConvertCommand implements Callable<Integer> {
    /** Upper bound on an input document; SBOMs of the largest images stay far below it. */
    private static final long MAX_INPUT = 1L << 30;

    @Parameters(paramLabel = "SBOM", description = "The document to read.")
    Path input;

    @Mixin
    OutputOptions outputs;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Outputs plan = outputs.plan(spec.commandLine());
        Instant fallback = Outputs.sourceDateEpoch(main.env(), spec.commandLine());
        if (Files.isRegularFile(input) && Files.size(input) > MAX_INPUT) {
            throw new dev.distill.sbom.format.SbomFormatException(input + " is larger than 1 GiB");
        }
        main.feedback().step("read", input.toString(), 1, 1);
        byte[] data = Files.readAllBytes(input);
        Sbom read = SbomReader.read(data, input.toString(), fallback != null ? fallback : Instant.EPOCH);
        Sbom sbom = new Sbom(read.source(), read.distro(), read.packages(), read.relationships(), read.unknowns(),
                new ToolInfo("distill", Main.version()), read.created());
        plan.write(sbom, spec.commandLine().getOut(), main.feedback());
        // Said once per format, after the output: what the input had that the output format has no place for.
        plan.notCarried(sbom).forEach(line -> main.feedback().note("distill: " + line));
        return Main.OK;
    }
}
