package dev.distill.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.image.ReferrerBundles;
import dev.distill.attest.keyless.SigstoreInstance;
import dev.distill.attest.policy.Policy;
import dev.distill.attest.policy.PolicyGate;
import dev.distill.attest.promote.AttachmentCopy;
import dev.distill.attest.promote.ImageVerification;
import dev.distill.attest.promote.Promotion;
import dev.distill.attest.verify.ImageVerifier;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.ImageCopy;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.sbom.SbomOptions;
import dev.distill.sbom.audit.AuditReport;
import dev.distill.sbom.audit.Auditor;
import dev.distill.sbom.model.ToolInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distill promote SRC DST (--key PUB | identity) [--policy F]}: verify, then copy what was verified. */
@Command(name = "promote", mixinStandardHelpOptions = true,
        description = {"Verify an image, then copy exactly what was verified to another repository or registry, "
                + "or copy nothing. SRC is resolved to a digest once; its signatures (with --key, or keyless for "
                + "an identity), the attestations of each --type and the --policy rules must hold, and the tag "
                + "must still name that digest. Then the digest is copied byte for byte (every platform, blobs "
                + "mounted within one registry), DST is tagged, the signatures, attestations and other referrers "
                + "follow in the storage they came in (cosign tags, OCI 1.1 referrers) or the one "
                + "--registry-referrers-mode asks for, and DST is verified again with the same "
                + "checks; if that fails the DST tag is put back as it was. What DST already has is not sent "
                + "again, so promoting twice is a no-op.",
                "Exit 0 promoted (or planned, with --dry-run), 1 SRC failed verification or its tag moved (nothing "
                + "written), 2 usage, 3 registry error or DST failed verification (tag put back)."},
        footer = {"", "Examples:",
                "  distill promote staging.example/app:1.0 registry.example/app:1.0 --key release.pub "
                + "--policy policy.yaml",
                "  distill promote staging.example/app:1.0 registry.example/app --dry-run -o json --policy policy.yaml "
                + "--certificate-identity https://github.com/org/app/.github/workflows/release.yml@refs/heads/main "
                + "--certificate-oidc-issuer https://token.actions.githubusercontent.com"})
final class PromoteCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SRC", description = "The image to promote (registry:REF or REF).")
    String source;

    @Parameters(index = "1", paramLabel = "DST", description = "Where to (registry:REF or REF); without a tag, "
            + "SRC's tag.")
    String destination;

    @Option(names = "--key", paramLabel = "PUB", description = "The PEM public key signatures and attestations "
            + "must verify with (or keyless: the identity options).")
    Path key;

    @CommandLine.Mixin
    IdentityMixin who;

    @Option(names = "--policy", paramLabel = "FILE", description = "A policy (YAML) the image must pass at SRC and "
            + "again at DST. See docs/signing.md.")
    Path policyFile;

    @Option(names = "--type", paramLabel = "TYPE", description = "A predicate type that must be attested (spdx, "
            + "cyclonedx, slsaprovenance, custom, or a URI); repeatable.")
    List<String> types = List.of();

    @Option(names = "--all-platforms", description = "Every platform manifest of an index must carry a signature "
            + "too, not only the index.")
    boolean allPlatforms;

    @Option(names = "--registry-referrers-mode", paramLabel = "MODE", description = "Store the signatures and "
            + "attestations at DST this way: legacy (cosign's sha256-<hex>.sig/.att tags) or oci-1-1 (Sigstore bundle "
            + "referrers). Without it, each goes in the storage it came in. Attestations are re-packaged (the same "
            + "signed envelope); a signature in the other storage is refused (exit 3), since it would need signing "
            + "again. Other referrers (an SBOM, a notation signature) stay referrers.")
    String referrersMode;

    @Option(names = "--dry-run", description = "Verify SRC and say what would be copied; write nothing.")
    boolean dryRun;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default), or json: digest, platforms, every check, what was copied.")
    String output;

    @CommandLine.Mixin
    RegistryMixin registry;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (!output.equals("text") && !output.equals("json")) {
            throw new CommandLine.ParameterException(cl, "unknown output '" + output + "'");
        }
        ImageReference src = reference(source, cl);
        ImageReference dst = reference(destination, cl);
        if (dst.digest() != null) {
            throw new CommandLine.ParameterException(cl, "DST " + destination + " names a digest; give a tag (the "
                    + "digest is SRC's)");
        }
        if (!hasTag(destination)) {
            if (src.tag() == null || !hasTag(source)) {
                throw new CommandLine.ParameterException(cl, "DST " + destination + " needs a tag (SRC has none)");
            }
            dst = new ImageReference(dst.registry(), dst.repository(), src.tag(), null);
        }
        who.keyless(key, cl);
        ReferrerBundles.Mode storage = null;
        if (referrersMode != null) {
            try {
                storage = ReferrerBundles.Mode.parse(referrersMode);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage());
            }
        }
        Set<String> required = new LinkedHashSet<>();
        for (String t : types) {
            try {
                required.add(ImageAttestations.predicateType(t));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage());
            }
        }
        RegistryClient client = registry.client();
        Policy policy = policyFile == null ? null : Policy.parse(Files.readString(policyFile,
                StandardCharsets.UTF_8), policyFile.toString());
        ImageVerifier verifier = who.imageVerifier(key, cl);
        SigstoreInstance signers = who.trustedRoot != null ? who.instance() : SigstoreInstance.publicGood();
        PolicyGate gate = new PolicyGate(client, verifier.attestations(), signers, this::audit);
        ImageVerification checks = new ImageVerification(verifier.signatures(), verifier.by(), gate, policy,
                required, allPlatforms);
        Promotion.Report report = new Promotion(client, checks, null).promote(src, dst, dryRun, storage);
        print(report);
        if (!report.ok()) {
            cl.getErr().println("distill: " + (report.outcome() == Promotion.Outcome.REFUSED ? "not promoted: "
                    : "promotion undone: ") + report.reason());
        }
        return switch (report.outcome()) {
            case PROMOTED, PLANNED -> Main.OK;
            case REFUSED -> Main.FAILED;
            case DESTINATION_FAILED -> Main.BAD_INPUT;
        };
    }

    /** Whether the reference text names a tag (ImageReference fills in "latest" when it does not). */
    private static boolean hasTag(String text) {
        String t = text.startsWith("registry:") ? text.substring(9) : text;
        int slash = t.lastIndexOf('/');
        String last = t.substring(slash + 1);
        return last.contains(":") && !last.contains("@");
    }

    private static ImageReference reference(String text, CommandLine cl) {
        try {
            return ImageReference.parse(text.startsWith("registry:") ? text.substring(9) : text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }

    private void print(Promotion.Report r) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (output.equals("json")) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json(r)));
            out.flush();
            return;
        }
        for (Policy.Check c : r.sourceChecks()) {
            out.printf("%-4s SRC %-24s %s%n", c.passed() ? "ok" : c.warn() ? "warn" : "FAIL", c.name(), c.detail());
        }
        for (Policy.Check c : r.destinationChecks()) {
            out.printf("%-4s DST %-24s %s%n", c.passed() ? "ok" : c.warn() ? "warn" : "FAIL", c.name(), c.detail());
        }
        if (r.image() != null) {
            ImageCopy.Result all = r.image().plus(r.attachmentCounts());
            String verb = r.outcome() == Promotion.Outcome.PLANNED ? "Would copy" : r.outcome()
                    == Promotion.Outcome.PROMOTED ? "Promoted" : "Copied";
            out.println(verb + " " + r.source().registry() + "/" + r.source().repository() + "@" + r.digest()
                    + " to " + r.destination() + ": " + (all.noop() && r.referrersListed() == 0
                    && r.attestationsConverted() == 0
                    ? "nothing to copy, already there" : all.blobsUploaded() + " blobs uploaded (" + all.bytesUploaded()
                    + " bytes), " + all.blobsMounted() + " mounted (" + all.bytesMounted() + " bytes), "
                    + all.blobsPresent() + " already there, " + all.manifestsPushed() + " manifests written")
                    + "; " + attachments(r));
        }
        out.flush();
    }

    /** "2 signature, 1 attestation, 1 artifact manifests (1 attestation converted)". */
    private static String attachments(Promotion.Report r) {
        Map<AttachmentCopy.Kind, Integer> n = new java.util.EnumMap<>(AttachmentCopy.Kind.class);
        r.attachments().forEach(a -> n.merge(a.kind(), 1, Integer::sum));
        List<String> parts = n.entrySet().stream().map(e -> e.getValue() + " " + e.getKey().name()
                .toLowerCase(java.util.Locale.ROOT)).toList();
        return (parts.isEmpty() ? "no" : String.join(", ", parts)) + " attachment manifests"
                + (r.attestationsConverted() > 0 ? " (" + r.attestationsConverted() + " attestation"
                + (r.attestationsConverted() == 1 ? "" : "s") + " re-packaged)" : "");
    }

    private static Map<String, Object> json(Promotion.Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("outcome", r.outcome().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        if (r.reason() != null) {
            m.put("reason", r.reason());
        }
        m.put("source", r.source().toString());
        m.put("destination", r.destination().toString());
        m.put("digest", r.digest().toString());
        m.put("platforms", r.platforms());
        Map<String, Object> verified = new LinkedHashMap<>();
        verified.put("source", r.sourceChecks());
        verified.put("destination", r.destinationChecks());
        m.put("verified", verified);
        if (r.image() != null) {
            Map<String, Object> copied = new LinkedHashMap<>();
            copied.put("dryRun", r.image().dryRun());
            copied.put("image", counts(r.image()));
            copied.put("tagged", r.image().tagged());
            if (r.image().replaced() != null) {
                copied.put("replaced", r.image().replaced().toString());
            }
            copied.put("attachments", r.attachments().stream().map(a -> {
                Map<String, String> one = new LinkedHashMap<>();
                one.put("subject", a.subject().toString());
                one.put("kind", a.kind().name().toLowerCase(java.util.Locale.ROOT));
                if (a.artifactType() != null) {
                    one.put("artifactType", a.artifactType());
                }
                one.put("storage", a.storage());
                one.put("manifest", a.manifest().toString());
                one.put("storedAs", a.destination());
                return one;
            }).toList());
            copied.put("attachmentBlobs", counts(r.attachmentCounts()));
            copied.put("referrersListed", r.referrersListed());
            copied.put("signatureManifestsMerged", r.signatureManifestsMerged());
            copied.put("attestationsConverted", r.attestationsConverted());
            m.put("copied", copied);
        }
        m.put("rolledBack", r.rolledBack());
        return m;
    }

    private static Map<String, Object> counts(ImageCopy.Result c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("manifestsWritten", c.manifestsPushed());
        m.put("manifestsPresent", c.manifestsPresent());
        m.put("blobsUploaded", c.blobsUploaded());
        m.put("bytesUploaded", c.bytesUploaded());
        m.put("blobsMounted", c.blobsMounted());
        m.put("bytesMounted", c.bytesMounted());
        m.put("blobsPresent", c.blobsPresent());
        return m;
    }

    private AuditReport audit(ImageReference ref) {
        try (var img = registry.open(ref)) {
            return Auditor.audit(img, SbomOptions.defaults(new ToolInfo("distill", Main.version())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
