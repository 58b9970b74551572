package dev.distill.cli;

import dev.distill.attest.bundle.BlobSignatures;
import dev.distill.attest.image.ImageSignatures;
import dev.distill.attest.image.ReferrerBundles;
import dev.distill.attest.keyless.KeylessSigning;
import dev.distill.attest.keys.EncryptedKeys;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
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

    /**
     * Signs every digest of the run, resolved once (the image; with --all-platforms also each platform manifest):
     * a simple-signing payload under the .sig tag, or in oci-1-1 mode a bundle over the manifest as a referrer.
     */
    private java.util.List<Digest> signEach(RegistryClient client, ImageReference ref, boolean referrers,
                                            ImageSignatures.PayloadSigner payloadSigner,
                                            ImageSignatures.BundleSigner bundleSigner, Map<String, String> ann)
            throws Exception {
        main.feedback().step("resolve", ref.toString(), 1, 1);
        java.util.List<Digest> digests = allPlatforms ? ImageSignatures.allPlatforms(client, ref)
                : java.util.List.of(client.resolve(ref));
        int n = 0;
        for (Digest d : digests) {
            main.feedback().step("sign", ref.registry() + "/" + ref.repository() + "@" + d, ++n, digests.size());
            if (referrers) {
                ImageSignatures.signReferrer(client, ref.withDigest(d), bundleSigner);
            } else {
                ImageSignatures.sign(client, ref.withDigest(d), payloadSigner, ann);
            }
        }
        return digests;
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
        RegistryClient client = registry.client();
        boolean referrers = storage.mode(spec.commandLine()) == ReferrerBundles.Mode.OCI_1_1;
        if (referrers && !ann.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--annotation needs the legacy storage: "
                    + "in oci-1-1 mode the signature covers the image manifest itself, which has no room for them");
        }
        java.util.List<Digest> digests;
        if (signingKey.withKey(keyless, spec.commandLine())) {
            PrivateKey priv = signingKey.load(main, spec.commandLine());
            PublicKey pub = EncryptedKeys.publicKey(priv);
            digests = signEach(client, ref, referrers, ImageSignatures.withKey(priv),
                    m -> BlobSignatures.sign(priv, pub, m), ann);
        } else {
            // One certificate for every digest signed in this run.
            try (KeylessSigning signing = keyless.open(main, false)) {
                digests = signEach(client, ref, referrers, signing.payloadSigner(),
                        m -> signing.signDigest(Digest.newSha256().digest(m)), ann);
            }
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
