package dev.distill.cli;

import dev.distill.oci.Image;
import dev.distill.oci.ImageSources;
import dev.distill.sbom.SbomGenerator;
import dev.distill.sbom.SbomOptions;
import dev.distill.sbom.model.Sbom;
import dev.distill.sbom.model.ToolInfo;
import dev.distill.sbom.tree.Scope;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill sbom IMAGE -o FORMAT[=FILE]...}: one walk of the image, any number of formats. */
@Command(name = "sbom",
        description = {"Write a software bill of materials of an image: its OS packages (dpkg, apk, rpm) and language "
                + "packages (Java archives, Python, npm, Go and Rust binaries), with the files they own, their "
                + "licenses and the layer that introduced them."},
        mixinStandardHelpOptions = true,
        footer = {"", "Formats: spdx-json, spdx-tag-value, spdx3-json, cyclonedx-json, cyclonedx-xml (1.6; add @1.7, @1.5 or "
                + "@1.4 for another CycloneDX schema), table.",
            "Timestamps come from SOURCE_DATE_EPOCH, else the image's creation time; identical inputs give "
                + "byte-identical files.",
            "", "Examples:",
            "  distill sbom fixtures/distroless-base",
            "  distill sbom fixtures/distroless-base -o spdx-json=sbom.spdx.json -o cyclonedx-json=sbom.cdx.json",
            "  distill sbom docker-archive:app.tar -o cyclonedx-xml@1.5=bom.xml --scope all-layers"})
final class SbomCommand implements Callable<Integer> {
    @Parameters(paramLabel = "IMAGE", description = "The image to describe.")
    String image;

    @Mixin
    OutputOptions outputs;

    @Option(names = "--scope", paramLabel = "SCOPE", defaultValue = "squashed",
            description = "squashed (the final filesystem, default) or all-layers (also what upper layers hid).")
    String scope;

    @Mixin
    ImageOptions imageOptions;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Outputs plan = outputs.plan(spec.commandLine());
        plan.prepareInBackground();
        SbomOptions options = SbomOptions.defaults(new ToolInfo("distill", Main.version()))
                .withScope(scope())
                .withLimits(limits())
                .withTimestamp(Outputs.sourceDateEpoch(main.env(), spec.commandLine()));
        Sbom sbom;
        Feedback feedback = main.feedback();
        try (Image img = ImageSources.open(image, imageOptions.sourceOptions())) {
            sbom = SbomGenerator.generate(img, options, false, (s, tree) -> s, feedback);
        }
        plan.write(sbom, spec.commandLine().getOut(), feedback);
        return Main.OK;
    }

    private Scope scope() {
        return switch (scope.toLowerCase(Locale.ROOT)) {
            case "squashed" -> Scope.SQUASHED;
            case "all-layers" -> Scope.ALL_LAYERS;
            default -> throw usage("unknown scope '" + scope + "' (squashed or all-layers)");
        };
    }

    private dev.distill.sbom.tree.TreeLimits limits() {
        try {
            return imageOptions.limits();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
