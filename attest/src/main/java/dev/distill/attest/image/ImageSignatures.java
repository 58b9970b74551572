package dev.distill.attest.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.attest.VerificationException;
import dev.distill.attest.keyless.KeylessException;
import dev.distill.attest.keys.KeyTypes;
import dev.distill.oci.Descriptor;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageException;
import dev.distill.oci.ImageReference;
import dev.distill.oci.MediaTypes;
import dev.distill.oci.Repository;
import dev.distill.oci.VerifyingInputStream;
import dev.distill.oci.registry.Artifact;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.wire.DescriptorTemplate;
import dev.distill.oci.wire.Json;
import dev.distill.oci.wire.ManifestTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Image signatures with a key, stored as cosign stores them so that cosign and distill read each other's: the
 * simple-signing payload ({@code critical.identity.docker-reference}, {@code critical.image.docker-manifest-digest},
 * {@code type: cosign container image signature}, optional annotations) as a layer of the manifest tagged
 * {@code sha256-<hex>.sig} in the image's repository, with the base64 signature in the layer's
 * {@code dev.cosignproject.cosign/signature} annotation. A new signature is appended to the ones there.
 */
public final class ImageSignatures {
    public static final String PAYLOAD_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
    public static final String SIGNATURE_ANNOTATION = CosignLayers.SIGNATURE_ANNOTATION;
    public static final String SIGNATURE_TYPE = "cosign container image signature";

    private ImageSignatures() {
    }

    /** The tag cosign stores an image's signatures under. */
    public static String signatureTag(Digest image) {
        return image.algorithm() + "-" + image.hex() + ".sig";
    }

    /** The simple-signing payload for an image: compact JSON, keys in a fixed order. */
    public static byte[] payload(ImageReference ref, Digest digest, Map<String, String> annotations) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        ObjectNode critical = root.putObject("critical");
        critical.putObject("identity").put("docker-reference", ref.registry() + "/" + ref.repository());
        critical.putObject("image").put("docker-manifest-digest", digest.toString());
        critical.put("type", SIGNATURE_TYPE);
        if (annotations.isEmpty()) {
            root.putNull("optional");
        } else {
            ObjectNode optional = root.putObject("optional");
            new TreeMap<>(annotations).forEach(optional::put);
        }
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Checks one signature layer: its payload (already checked against the layer's digest) and its annotations.
     * Throws, naming what did not hold; returns normally only when the signature is good.
     */
    @FunctionalInterface
    public interface SignatureCheck {
        void check(byte[] payload, Map<String, String> annotations, String name) throws VerificationException,
                KeylessException;
    }

    /** The signature annotation must verify over the payload with the public key. */
    public static SignatureCheck withKey(PublicKey key) {
        return (payload, annotations, name) -> {
            String sig = annotations.get(SIGNATURE_ANNOTATION);
            if (sig == null) {
                throw new VerificationException("a signature layer without its signature annotation");
            }
            try {
                Signature s = KeyTypes.verifying(key);
                s.update(payload);
                if (!s.verify(Base64.getDecoder().decode(sig))) {
                    throw new VerificationException("signature " + name + " does not verify with the key");
                }
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new VerificationException("signature " + name + " cannot be checked: " + e.getMessage());
            }
        };
    }

    /** The layers of the manifest tagged {@code tag}; empty when there is no such tag. */
    static Optional<List<DescriptorTemplate>> layers(RegistryClient client, ImageReference ref, String tag,
                                                     String what) throws IOException {
        Optional<RegistryClient.Manifest> got = client.manifestIfPresent(ref.repo(), tag);
        if (got.isEmpty()) {
            return Optional.empty();
        }
        ManifestTemplate m = Json.read(got.get().bytes(), ManifestTemplate.class, what + " " + tag);
        return Optional.of(m.layers() == null ? List.of() : m.layers());
    }

    /**
     * Pushes {@code blob} and appends it as a layer to the manifest tagged {@code tag} (made when missing), with
     * the empty image config cosign gives these manifests; {@code what} names the manifest in errors. Returns the
     * new manifest's digest.
     */
    public static Digest append(RegistryClient client, ImageReference ref, String tag, String mediaType, byte[] blob,
                       Map<String, String> annotations, String what) throws IOException {
        List<Artifact.Blob> layers = new ArrayList<>();
        layers(client, ref, tag, what).orElse(List.of()).forEach(l -> layers.add(Artifact.Blob.present(l)));
        layers.add(Artifact.Blob.of(mediaType, blob, annotations));
        return put(client, ref.repo(), tag, layers);
    }

    /**
     * Puts the manifest cosign gives signatures and attestations under {@code tag}: these layers, already in the
     * repository, and the empty image config (its diff ids the layers' digests). Returns the manifest's digest.
     */
    public static Digest putLayers(RegistryClient client, Repository repo, String tag,
                                   List<DescriptorTemplate> layers) throws IOException {
        return put(client, repo, tag, layers.stream().map(Artifact.Blob::present).toList());
    }

    private static Digest put(RegistryClient client, Repository repo, String tag, List<Artifact.Blob> layers)
            throws IOException {
        ObjectNode config = new ObjectMapper().createObjectNode();
        config.put("architecture", "");
        config.put("created", "0001-01-01T00:00:00Z");
        config.put("os", "");
        config.putObject("config");
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        var diffIds = rootfs.putArray("diff_ids");
        layers.forEach(l -> diffIds.add(l.descriptor().digest()));
        byte[] configBytes = config.toString().getBytes(StandardCharsets.UTF_8);
        return client.pushArtifact(repo, tag, new Artifact(null, Artifact.Blob.of(MediaTypes.OCI_CONFIG, configBytes,
                null), layers, null, null));
    }

    /**
     * The digests an image stands for: the manifest's own, and when it is an index, every platform manifest's too
     * (attestation manifests with platform unknown/unknown left out). cosign signs and verifies only the first.
     */
    public static List<Digest> allPlatforms(RegistryClient client, ImageReference ref) throws IOException {
        List<Digest> out = new ArrayList<>();
        platformManifests(client, ref).forEach(m -> out.add(m.digest()));
        return out;
    }

    /** One manifest an image stands for, with its platform (null for the top manifest itself). */
    public record PlatformManifest(Digest digest, dev.distill.oci.Platform platform) {
    }

    /**
     * The manifests an image stands for, as {@link #allPlatforms}: the top one first (platform null), then each
     * platform manifest of an index with its platform.
     */
    public static List<PlatformManifest> platformManifests(RegistryClient client, ImageReference ref)
            throws IOException {
        RegistryClient.Manifest top = client.manifest(ref.repo(), ref.identifier());
        List<PlatformManifest> out = new ArrayList<>(List.of(new PlatformManifest(top.digest(), null)));
        if (MediaTypes.isIndex(top.mediaType())) {
            var index = Json.read(top.bytes(), dev.distill.oci.wire.IndexTemplate.class, "index " + top.digest());
            for (Descriptor d : dev.distill.oci.Manifests.descriptors(index.manifests() == null ? List.of()
                    : index.manifests(), "index " + top.digest())) {
                if (d.platform() == null || !"unknown".equals(d.platform().os())) {
                    out.add(new PlatformManifest(d.digest(), d.platform()));
                }
            }
        }
        return out;
    }

    /** One signature that verified: the payload's annotations. */
    public record Verified(Digest image, Map<String, String> annotations) {
    }

    /** Every signature found for a digest and what became of it (null reason: it verified). */
    public record Outcome(Digest image, List<String> signatures, List<String> reasons) {
    }

    /**
     * Verifies the image's signatures with the check ({@code by} names the signer in messages). The tag is
     * resolved to a digest once; a signature counts only when the check passes and its payload names exactly that
     * digest. At least one must count.
     */
    public static List<Verified> verify(RegistryClient client, ImageReference ref, SignatureCheck check, String by,
                                        List<Outcome> record)
            throws IOException, VerificationException, KeylessException {
        Digest digest = client.resolve(ref);
        String tag = signatureTag(digest);
        List<Verified> ok = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> results = new ArrayList<>();
        // Storage 1: cosign's .sig tag (one manifest fetch, whatever the number of signatures).
        Optional<List<DescriptorTemplate>> layers = layers(client, ref, tag, "signature manifest");
        for (DescriptorTemplate layer : layers.orElse(List.of())) {
            names.add(layer.digest());
            try {
                ok.add(verifyOne(client, ref, layer, digest, check));
                results.add(null);
            } catch (VerificationException e) {
                reasons.add(e.getMessage());
                results.add(e.getMessage());
            }
        }
        // Storage 2: Sigstore bundles referring to the digest (OCI 1.1 referrers or their fallback tag).
        List<String> unreadable = new ArrayList<>();
        List<ReferrerBundles.Found> bundles = ReferrerBundles.find(client, ref, digest,
                ReferrerBundles.MESSAGE_SIGNATURE, unreadable);
        for (String u : unreadable) {
            names.add("referrer");
            reasons.add(u);
            results.add(u);
        }
        if (!bundles.isEmpty()) {
            // The signed message is the image manifest itself: fetched by digest, its bytes checked.
            byte[] manifest = client.manifest(ref.repo(), digest.toString()).bytes();
            for (ReferrerBundles.Found f : bundles) {
                names.add("referrer " + f.name());
                Map<String, String> annotations = new LinkedHashMap<>();
                annotations.put(SIGNATURE_ANNOTATION, f.bundle().path("messageSignature").path("signature")
                        .asText(""));
                annotations.put(CosignLayers.SIGSTORE_BUNDLE_ANNOTATION,
                        f.bundleJson());
                try {
                    check.check(manifest, annotations, "referrer " + f.name());
                    ok.add(new Verified(digest, Map.of()));
                    results.add(null);
                } catch (VerificationException e) {
                    reasons.add(e.getMessage());
                    results.add(e.getMessage());
                }
            }
        }
        if (record != null) {
            record.add(new Outcome(digest, names, results));
        }
        if (names.isEmpty()) {
            throw new VerificationException("no signatures for " + ref.repository() + "@" + digest + " (no " + tag
                    + " tag and no Sigstore bundle referring to it)");
        }
        if (ok.isEmpty()) {
            throw new VerificationException("none of the " + reasons.size() + " signatures of " + ref.repository()
                    + "@" + digest + " verifies with " + by + ": " + String.join("; ", reasons));
        }
        return ok;
    }

    /** A layer's descriptor and its bytes, checked against its digest and size. */
    record LayerBytes(Descriptor descriptor, byte[] bytes) {
    }

    /**
     * Reads one layer of a signature or attestation manifest: it must have the media type expected and at most
     * {@code max} bytes, and its bytes are checked against its digest and size as they arrive.
     */
    static LayerBytes readLayer(RegistryClient client, ImageReference ref, DescriptorTemplate layer, String mediaType,
                                long max, String what) throws IOException, VerificationException {
        if (!mediaType.equals(layer.mediaType())) {
            throw new VerificationException("a layer of type " + layer.mediaType() + " is not a " + what);
        }
        return readBlob(client, ref, layer, max, what);
    }

    /** A layer's bytes, at most {@code max}, checked against its digest and size as they arrive. */
    static LayerBytes readBlob(RegistryClient client, ImageReference ref, DescriptorTemplate layer, long max,
                               String what) throws IOException, VerificationException {
        Descriptor d;
        try {
            d = dev.distill.oci.Manifests.descriptor(layer, what + " layer");
        } catch (ImageException e) {
            throw new VerificationException(e.getMessage());
        }
        if (d.size() > max) {
            throw new VerificationException("a " + what + " larger than " + max + " bytes");
        }
        try (InputStream in = new VerifyingInputStream(client.blob(ref.repo(), d.digest()),
                d.digest(), d.size(), what + " " + d.digest())) {
            return new LayerBytes(d, in.readAllBytes());
        }
    }

    private static Verified verifyOne(RegistryClient client, ImageReference ref, DescriptorTemplate layer,
                                      Digest digest, SignatureCheck check)
            throws IOException, VerificationException, KeylessException {
        LayerBytes l = readLayer(client, ref, layer, PAYLOAD_TYPE, 1 << 20, "signature payload");
        Descriptor d = l.descriptor();
        byte[] payload = l.bytes();
        check.check(payload, layer.annotations() == null ? Map.of() : layer.annotations(), d.digest().shortHex());
        JsonNode p = new ObjectMapper().readTree(payload);
        String signed = p.path("critical").path("image").path("docker-manifest-digest").asText("");
        if (!signed.equals(digest.toString())) {
            throw new VerificationException("signature " + d.digest().shortHex() + " is for " + signed + ", not "
                    + digest);
        }
        if (!SIGNATURE_TYPE.equals(p.path("critical").path("type").asText())) {
            throw new VerificationException("signature " + d.digest().shortHex() + " has payload type '"
                    + p.path("critical").path("type").asText() + "'");
        }
        Map<String, String> annotations = new TreeMap<>();
        p.path("optional").fields().forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
        return new Verified(digest, annotations);
    }
}
