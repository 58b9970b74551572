package dev.distill.attest.promote;

import dev.distill.attest.image.ImageSignatures;
import dev.distill.attest.image.ReferrerBundles;
import dev.distill.attest.keyless.KeylessException;
import dev.distill.attest.keys.KeyException;
import dev.distill.attest.policy.Policy;
import dev.distill.attest.policy.PolicyException;
import dev.distill.oci.Descriptor;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageException;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.ImageCopy;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.registry.RegistryException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Promotion: verify an image, then copy exactly what was verified, or copy nothing. The source is resolved to a
 * digest once; that digest is verified (signatures, attestations, policy) and refused unless everything holds;
 * the source tag must still name it when the copy starts; the digest is copied byte for byte with every platform,
 * then the tag, then the signatures, attestations and other referrers in the storage they came in (or attestations
 * re-packaged into the storage asked for); the destination is verified
 * again with the same checks. A failure after the tag was written puts the tag back as it was (removed, or
 * pointed at its old digest). Promoting what is already there sends nothing and succeeds. It prints nothing:
 * the stages go to a listener and the outcome is a {@link Report}.
 */
public final class Promotion {
    /** The stages a promotion passes, in order. */
    public enum Stage { RESOLVED, VERIFIED, COPIED, ATTACHED, CHECKED, ROLLED_BACK }

    /** How a promotion ended. */
    public enum Outcome {
        /** Verified, copied (or already there) and verified again at the destination. */
        PROMOTED,
        /** Verified; a dry run: nothing written. */
        PLANNED,
        /** The source failed verification, or its tag moved: nothing written. */
        REFUSED,
        /** The destination failed verification after the copy: the tag was put back as it was. */
        DESTINATION_FAILED
    }

    /** The outcome: what was verified at each end, and what was copied. */
    public record Report(Outcome outcome, String reason, ImageReference source, ImageReference destination,
                         Digest digest, List<String> platforms, List<Policy.Check> sourceChecks,
                         List<Policy.Check> destinationChecks, ImageCopy.Result image,
                         List<AttachmentCopy.Item> attachments, ImageCopy.Result attachmentCounts,
                         int referrersListed, int signatureManifestsMerged, int attestationsConverted,
                         boolean rolledBack) {
        public boolean ok() {
            return outcome == Outcome.PROMOTED || outcome == Outcome.PLANNED;
        }
    }

    private final RegistryClient client;
    private final ImageVerification verification;
    private final BiConsumer<Stage, String> listener;

    /**
     * @param verification the checks, run at the source and again at the destination
     * @param listener told of each stage as it ends (a CLI may print them; tests act between stages)
     */
    public Promotion(RegistryClient client, ImageVerification verification, BiConsumer<Stage, String> listener) {
        this.client = client;
        this.verification = verification;
        this.listener = listener == null ? (s, d) -> { } : listener;
    }

    /**
     * Promotes {@code source} to {@code destination} (a tag; without one, the source's tag). Registry failures
     * are thrown after the destination tag was put back.
     */
    public Report promote(ImageReference source, ImageReference destination, boolean dryRun)
            throws IOException, KeylessException, KeyException, PolicyException {
        return promote(source, destination, dryRun, null);
    }

    /**
     * As {@link #promote(ImageReference, ImageReference, boolean)}, with the signatures and attestations stored at
     * the destination in {@code storage} (null: the storage each came in). Attestations in the other storage are
     * re-packaged; a signature in the other storage is refused with an {@link ImageException} before anything is
     * written, since it cannot be moved without signing again.
     */
    public Report promote(ImageReference source, ImageReference destination, boolean dryRun,
                          ReferrerBundles.Mode storage)
            throws IOException, KeylessException, KeyException, PolicyException {
        if (destination.digest() != null) {
            throw new IllegalArgumentException("the destination " + destination + " must be a tag, not a digest");
        }
        if (destination.tag() == null) {
            throw new IllegalArgumentException("the destination " + destination + " needs a tag");
        }
        Digest digest = client.resolve(source);
        ImageReference pinned = source.withDigest(digest);
        List<ImageSignatures.PlatformManifest> manifests = ImageSignatures.platformManifests(client, pinned);
        List<Digest> digests = manifests.stream().map(ImageSignatures.PlatformManifest::digest).toList();
        List<String> platforms = manifests.stream().skip(manifests.size() > 1 ? 1 : 0)
                .map(m -> m.platform() == null ? m.digest().toString() : m.platform().toString()).toList();
        listener.accept(Stage.RESOLVED, pinned.toString());

        List<Policy.Check> atSource = verification.run(client, pinned, digests);
        Report refused = new Report(Outcome.REFUSED, null, source, destination, digest, platforms, atSource,
                List.of(), null, List.of(), null, 0, 0, 0, false);
        if (ImageVerification.denied(atSource)) {
            return withReason(refused, "the source failed verification: " + failed(atSource));
        }
        listener.accept(Stage.VERIFIED, pinned.toString());
        if (source.digest() == null) {
            Digest now = client.resolve(source);
            if (!now.equals(digest)) {
                return withReason(refused, "the tag " + source + " moved from " + digest + " to " + now
                        + " after it was verified; nothing was copied");
            }
        }

        AttachmentCopy attachments = new AttachmentCopy(client, storage);
        List<AttachmentCopy.Item> items = attachments.find(pinned, digests);
        ImageReference target = new ImageReference(destination.registry(), destination.repository(),
                destination.tag(), null);
        ImageCopy.Target to = new ImageCopy.Target(target.repo(), target.tag());
        if (dryRun) {
            ImageCopy.Result plan = new ImageCopy(client).copy(source.repo(), digest, to,
                    true);
            AttachmentCopy.Done attached = attachments.copy(pinned, target, digest, items, true);
            return new Report(Outcome.PLANNED, null, source, destination, digest, platforms, atSource, List.of(),
                    plan, items, attached.counts(), attached.listed(), attached.merged(), attached.converted(),
                    false);
        }

        Optional<Descriptor> before = client.head(target.repo(), target.tag());
        boolean hadDigest = client.head(target.repo(), digest.toString()).isPresent();
        ImageCopy.Result copied = null;
        try {
            copied = new ImageCopy(client).copy(source.repo(), digest, to, false);
            listener.accept(Stage.COPIED, target.toString());
            AttachmentCopy.Done attached = attachments.copy(pinned, target, digest, items, false);
            listener.accept(Stage.ATTACHED, items.size() + " attachments");
            List<Policy.Check> atDestination = verification.run(client, target.withDigest(digest), digests);
            listener.accept(Stage.CHECKED, target.withDigest(digest).toString());
            Report report = new Report(Outcome.PROMOTED, null, source, destination, digest, platforms, atSource,
                    atDestination, copied, items, attached.counts(), attached.listed(), attached.merged(),
                    attached.converted(), false);
            if (ImageVerification.denied(atDestination)) {
                boolean undone = copied.tagged() && restore(target, digest, before, hadDigest);
                return new Report(Outcome.DESTINATION_FAILED, "the destination failed verification after the copy: "
                        + failed(atDestination) + (undone ? "; the tag " + target + " was put back as it was"
                        : copied.tagged() ? "" : "; the tag was already there before this promotion"),
                        source, destination, digest, platforms, atSource, atDestination, copied, items,
                        attached.counts(), attached.listed(), attached.merged(), attached.converted(), undone);
            }
            return report;
        } catch (IOException | KeylessException | KeyException | PolicyException | RuntimeException e) {
            if (copied != null && copied.tagged()) {
                boolean undone = false;
                try {
                    undone = restore(target, digest, before, hadDigest);
                } catch (IOException | RuntimeException also) {
                    e.addSuppressed(also);
                }
                // Say what became of the tag this promotion wrote, in the one line the user sees.
                String tag = undone ? "; the tag " + target + " was put back as it was"
                        : "; the tag " + target + " could not be put back";
                if (e instanceof RegistryException r) {
                    RegistryException said = new RegistryException(r.getMessage() + tag, r.status());
                    said.initCause(r);
                    throw said;
                }
                if (e instanceof ImageException i) {
                    throw new ImageException(i.getMessage() + tag, i);
                }
            }
            throw e;
        }
    }

    private static Report withReason(Report r, String reason) {
        return new Report(r.outcome(), reason, r.source(), r.destination(), r.digest(), r.platforms(),
                r.sourceChecks(), r.destinationChecks(), r.image(), r.attachments(), r.attachmentCounts(),
                r.referrersListed(), r.signatureManifestsMerged(), r.attestationsConverted(), r.rolledBack());
    }

    private static String failed(List<Policy.Check> checks) {
        List<String> out = new ArrayList<>();
        for (Policy.Check c : checks) {
            if (!c.passed() && !c.warn()) {
                out.add(c.name() + " (" + c.detail() + ")");
            }
        }
        return String.join("; ", out);
    }

    /**
     * Puts the destination tag back: at its old digest when it had one, else removed. A registry that cannot
     * delete a tag (distribution 2.8) has the manifest deleted by digest instead, which removes its tags, but only
     * when this promotion brought that manifest; otherwise the tag stays and false is returned.
     */
    private boolean restore(ImageReference target, Digest digest, Optional<Descriptor> before, boolean hadDigest)
            throws IOException {
        boolean done;
        if (before.isPresent()) {
            RegistryClient.Manifest old = client.manifest(target.repo(),
                    before.get().digest().toString());
            client.putManifest(target.repo(), target.tag(), old.mediaType(), old.bytes());
            done = true;
        } else {
            done = deleteTag(target, digest, hadDigest);
        }
        listener.accept(Stage.ROLLED_BACK, target.toString());
        return done;
    }

    private boolean deleteTag(ImageReference target, Digest digest, boolean hadDigest) throws IOException {
        try {
            client.deleteManifest(target.repo(), target.tag());
            return true;
        } catch (RegistryException byTagRefused) {
            if (hadDigest) {
                return false;
            }
            client.deleteManifest(target.repo(), digest.toString());
            return true;
        }
    }
}
