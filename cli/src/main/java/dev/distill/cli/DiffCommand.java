package dev.distill.cli;

import dev.distill.sbom.SbomOptions;
import dev.distill.sbom.diff.DiffReport;
import dev.distill.sbom.diff.PackageChange;
import dev.distill.sbom.diff.SbomDiff;
import dev.distill.sbom.model.Sbom;
import dev.distill.sbom.model.ToolInfo;
import dev.distill.sbom.tree.Scope;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill diff OLD NEW}: packages added, removed and changed between two images or SBOMs. */
@Command(name = "diff",
        description = {"Show which packages were added, removed or changed (version, license, layer) between two "
                + "images or SBOM documents (any format 'distill convert' reads; a file that starts like one, or "
                + "sbom:FILE). Packages are matched by purl without version, else by type and name."},
        mixinStandardHelpOptions = true,
        footer = {"", "Exit codes: 0 (also when packages changed, unless --fail-on names the kind), 1 when --fail-on "
                + "matched, 2 usage, 3 an input that cannot be read.",
            "", "Examples:",
            "  distill diff registry:ghcr.io/org/app:1.0 registry:ghcr.io/org/app:1.1",
            "  distill diff old.spdx.json new.cdx.json -o json",
            "  distill diff sbom:released.spdx.json oci:build/image --fail-on added,removed"})
final class DiffCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "OLD", description = "The image or SBOM before.")
    String before;

    @Parameters(index = "1", paramLabel = "NEW", description = "The image or SBOM after.")
    String after;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json.")
    String output;

    @Option(names = "--fail-on", paramLabel = "KIND", split = ",",
            description = "Exit 1 when there is a change of one of these kinds: added, removed, changed.")
    List<String> failOn = new ArrayList<>();

    @Option(names = "--scope", paramLabel = "SCOPE", defaultValue = "squashed",
            description = "For images: squashed (default) or all-layers.")
    String scope;

    @Mixin
    ImageOptions imageOptions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!List.of("text", "json").contains(output)) {
            throw usage("unknown output format '" + output + "' (text or json)");
        }
        Set<PackageChange.Kind> gate = EnumSet.noneOf(PackageChange.Kind.class);
        for (String k : failOn) {
            gate.add(kind(k.strip()));
        }
        SbomOptions options = SbomOptions.defaults(new ToolInfo("distill", Main.version())).withScope(scope())
                .withLimits(imageOptions.limits());
        Sbom old = SbomDiff.load(before, imageOptions.sourceOptions(), options);
        Sbom now = SbomDiff.load(after, imageOptions.sourceOptions(), options);
        DiffReport report = SbomDiff.compare(before, old, after, now);
        PrintWriter out = spec.commandLine().getOut();
        out.print(output.equals("json") ? report.json() : report.text());
        out.flush();
        List<String> hit = gate.stream().filter(k -> report.count(k) > 0).map(PackageChange.Kind::id).toList();
        if (!hit.isEmpty()) {
            spec.commandLine().getErr().println("distill: diff failed: packages " + String.join(", ", hit));
            return Main.FAILED;
        }
        return Main.OK;
    }

    private PackageChange.Kind kind(String k) {
        for (PackageChange.Kind kind : PackageChange.Kind.values()) {
            if (kind.id().equals(k.toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw usage("unknown kind '" + k + "' for --fail-on (added, removed, changed)");
    }

    private Scope scope() {
        return switch (scope.toLowerCase(Locale.ROOT)) {
            case "squashed" -> Scope.SQUASHED;
            case "all-layers" -> Scope.ALL_LAYERS;
            default -> throw usage("unknown scope '" + scope + "' (squashed or all-layers)");
        };
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
