package dev.distill.cli;

import dev.distill.attest.image.ReferrerBundles;
import dev.distill.attest.sign.Signer;
import dev.distill.attest.store.SignatureStore;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill sign IMAGE [--key K]}: a key or keyless signature stored next to the image, as cosign does. */
@Command(name = "sign", mixinStandardHelpOptions = true,
        description = {"Sign an image in a registry, with a key or keyless. The tag is resolved to a digest once "
                + "and the digest is signed; the signature goes to the sha256-<hex>.sig tag of the image's "
                + "repository, where cosign looks for it (keyless: with cosign's certificate, chain and Rekor bundle "
                + "annotations, and the whole Sigstore bundle)."},
        footer = {"", "Examples:", "  DISTILL_PASSWORD=... distill sign registry.example/app:1.0 --key distill.key "
                + "-a git-sha=4f2c1e9", "  SIGSTORE_ID_TOKEN=... distill sign registry.example/app:1.0"})
final class SignCommand implements Callable<Integer> {
    @Parameters(paramLabel = "IMAGE", description = "A registry reference (registry:REF or REF).")
    String image;

    @CommandLine.Mixin
    SigningKeyMixin signingKey;

    @CommandLine.Mixin
    KeylessMixin keyless;

    @Option(names = {"-a", "--annotation"}, paramLabel = "KEY=VALUE", description = "Signed annotations.")
    List<String> annotations = new ArrayList<>();

    @CommandLine.Mixin
    RegistryMixin registry;

    @CommandLine.Mixin
    StorageMixin storage;

    @Option(names = "--all-platforms", description = "Also every platform manifest of a multi-platform image "
            + "(cosign cannot).")
    boolean allPlatforms;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Local media, which the signing commands cannot write signatures next to. */
    private static final Map<String, String> LOCAL_MEDIA = Map.of("oci:", "an OCI layout", "oci-archive:",
            "an OCI archive", "docker-archive:", "a docker archive", "dir:", "a directory");

    private static String localMedium(String image) {
        for (Map.Entry<String, String> m : LOCAL_MEDIA.entrySet()) {
            if (image.startsWith(m.getKey())) {
                return m.getValue();
            }
        }
        try {
            return image.startsWith("registry:") || !Files.exists(Path.of(image)) ? null : "a local path";
        } catch (InvalidPathException notAPath) {
            return null;
        }
    }

    static ImageReference reference(String image, CommandLine cl) {
        String local = localMedium(image);
        if (local != null) {
            throw new CommandLine.ParameterException(cl, image + " is " + local + "; " + cl.getCommandName()
                    + " needs an image in a registry (registry:REF or REF): push it first, then name its reference");
        }
        try {
            return ImageReference.parse(image.startsWith("registry:") ? image.substring(9) : image);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        ImageReference ref = reference(image, spec.commandLine());
        Map<String, String> ann = new LinkedHashMap<>();
        for (String a : annotations) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "annotation '" + a + "' is not KEY=VALUE");
            }
            ann.put(a.substring(0, eq), a.substring(eq + 1));
        }
        SignatureStore store = storage.store(registry.client(), spec.commandLine());
        if (store.mode() == ReferrerBundles.Mode.OCI_1_1 && !ann.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--annotation needs the legacy storage: "
                    + "in oci-1-1 mode the signature covers the image manifest itself, which has no room for them");
        }
        List<Digest> digests;
        // One signer, so one certificate keyless, for every digest signed in this run.
        try (Signer signer = signingKey.signer(main, keyless, spec.commandLine())) {
            main.feedback().step("resolve", ref.toString(), 1, 1);
            digests = store.sign(ref, signer, ann, allPlatforms, (d, i, n) -> main.feedback().step("sign",
                    ref.registry() + "/" + ref.repository() + "@" + d, i, n));
        }
        main.feedback().clear();
        for (Digest d : digests) {
            if (!main.feedback().quiet()) {
                spec.commandLine().getOut().println("Signed " + ref.registry() + "/" + ref.repository() + "@" + d);
            }
        }
        spec.commandLine().getOut().flush();
        return Main.OK;
    }
}
