package dev.distill.attest.promote;

import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.image.ImageSignatures;
import dev.distill.attest.image.ReferrerBundles;
import dev.distill.oci.Descriptor;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageReference;
import dev.distill.oci.Manifests;
import dev.distill.oci.MediaTypes;
import dev.distill.oci.Repository;
import dev.distill.oci.registry.ImageCopy;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.wire.DescriptorTemplate;
import dev.distill.oci.wire.Json;
import dev.distill.oci.wire.ManifestTemplate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Copies what is attached to an image's digests, in the storage it came in: cosign's {@code .sig} and {@code .att}
 * tag manifests byte for byte (merged with what the destination tag already holds, so a destination's own
 * signatures are never dropped), and Sigstore bundle referrers byte for byte, then listed at the destination (by
 * its referrers API, or in the {@code sha256-<hex>} tag-schema index). Everything is read at the source by digest
 * and checked; what the destination already has is not sent again.
 */
public final class AttachmentCopy {
    /** One attachment: where it is kept at the source and its manifest. */
    public record Item(Digest subject, String storage, Digest manifest) {
    }

    /** What was (or would be) copied. */
    record Done(List<Item> items, ImageCopy.Result counts, int listed, int merged) {
    }

    private final RegistryClient client;
    private final ImageCopy copy;

    AttachmentCopy(RegistryClient client) {
        this.client = client;
        this.copy = new ImageCopy(client);
    }

    /** The attachments of every digest, as the source holds them now. */
    List<Item> find(ImageReference source, List<Digest> subjects) throws IOException {
        List<Item> out = new ArrayList<>();
        for (Digest d : subjects) {
            for (String tag : List.of(ImageSignatures.signatureTag(d), ImageAttestations.attestationTag(d))) {
                Optional<Descriptor> m = client.head(source.repo(), tag);
                if (m.isPresent()) {
                    out.add(new Item(d, tag, m.get().digest()));
                }
            }
            for (Descriptor r : client.referrers(source.repo(), d)) {
                if (ReferrerBundles.ARTIFACT_TYPE.equals(r.artifactType())) {
                    out.add(new Item(d, "referrers", r.digest()));
                }
            }
        }
        return out;
    }

    /** Copies the items to the destination repository; with {@code dryRun} only counts. */
    Done copy(ImageReference source, ImageReference destination, Digest image, List<Item> items, boolean dryRun)
            throws IOException {
        ImageCopy.Result total = new ImageCopy.Result(image, List.of(), 0, 0, 0, 0, 0, 0, 0, false, null, dryRun);
        int listed = 0;
        int merged = 0;
        for (Item item : items) {
            boolean tagged = !item.storage().equals("referrers");
            String tag = tagged ? item.storage() : null;
            Optional<Descriptor> there = tagged ? client.head(destination.repo(), tag)
                    : Optional.empty();
            if (there.isPresent() && !there.get().digest().equals(item.manifest())
                    && covers(destination, there.get().digest(), source, item.manifest())) {
                continue; // the destination's tag already holds every signature the source's does, and more
            }
            if (there.isPresent() && !there.get().digest().equals(item.manifest())
                    && !covers(source, item.manifest(), destination, there.get().digest())) {
                // The destination's tag holds signatures the source's lacks: copy the blobs, then merge.
                total = total.plus(copy.copy(source.repo(), item.manifest(),
                        new ImageCopy.Target(destination.repo(), null), dryRun));
                if (!dryRun) {
                    merge(source, item.manifest(), destination, there.get().digest(), tag);
                }
                merged++;
                continue;
            }
            total = total.plus(copy.copy(source.repo(), item.manifest(),
                    new ImageCopy.Target(destination.repo(), tag), dryRun));
            if (!tagged && client.referrers(destination.repo(), item.subject())
                    .stream().noneMatch(d -> d.digest().equals(item.manifest()))) {
                if (!dryRun) {
                    RegistryClient.Manifest m = client.manifest(source.repo(),
                            item.manifest().toString());
                    ManifestTemplate t = Json.read(m.bytes(), ManifestTemplate.class, "referrer " + m.digest());
                    client.pushReferrer(destination.repo(), item.subject(),
                            t.mediaType() != null ? t.mediaType() : MediaTypes.OCI_MANIFEST, t.artifactType(),
                            m.bytes(), t.annotations());
                }
                listed++;
            }
        }
        return new Done(items, total, listed, merged);
    }

    /** The layers of a signature or attestation manifest, read by digest. */
    private List<DescriptorTemplate> layers(Repository repo, Digest manifest) throws IOException {
        RegistryClient.Manifest m = client.manifest(repo, manifest.toString());
        ManifestTemplate t = Json.read(m.bytes(), ManifestTemplate.class, "manifest " + manifest);
        List<DescriptorTemplate> layers = t.layers() == null ? List.of() : t.layers();
        Manifests.descriptors(layers, "manifest " + manifest);
        return layers;
    }

    /** Whether every layer of manifest {@code b} is in manifest {@code a} ({@code a} in its place loses nothing). */
    private boolean covers(ImageReference a, Digest aManifest, ImageReference b, Digest bManifest)
            throws IOException {
        // Whole descriptors: two signatures of one payload share a digest and differ in their annotations.
        Set<DescriptorTemplate> have = new LinkedHashSet<>(layers(a.repo(), aManifest));
        return have.containsAll(layers(b.repo(), bManifest));
    }

    /**
     * Writes the destination's layers followed by the source's it lacks under the tag, with the empty image
     * config cosign gives these manifests.
     */
    private void merge(ImageReference source, Digest sourceManifest, ImageReference destination,
                       Digest destinationManifest, String tag) throws IOException {
        List<DescriptorTemplate> layers = new ArrayList<>(layers(destination.repo(),
                destinationManifest));
        Set<DescriptorTemplate> have = new LinkedHashSet<>(layers);
        for (DescriptorTemplate l : layers(source.repo(), sourceManifest)) {
            if (have.add(l)) {
                layers.add(l);
            }
        }
        ImageSignatures.putLayers(client, destination.repo(), tag, layers);
    }
}
