package dev.distill.cli;

import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.provenance.SlsaProvenance;
import dev.distill.attest.sign.Signer;
import dev.distill.attest.store.PlatformSubjects;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill attest IMAGE --predicate F --type T [--key K]}: a signed in-toto statement next to the image. */
@Command(name = "attest", mixinStandardHelpOptions = true,
        description = {"Attest a predicate (an SBOM, provenance, any JSON) about an image in a registry: an in-toto "
                + "Statement v1 whose subject is the image's digest, in a DSSE envelope signed with a key or keyless "
                + "(Fulcio certificate, Rekor v2 entry, TSA timestamp), stored under the sha256-<hex>.att tag as "
                + "cosign stores attestations."},
        footer = {"", "Example:", "  distill sbom registry.example/app:1.0 -o spdx-json=sbom.spdx.json",
            "  DISTILL_PASSWORD=... distill attest registry.example/app:1.0 --type spdx --predicate sbom.spdx.json "
                + "--key distill.key",
            "  SIGSTORE_ID_TOKEN=... distill attest registry.example/app:1.0 --type spdx --predicate sbom.spdx.json",
            "  SIGSTORE_ID_TOKEN=... distill attest registry.example/app:1.0 --type cyclonedx --sbom"})
final class AttestCommand implements Callable<Integer> {
    @Parameters(paramLabel = "IMAGE", description = "A registry reference (registry:REF or REF).")
    String image;

    @Option(names = "--predicate", paramLabel = "FILE",
            description = "The predicate (JSON). Without it, --type slsaprovenance builds SLSA provenance v1 from the "
                    + "CI environment (GitHub Actions, GitLab CI).")
    Path predicate;

    @Option(names = "--sbom", description = "Generate the predicate: the SBOM (spdx-json for --type spdx, "
            + "cyclonedx-json for --type cyclonedx) of exactly the digest being attested.")
    boolean sbom;

    @Option(names = "--type", paramLabel = "TYPE", required = true,
            description = "spdx, cyclonedx, slsaprovenance, custom, or a predicate type URI.")
    String type;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", converter = ImageOptions.PlatformConverter.class,
            description = "Attest about this platform's manifest of a multi-platform index (its digest, and for "
                    + "--sbom its filesystem).")
    dev.distill.oci.Platform platform;

    @Option(names = "--all-platforms", description = "One attestation per platform manifest of a multi-platform "
            + "index, each about that manifest's digest (for --sbom, the SBOM of that platform's filesystem).")
    boolean allPlatforms;

    @Option(names = "--include-index", description = "With --all-platforms, also one about the index's own digest "
            + "(not with --sbom: an index has no filesystem to describe).")
    boolean includeIndex;

    @CommandLine.Mixin
    SigningKeyMixin signingKey;

    @CommandLine.Mixin
    KeylessMixin keyless;

    @CommandLine.Mixin
    RegistryMixin registry;

    @CommandLine.Mixin
    AttestationSizeMixin attestationSize;

    @CommandLine.Mixin
    StorageMixin storage;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The SBOM of the pinned image in the format the predicate type names. */
    private byte[] sbomOf(ImageReference ref, String predicateType) throws java.io.IOException {
        String format = switch (predicateType) {
            case "https://spdx.dev/Document" -> "spdx-json";
            case "https://cyclonedx.org/bom" -> "cyclonedx-json";
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--sbom makes SBOMs: use it with --type spdx or --type cyclonedx");
        };
        var options = dev.distill.sbom.SbomOptions.defaults(new dev.distill.sbom.model.ToolInfo("distill",
                Main.version())).withTimestamp(Outputs.sourceDateEpoch(main.env(), spec.commandLine()));
        dev.distill.sbom.model.Sbom generated;
        Feedback feedback = main.feedback();
        try (var img = registry.open(ref)) {
            generated = dev.distill.sbom.SbomGenerator.generate(img, options, false, (s, tree) -> s, feedback);
        }
        feedback.step("writer", format, 1, 1);
        var out = new java.io.ByteArrayOutputStream();
        dev.distill.sbom.format.SbomFormat.writer(format).write(generated, out);
        return out.toByteArray();
    }

    @Override
    public Integer call() throws Exception {
        ImageReference ref = SignCommand.reference(image, spec.commandLine());
        String predicateType;
        try {
            predicateType = ImageAttestations.predicateType(type);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        RegistryClient client = registry.client();
        CommandLine cl = spec.commandLine();
        if (platform != null && allPlatforms) {
            throw new CommandLine.ParameterException(cl, "--platform and --all-platforms exclude each other");
        }
        if (includeIndex && !allPlatforms) {
            throw new CommandLine.ParameterException(cl, "--include-index goes with --all-platforms");
        }
        if (includeIndex && sbom) {
            throw new CommandLine.ParameterException(cl, "--include-index with --sbom: an index has no filesystem "
                    + "to describe; attest the index with --predicate");
        }
        if (sbom && predicate != null) {
            throw new CommandLine.ParameterException(cl, "--sbom and --predicate exclude each other");
        }
        byte[] body = null;
        if (sbom) {
            if (!predicateType.equals("https://spdx.dev/Document")
                    && !predicateType.equals("https://cyclonedx.org/bom")) {
                throw new CommandLine.ParameterException(cl, "--sbom makes SBOMs: use it with --type spdx or "
                        + "--type cyclonedx");
            }
        } else if (predicate != null) {
            body = Files.readAllBytes(predicate);
        } else if (predicateType.equals(SlsaProvenance.PREDICATE_TYPE)) {
            body = SlsaProvenance.fromEnvironment(main.env()).orElseThrow(() -> new CommandLine.ParameterException(
                    cl, "no CI environment to build provenance from (GitHub Actions or GitLab CI); "
                    + "pass --predicate"));
        } else {
            throw new CommandLine.ParameterException(cl, "--predicate is required for type " + type);
        }
        // Resolved once: the SBOM and each statement's subject are the same digest, whatever the tag does.
        main.feedback().step("resolve", ref.toString(), 1, 1);
        PlatformSubjects.Selection subjects = PlatformSubjects.select(client, ref, platform, allPlatforms,
                includeIndex);
        if (sbom && subjects.index() && subjects.subjects().get(0).platform() == null) {
            throw new CommandLine.ParameterException(cl, ref + " is a multi-platform index, and --sbom describes "
                    + "one platform's filesystem: pass --all-platforms (one attestation per platform) or --platform "
                    + "OS/ARCH");
        }
        byte[] given = body;
        ImageReference named = ref;
        List<Digest> digests;
        try (Signer signer = signingKey.signer(main, keyless, cl)) {
            digests = storage.store(client, cl).attest(ref, subjects, signer, predicateType,
                    (pinned, s) -> given != null ? given : sbomOf(pinned, predicateType),
                    (d, i, n) -> main.feedback().step("sign", predicateType + " statement about "
                            + named.withDigest(d), i, n));
        }
        main.feedback().clear();
        if (!main.feedback().quiet()) {
            for (int i = 0; i < digests.size(); i++) {
                PlatformSubjects.Subject s = subjects.subjects().get(i);
                cl.getOut().println("Attested " + predicateType + " about " + ref.registry() + "/"
                        + ref.repository() + "@" + digests.get(i) + (subjects.index() ? " (" + subjects.label(s)
                        + ")" : ""));
            }
        }
        spec.commandLine().getOut().flush();
        return Main.OK;
    }
}
