package dev.distill.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.distill.oci.Image;
import dev.distill.oci.ImageSources;
import dev.distill.sbom.tree.FileTree;
import dev.distill.sbom.tree.FileTreeBuilder;
import dev.distill.sbom.tree.TreeOptions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill inspect IMAGE}: what an image is made of, read and verified layer by layer. */
@Command(name = "inspect",
        description = {"Show an image's manifest, config and layers, after streaming every layer once and checking "
                + "every digest."},
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:",
            "  distill inspect fixtures/distroless-base",
            "  distill inspect oci:fixtures/multi-platform --platform linux/arm64",
            "  distill inspect docker-archive:image.tar:myapp:1.0 --output json"})
final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "IMAGE", description = "The image to read.")
    String image;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json.")
    String output;

    @Mixin
    ImageOptions imageOptions;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!output.equals("text") && !output.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown output format '" + output + "' (expected text or json)");
        }
        TreeOptions treeOptions;
        try {
            treeOptions = TreeOptions.defaults().withLimits(imageOptions.limits());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try (Image img = ImageSources.open(image, imageOptions.sourceOptions());
             FileTree tree = FileTreeBuilder.build(img, treeOptions, main.feedback())) {
            ImageReport report = ImageReport.of(img, tree);
            main.feedback().clear();
            PrintWriter out = spec.commandLine().getOut();
            if (output.equals("json")) {
                out.println(JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build()
                        .writeValueAsString(report));
            } else {
                report.printText(out);
            }
            out.flush();
        }
        return Main.OK;
    }
}
