package dev.distill.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distill.attest.image.Attachments;
import dev.distill.oci.ImageReference;
import java.util.List;
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

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!output.equals("text") && !output.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown output '" + output + "'");
        }
        ImageReference ref = SignCommand.reference(image, spec.commandLine());
        var client = registry.client();
        var digest = client.resolve(ref);
        List<Attachments.Item> items = Attachments.list(client, ref.withDigest(digest));
        var out = spec.commandLine().getOut();
        if (output.equals("json")) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(
                    java.util.Map.of("image", ref.registry() + "/" + ref.repository() + "@" + digest,
                            "attached", items)));
        } else {
            out.println(ref.registry() + "/" + ref.repository() + "@" + digest);
            if (items.isEmpty()) {
                out.println("  (nothing attached)");
            }
            String storage = null;
            for (Attachments.Item i : items) {
                if (!i.storage().equals(storage)) {
                    storage = i.storage();
                    out.println("└── " + storage);
                }
                StringBuilder line = new StringBuilder("    ├── " + i.kind() + " " + i.digest());
                i.claims().forEach((k, v) -> line.append("  ").append(k).append('=').append(v));
                out.println(line);
            }
        }
        out.flush();
        return Main.OK;
    }
}
