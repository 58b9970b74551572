package dev.distill.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.oci.Image;
import dev.distill.oci.ImageSources;
import dev.distill.sbom.SbomOptions;
import dev.distill.sbom.audit.AuditReport;
import dev.distill.sbom.audit.Auditor;
import dev.distill.sbom.audit.Category;
import dev.distill.sbom.audit.Finding;
import dev.distill.sbom.model.ToolInfo;
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

/** {@code distill audit IMAGE}: how far an image is from distroless, and a gate for CI. */
@Command(name = "audit",
        description = {"Report what an image carries that its application does not need: shells, package "
                + "managers, network tools, compilers, set-ID programs, world-writable paths, device nodes, a root "
                + "user, secret-looking variables, shell entrypoints, files no package owns, and bytes hidden in "
                + "lower layers. Score: 100 minus the points of each category found."},
        mixinStandardHelpOptions = true,
        footer = {"", "Categories for --fail-on: shell, package-manager, setuid, root, secret-env, network-tool,",
            "compiler, world-writable, shell-entrypoint, device, no-entrypoint, unowned, wasted, exposed-port.",
            "", "Examples:",
            "  distill audit fixtures/distroless-base",
            "  distill audit registry:ghcr.io/org/app:1.0 --fail-on shell,package-manager,root",
            "  distill audit image.tar -o sarif > audit.sarif"})
final class AuditCommand implements Callable<Integer> {
    @Parameters(paramLabel = "IMAGE", description = "The image to audit.")
    String image;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default), json or sarif.")
    String output;

    @Option(names = "--fail-on", paramLabel = "CATEGORY", split = ",",
            description = "Exit 1 when any finding is in one of these categories.")
    List<String> failOn = new ArrayList<>();

    @Mixin
    ImageOptions imageOptions;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!List.of("text", "json", "sarif").contains(output)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown output format '" + output + "' (text, json or sarif)");
        }
        Set<Category> gate = EnumSet.noneOf(Category.class);
        for (String c : failOn) {
            try {
                gate.add(Category.parse(c.strip()));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        AuditReport report;
        try (Image img = ImageSources.open(image, imageOptions.sourceOptions())) {
            report = Auditor.audit(img, SbomOptions.defaults(new ToolInfo("distill", Main.version()))
                    .withLimits(imageOptions.limits()), main.feedback());
        }
        main.feedback().clear();
        PrintWriter out = spec.commandLine().getOut();
        switch (output) {
            case "json" -> out.println(mapper().writeValueAsString(report));
            case "sarif" -> out.println(mapper().writeValueAsString(sarif(report)));
            default -> text(report, out);
        }
        out.flush();
        List<String> hit = report.findings().stream().map(Finding::category).filter(gate::contains).distinct()
                .map(Category::id).toList();
        if (!hit.isEmpty()) {
            spec.commandLine().getErr().println("distill: audit failed: " + String.join(", ", hit));
            return Main.FAILED;
        }
        return Main.OK;
    }

    private static ObjectMapper mapper() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    private static void text(AuditReport r, PrintWriter out) {
        out.printf("Image:   %s%n", r.reference());
        if (r.digest() != null) {
            out.printf("Digest:  %s%n", r.digest());
        }
        out.printf("Score:   %d/100%n%n", r.score());
        if (r.findings().isEmpty()) {
            out.println("No findings.");
        } else {
            out.printf("%-8s %-16s %-44s %s%n", "SEVERITY", "CATEGORY", "PATH", "DETAIL");
            for (Finding f : r.findings()) {
                out.printf("%-8s %-16s %-44s %s%s%n", f.category().severity().name().toLowerCase(Locale.ROOT),
                        f.category().id(), f.path() == null ? "(image)" : f.path(), f.detail(),
                        f.owner() == null ? "" : "  [" + f.owner() + "]");
            }
        }
        out.println();
        out.println("Layers:");
        for (AuditReport.LayerSize l : r.layers()) {
            out.printf("  %d  %s  %s compressed, %s uncompressed%n", l.number(), l.digest(),
                    ImageReport.human(l.compressedBytes()), ImageReport.human(l.uncompressedBytes()));
        }
        out.println("Largest packages:");
        for (AuditReport.PackageSize p : r.packages().subList(0, Math.min(10, r.packages().size()))) {
            out.printf("  %-10s %s %s (%s)%n", ImageReport.human(p.bytes()), p.name(), p.version(), p.type());
        }
        out.println("Largest files:");
        for (AuditReport.FileSize f : r.largestFiles()) {
            out.printf("  %-10s %s%s%n", ImageReport.human(f.bytes()), f.path(),
                    f.owner() == null ? "  (no package)" : "");
        }
    }

    /** SARIF 2.1.0 for code-scanning UIs: one rule per category, one result per finding. */
    static ObjectNode sarif(AuditReport r) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
        root.put("version", "2.1.0");
        ObjectNode run = root.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "distill");
        driver.put("version", Main.version());
        ArrayNode rules = driver.putArray("rules");
        for (Category c : Category.values()) {
            ObjectNode rule = rules.addObject();
            rule.put("id", c.id());
            rule.putObject("shortDescription").put("text", c.why());
            rule.putObject("defaultConfiguration").put("level", level(c));
        }
        ArrayNode results = run.putArray("results");
        for (Finding f : r.findings()) {
            ObjectNode res = results.addObject();
            res.put("ruleId", f.category().id());
            res.put("level", level(f.category()));
            res.putObject("message").put("text", f.detail() + " (" + f.category().why() + ")");
            String uri = f.path() == null ? r.reference() : f.path().substring(1);
            res.putArray("locations").addObject().putObject("physicalLocation").putObject("artifactLocation")
                    .put("uri", uri);
        }
        return root;
    }

    private static String level(Category c) {
        return switch (c.severity()) {
            case HIGH -> "error";
            case MEDIUM -> "warning";
            case LOW, INFO -> "note";
        };
    }
}
