package dev.distill.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distill.attest.image.Attachments;
import dev.distill.oci.ImageReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill tree IMAGE}: what is attached to an image, in both storages. */
@Command(name = "tree", mixinStandardHelpOptions = true,
        description = {"List the signatures, attestations and other artifacts attached to an image: cosign's "
                + "sha256-<hex>.sig/.att tags and OCI 1.1 referrers (or their sha256-<hex> fallback tag). A "
                + "listing of what the registry claims, not a verification: use verify and verify-attestation."},
        footer = {"", "Example:", "  distill tree registry.example/app:1.0"})
final class TreeCommand implements Callable<Integer> {
    @Parameters(paramLabel = "IMAGE", description = "A registry reference (registry:REF or REF).")
    String image;

    @CommandLine.Mixin
    RegistryMixin registry;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json.")
    String output;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!output.equals("text") && !output.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown output '" + output + "'");
        }
        ImageReference ref = SignCommand.reference(image, spec.commandLine());
        var client = registry.client();
        Feedback feedback = main.feedback();
        // No layer is read: the steps are the registry's answers (the tag, then both storages' listings).
        feedback.step("resolve", ref.toString(), 1, 2);
        var digest = client.resolve(ref);
        feedback.step("list", "what is attached to " + digest, 2, 2);
        List<Attachments.Item> items = Attachments.list(client, ref.withDigest(digest));
        feedback.clear();
        var out = spec.commandLine().getOut();
        if (output.equals("json")) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(
                    Map.of("image", ref.registry() + "/" + ref.repository() + "@" + digest,
                            "attached", items)));
        } else {
            draw(ref.registry() + "/" + ref.repository() + "@" + digest, items).forEach(out::println);
        }
        out.flush();
        return Main.OK;
    }

    /**
     * The image, its storages and their items as a tree: every child but the last hangs from {@code ├──}, the last
     * from {@code └──}, and the items of a storage that is not the last continue its line with {@code │}.
     */
    static List<String> draw(String image, List<Attachments.Item> items) {
        List<String> lines = new ArrayList<>();
        lines.add(image);
        if (items.isEmpty()) {
            lines.add("  (nothing attached)");
            return lines;
        }
        Map<String, List<Attachments.Item>> byStorage = new LinkedHashMap<>();
        items.forEach(i -> byStorage.computeIfAbsent(i.storage(), s -> new ArrayList<>()).add(i));
        int s = 0;
        for (Map.Entry<String, List<Attachments.Item>> storage : byStorage.entrySet()) {
            boolean lastStorage = ++s == byStorage.size();
            lines.add((lastStorage ? "└── " : "├── ") + storage.getKey());
            List<Attachments.Item> children = storage.getValue();
            for (int c = 0; c < children.size(); c++) {
                Attachments.Item i = children.get(c);
                StringBuilder line = new StringBuilder(lastStorage ? "    " : "│   ")
                        .append(c == children.size() - 1 ? "└── " : "├── ").append(i.kind()).append(' ')
                        .append(i.digest());
                i.claims().forEach((k, v) -> line.append("  ").append(k).append('=').append(v));
                lines.add(line.toString());
            }
        }
        return lines;
    }
}
