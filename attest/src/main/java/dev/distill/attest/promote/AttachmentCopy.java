package dev.distill.attest.promote;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.distill.attest.AttestLimits;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.image.ImageSignatures;
import dev.distill.attest.image.ReferrerBundles;
import dev.distill.oci.Descriptor;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageException;
import dev.distill.oci.ImageReference;
import dev.distill.oci.Manifests;
import dev.distill.oci.MediaTypes;
import dev.distill.oci.Repository;
import dev.distill.oci.VerifyingInputStream;
import dev.distill.oci.registry.ImageCopy;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.wire.DescriptorTemplate;
import dev.distill.oci.wire.Json;
import dev.distill.oci.wire.ManifestTemplate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Copies what is attached to an image's digests: cosign's {@code .sig} and {@code .att} tag manifests byte for
 * byte (merged with what the destination tag already holds, so a destination's own signatures are never dropped),
 * and every OCI 1.1 referrer byte for byte (Sigstore bundles, and artifacts other tools attached, such as an SBOM
 * or a notation signature, with the referrers of those), then listed at the destination (by its referrers API, or
 * in the {@code sha256-<hex>} tag-schema index). Everything is read at the source by digest and checked; what the
 * destination already has is not sent again.
 *
 * <p>With a storage asked for, attestations in the other storage are re-packaged ({@link StorageConversion}: the
 * same DSSE envelope, no signing). Signatures in the other storage are refused before anything is written: a
 * {@code .sig} layer signs cosign's simple-signing payload and a referrer signature the image manifest, so neither
 * becomes the other without the signer's key. Artifacts stay referrers in either storage.
 */
public final class AttachmentCopy {
    /** What an attachment is. */
    public enum Kind { SIGNATURE, ATTESTATION, ARTIFACT }

    /** Where referrers are kept (the other storages are tags). */
    public static final String REFERRERS = "referrers";

    /** Referrers of artifacts are followed this deep (a notation signature of an SBOM is two levels down). */
    private static final int MAX_DEPTH = 3;

    /**
     * One attachment: what it is, the digest it is about, where the source keeps it, its manifest there, the
     * artifact type of a referrer, and where it goes at the destination (a tag, or {@link #REFERRERS}).
     */
    public record Item(Digest subject, Kind kind, String storage, Digest manifest, String artifactType,
                       String destination) {
        /** Whether it is re-packaged into the other storage. */
        public boolean converted() {
            return !storage.equals(destination);
        }
    }

    /** What was (or would be) copied; {@code converted} counts attestations written in the other storage. */
    record Done(List<Item> items, ImageCopy.Result counts, int listed, int merged, int converted) {
    }

    private final RegistryClient client;
    private final ImageCopy copy;
    private final ReferrerBundles.Mode mode;

    /** @param mode the storage signatures and attestations go to at the destination; null: the one they came in */
    AttachmentCopy(RegistryClient client, ReferrerBundles.Mode mode) {
        this.client = client;
        this.copy = new ImageCopy(client);
        this.mode = mode;
    }

    /**
     * The attachments of every digest, as the source holds them now, each with where it goes. Refuses (nothing
     * is written yet) what cannot go to the storage asked for.
     */
    List<Item> find(ImageReference source, List<Digest> subjects) throws IOException {
        List<Item> out = new ArrayList<>();
        Set<Digest> seen = new HashSet<>(subjects);
        for (Digest d : subjects) {
            String sig = ImageSignatures.signatureTag(d);
            Optional<Descriptor> s = client.head(source.repo(), sig);
            if (s.isPresent()) {
                out.add(item(source, d, Kind.SIGNATURE, sig, s.get().digest(), null));
            }
            String att = ImageAttestations.attestationTag(d);
            Optional<Descriptor> a = client.head(source.repo(), att);
            if (a.isPresent()) {
                out.add(item(source, d, Kind.ATTESTATION, att, a.get().digest(), null));
            }
            referrers(source, d, out, seen, 1);
        }
        return out;
    }

    private void referrers(ImageReference source, Digest subject, List<Item> out, Set<Digest> seen, int depth)
            throws IOException {
        for (Descriptor r : client.referrers(source.repo(), subject)) {
            if (!seen.add(r.digest())) {
                continue;
            }
            if (!MediaTypes.isManifest(r.mediaType()) && !MediaTypes.isIndex(r.mediaType())) {
                // Refused before anything is written (the 1.1 release candidates' artifact manifest, say).
                throw new ImageException("referrer " + r.digest() + " of " + source.repository() + "@" + subject
                        + " is a " + r.mediaType() + ", which promote cannot copy (an OCI or Docker v2 manifest or "
                        + "index is needed)");
            }
            boolean bundle = ReferrerBundles.ARTIFACT_TYPE.equals(r.artifactType());
            Kind kind = bundle ? bundleKind(source, r) : Kind.ARTIFACT;
            out.add(item(source, subject, kind, REFERRERS, r.digest(), r.artifactType()));
            if (!bundle && depth < MAX_DEPTH) {
                referrers(source, r.digest(), out, seen, depth + 1);
            }
        }
    }

    /** A bundle referrer's kind: its content annotation, else what its bundle holds. */
    private Kind bundleKind(ImageReference source, Descriptor r) throws IOException {
        String hint = r.annotations().get(ReferrerBundles.CONTENT);
        if (ReferrerBundles.MESSAGE_SIGNATURE.equals(hint)) {
            return Kind.SIGNATURE;
        }
        if (ReferrerBundles.DSSE_ENVELOPE.equals(hint)) {
            return Kind.ATTESTATION;
        }
        // No hint: the bundle's own top-level fields say (a message signature, or a DSSE envelope).
        try (JsonParser p = AttestLimits.json().createParser(bundle(source, r.digest()))) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    if (p.currentName().equals("messageSignature")) {
                        return Kind.SIGNATURE;
                    }
                    p.nextToken();
                    p.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            throw new ImageException("referrer " + r.digest() + " of " + source.repository()
                    + " holds a bundle that is not JSON");
        }
        return Kind.ATTESTATION;
    }

    /** The item, with where it goes at the destination; refused when it cannot go there without signing again. */
    private Item item(ImageReference source, Digest subject, Kind kind, String storage, Digest manifest,
                      String artifactType) throws IOException {
        String to = storage;
        boolean tagged = !storage.equals(REFERRERS);
        String where = source.repository() + "@" + subject;
        if (kind == Kind.ARTIFACT || mode == null) {
            return new Item(subject, kind, storage, manifest, artifactType, storage);
        }
        if (mode == ReferrerBundles.Mode.OCI_1_1 && tagged) {
            if (kind == Kind.SIGNATURE) {
                throw new StorageConversion.NotConvertible("the signatures of " + where + " in " + storage
                        + " cannot become OCI 1.1 referrers without signing again: a .sig layer signs cosign's "
                        + "simple-signing payload, a referrer signature the image manifest (promote without "
                        + "--registry-referrers-mode, or sign at DST with --registry-referrers-mode oci-1-1)");
            }
            for (DescriptorTemplate l : layers(source.repo(), manifest)) {
                String why = StorageConversion.whyNotBundle(l.annotations());
                if (why != null) {
                    throw new StorageConversion.NotConvertible("attestation " + l.digest() + " of " + where
                            + " cannot become an OCI 1.1 referrer: " + why);
                }
            }
            to = REFERRERS;
        } else if (mode == ReferrerBundles.Mode.LEGACY && !tagged) {
            if (kind == Kind.SIGNATURE) {
                throw new StorageConversion.NotConvertible("the signature referrer " + manifest.shortHex() + " of "
                        + where + " cannot go into cosign's .sig tag without signing again: it signs the image "
                        + "manifest, a .sig layer cosign's simple-signing payload (promote without "
                        + "--registry-referrers-mode, or sign at DST with --registry-referrers-mode legacy)");
            }
            to = ImageAttestations.attestationTag(subject);
        }
        return new Item(subject, kind, storage, manifest, artifactType, to);
    }

    /** Copies the items to the destination repository; with {@code dryRun} only counts. */
    Done copy(ImageReference source, ImageReference destination, Digest image, List<Item> items, boolean dryRun)
            throws IOException {
        ImageCopy.Result total = new ImageCopy.Result(image, List.of(), 0, 0, 0, 0, 0, 0, 0, false, null, dryRun);
        int listed = 0;
        int merged = 0;
        for (Item item : items) {
            if (item.converted()) {
                continue; // after everything that is copied as it is, so a converted layer joins a copied tag
            }
            boolean tagged = !item.storage().equals(REFERRERS);
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
            if (!tagged && !listed(destination, item.subject(), item.manifest())) {
                if (!dryRun) {
                    RegistryClient.Manifest m = client.manifest(source.repo(),
                            item.manifest().toString());
                    ManifestTemplate t = Json.read(m.bytes(), ManifestTemplate.class, "referrer " + m.digest());
                    // A manifest without an artifactType is listed by its config's media type (OCI 1.1).
                    String artifactType = t.artifactType() != null ? t.artifactType()
                            : t.config() != null ? t.config().mediaType() : null;
                    client.pushReferrer(destination.repo(), item.subject(),
                            t.mediaType() != null ? t.mediaType() : m.mediaType(), artifactType, m.bytes(),
                            t.annotations());
                }
                listed++;
            }
        }
        int converted = 0;
        Map<Digest, List<Item>> toTags = new LinkedHashMap<>();
        for (Item item : items) {
            if (item.converted() && item.destination().equals(REFERRERS)) {
                converted += toReferrers(source, destination, item, dryRun);
            } else if (item.converted()) {
                toTags.computeIfAbsent(item.subject(), k -> new ArrayList<>()).add(item);
            }
        }
        for (Map.Entry<Digest, List<Item>> e : toTags.entrySet()) {
            converted += toAttestationTag(source, destination, e.getKey(), e.getValue(), dryRun);
        }
        return new Done(items, total, listed, merged, converted);
    }

    private boolean listed(ImageReference destination, Digest subject, Digest manifest) throws IOException {
        return client.referrers(destination.repo(), subject).stream()
                .anyMatch(d -> d.digest().equals(manifest));
    }

    /** Each layer of a {@code .att} manifest as a bundle referrer; returns how many were (or would be) written. */
    private int toReferrers(ImageReference source, ImageReference destination, Item item, boolean dryRun)
            throws IOException {
        // The subject as the source serves it: the same bytes the destination has, or will have after the copy.
        Descriptor subject = client.head(source.repo(), item.subject().toString())
                .orElseThrow(() -> new ImageException("registry " + source.registry() + ": " + source.repository()
                        + "@" + item.subject() + " is gone"));
        int n = 0;
        for (DescriptorTemplate layer : layers(source.repo(), item.manifest())) {
            Descriptor d = Manifests.descriptor(layer, "attestation layer");
            String name = d.digest().shortHex();
            byte[] envelope = blob(source, d, "attestation " + d.digest());
            byte[] bundle = StorageConversion.bundleOf(envelope, layer.annotations(), name);
            String type = StorageConversion.predicateType(envelope, name);
            byte[] manifest = ReferrerBundles.manifest(subject, bundle, ReferrerBundles.DSSE_ENVELOPE, type);
            if (listed(destination, item.subject(), Digest.sha256(manifest))) {
                continue;
            }
            if (!dryRun) {
                ReferrerBundles.push(client, destination.withDigest(item.subject()), subject,
                        new String(bundle, StandardCharsets.UTF_8), ReferrerBundles.DSSE_ENVELOPE, type);
            }
            n++;
        }
        return n;
    }

    /**
     * The DSSE bundle referrers of one subject as layers of its {@code .att} manifest at the destination, after
     * the layers it has; returns how many layers were (or would be) added.
     */
    private int toAttestationTag(ImageReference source, ImageReference destination, Digest subject,
                                 List<Item> referrers, boolean dryRun) throws IOException {
        String tag = ImageAttestations.attestationTag(subject);
        List<DescriptorTemplate> layers = new ArrayList<>();
        Optional<RegistryClient.Manifest> there = client.manifestIfPresent(destination.repo(), tag);
        if (there.isPresent()) {
            layers.addAll(layers(destination.repo(), there.get().digest()));
        }
        Set<DescriptorTemplate> have = new HashSet<>(layers);
        Map<Digest, byte[]> blobs = new LinkedHashMap<>();
        for (Item r : referrers) {
            ImageAttestations.Signed signed = StorageConversion.layerOf(bundle(source, r.manifest()),
                    r.manifest().shortHex());
            Digest digest = Digest.sha256(signed.envelope());
            DescriptorTemplate layer = new DescriptorTemplate(ImageAttestations.ENVELOPE_TYPE, digest.toString(),
                    (long) signed.envelope().length, null, signed.annotations(), null, null);
            if (have.add(layer)) {
                layers.add(layer);
                blobs.put(digest, signed.envelope());
            }
        }
        if (!dryRun && !blobs.isEmpty()) {
            for (Map.Entry<Digest, byte[]> b : blobs.entrySet()) {
                client.pushBlob(destination.repo(), b.getKey(), b.getValue().length,
                        () -> new ByteArrayInputStream(b.getValue()), null, 0);
            }
            ImageSignatures.putLayers(client, destination.repo(), tag, layers);
        }
        return blobs.size();
    }

    /** The bundle a Sigstore bundle referrer holds (its one layer), read by digest and checked. */
    private byte[] bundle(ImageReference source, Digest referrer) throws IOException {
        RegistryClient.Manifest m = client.manifest(source.repo(), referrer.toString());
        ManifestTemplate t = Json.read(m.bytes(), ManifestTemplate.class, "referrer " + referrer);
        if (t.layers() == null || t.layers().size() != 1) {
            throw new ImageException("referrer " + referrer + " of " + source.repository() + " has "
                    + (t.layers() == null ? 0 : t.layers().size()) + " layers; a Sigstore bundle referrer has one");
        }
        return blob(source, Manifests.descriptor(t.layers().get(0), "referrer " + referrer), "the bundle of referrer "
                + referrer);
    }

    /** A blob of at most the envelope limit, its bytes checked against its digest and size as they arrive. */
    private byte[] blob(ImageReference source, Descriptor d, String what) throws IOException {
        if (d.size() > AttestLimits.maxEnvelopeBytes()) {
            throw new ImageException(what + " is " + d.size() + " bytes, more than " + AttestLimits.maxEnvelopeBytes()
                    + " (--max-attestation-bytes)");
        }
        try (InputStream in = new VerifyingInputStream(client.blob(source.repo(),
                d.digest()), d.digest(), d.size(), what)) {
            return in.readAllBytes();
        }
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
