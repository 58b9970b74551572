package dev.distill.cli;

import dev.distill.oci.Image;
import dev.distill.oci.ImageSources;
import dev.distill.sbom.SbomGenerator;
import dev.distill.sbom.SbomOptions;
import dev.distill.sbom.format.SbomFormat;
import dev.distill.sbom.format.SbomWriter;
import dev.distill.sbom.model.Sbom;
import dev.distill.sbom.model.ToolInfo;
import dev.distill.sbom.tree.Scope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill sbom IMAGE -o FORMAT[=FILE]...}: one walk of the image, any number of formats. */
@Command(name = "sbom",
        description = {"Write a software bill of materials of an image: its OS packages, with the files they own, "
                + "their licenses and the layer that introduced them."},
        mixinStandardHelpOptions = true,
        footer = {"", "Formats: spdx-json, spdx-tag-value, spdx3-json, cyclonedx-json, cyclonedx-xml (add @1.4 or @1.5 "
                + "for older CycloneDX schemas), table.",
            "Timestamps come from SOURCE_DATE_EPOCH, else the image's creation time; identical inputs give "
                + "byte-identical files.",
            "", "Examples:",
            "  distill sbom fixtures/distroless-base",
            "  distill sbom fixtures/distroless-base -o spdx-json=sbom.spdx.json -o cyclonedx-json=sbom.cdx.json",
            "  distill sbom docker-archive:app.tar -o cyclonedx-xml@1.5=bom.xml --scope all-layers"})
final class SbomCommand implements Callable<Integer> {
    @Parameters(paramLabel = "IMAGE", description = "The image to describe.")
    String image;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT[=FILE]",
            description = "An output format, written to FILE or else to standard output; repeatable "
                    + "(default: table).")
    List<String> outputs = new ArrayList<>();

    @Option(names = "--scope", paramLabel = "SCOPE", defaultValue = "squashed",
            description = "squashed (the final filesystem, default) or all-layers (also what upper layers hid).")
    String scope;

    @Mixin
    ImageOptions imageOptions;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private record Output(String format, SbomWriter writer, Path file) {
    }

    @Override
    public Integer call() throws Exception {
        List<Output> plan = plan();
        SbomOptions options = SbomOptions.defaults(new ToolInfo("distill", Main.version()))
                .withScope(scope())
                .withLimits(limits())
                .withTimestamp(sourceDateEpoch());
        Sbom sbom;
        try (Image img = ImageSources.open(image, imageOptions.sourceOptions())) {
            sbom = SbomGenerator.generate(img, options);
        }
        // Render everything before writing anything: a failure leaves no file behind.
        List<byte[]> rendered = new ArrayList<>();
        for (Output o : plan) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            o.writer().write(sbom, buf);
            rendered.add(buf.toByteArray());
        }
        PrintWriter out = spec.commandLine().getOut();
        for (int i = 0; i < plan.size(); i++) {
            byte[] bytes = rendered.get(i);
            if (plan.get(i).file() == null) {
                out.print(new String(bytes, StandardCharsets.UTF_8));
                out.flush();
            } else {
                AtomicFiles.write(plan.get(i).file(), o -> o.write(bytes));
            }
        }
        return Main.OK;
    }

    private List<Output> plan() {
        List<String> specs = outputs.isEmpty() ? List.of("table") : outputs;
        List<Output> plan = new ArrayList<>();
        int toStdout = 0;
        for (String s : specs) {
            int eq = s.indexOf('=');
            String format = eq < 0 ? s : s.substring(0, eq);
            String file = eq < 0 ? null : s.substring(eq + 1);
            if (file != null && file.isEmpty()) {
                throw usage("empty file name in -o " + s);
            }
            SbomWriter writer;
            try {
                writer = SbomFormat.writer(format);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
            if (file == null && ++toStdout > 1) {
                throw usage("only one output can go to standard output; give the others a file (-o FORMAT=FILE)");
            }
            plan.add(new Output(format, writer, file == null ? null : Path.of(file)));
        }
        return plan;
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

    private Instant sourceDateEpoch() {
        String v = main.env().get("SOURCE_DATE_EPOCH");
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(v.strip()));
        } catch (NumberFormatException e) {
            throw usage("SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01, not '" + v + "'");
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
