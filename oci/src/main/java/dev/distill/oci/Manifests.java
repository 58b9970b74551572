package dev.distill.oci;

import dev.distill.oci.wire.ConfigTemplate;
import dev.distill.oci.wire.DescriptorTemplate;
import dev.distill.oci.wire.IndexTemplate;
import dev.distill.oci.wire.Json;
import dev.distill.oci.wire.ManifestTemplate;
import dev.distill.oci.wire.PlatformTemplate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns wire templates into the model, shared by every medium: resolves an index to one platform's manifest,
 * loads a manifest and its config (digests recomputed), and checks that layers and diff IDs agree.
 */
public final class Manifests {
    /** Manifests and indexes larger than this are refused (registries cap them at 4 MiB). */
    public static final long MAX_MANIFEST_BYTES = 8L << 20;
    public static final long MAX_CONFIG_BYTES = 64L << 20;
    private static final int MAX_INDEX_DEPTH = 4;

    private Manifests() {
    }

    /** Converts a wire descriptor, validating digest, size and media type; {@code where} names it in errors. */
    public static Descriptor descriptor(DescriptorTemplate t, String where) throws ImageException {
        if (t == null) {
            throw new ImageException(where + ": missing descriptor");
        }
        Digest digest;
        try {
            digest = Digest.parse(t.digest());
        } catch (IllegalArgumentException e) {
            throw new ImageException(where + ": " + e.getMessage());
        }
        if (t.size() == null || t.size() < 0) {
            throw new ImageException(where + ": descriptor " + digest + " has no valid size");
        }
        Platform platform = null;
        PlatformTemplate p = t.platform();
        if (p != null && p.os() != null && p.architecture() != null && !p.os().isBlank()
                && !p.architecture().isBlank()) {
            platform = new Platform(p.os(), p.architecture(), p.variant());
        }
        return new Descriptor(t.mediaType(), digest, t.size(), platform, t.annotations(), t.artifactType());
    }

    /**
     * Resolves {@code d} (an index or a manifest) to an image, choosing a platform from indexes.
     */
    public static Image resolve(BlobStore store, Descriptor d, String reference, SourceKind kind,
                                List<String> repoTags, SourceOptions options) throws IOException {
        Descriptor current = d;
        for (int depth = 0; depth <= MAX_INDEX_DEPTH; depth++) {
            if (MediaTypes.isManifest(current.mediaType())) {
                return loadManifest(store, current, reference, kind, repoTags, options);
            }
            if (!MediaTypes.isIndex(current.mediaType())) {
                throw new ImageException(reference + ": unsupported media type '" + current.mediaType()
                        + "' for " + current.digest() + " (expected an image manifest or index)");
            }
            byte[] bytes = store.readManifest(current, "index");
            IndexTemplate index = Json.read(bytes, IndexTemplate.class, "index " + current.digest() + " of " + reference);
            checkMediaType(index.mediaType(), current, reference);
            List<Descriptor> children = descriptors(index.manifests(), "index " + current.digest() + " of " + reference);
            current = selectPlatform(children, options, reference);
        }
        throw new ImageException(reference + ": indexes nested deeper than " + MAX_INDEX_DEPTH + " levels");
    }

    public static List<Descriptor> descriptors(List<DescriptorTemplate> templates, String where)
            throws ImageException {
        if (templates == null) {
            throw new ImageException(where + ": no manifests listed");
        }
        List<Descriptor> out = new ArrayList<>();
        for (int i = 0; i < templates.size(); i++) {
            out.add(descriptor(templates.get(i), where + ", entry " + (i + 1)));
        }
        return out;
    }

    /** Picks the manifest for the requested platform; the error lists the platforms there are. */
    public static Descriptor selectPlatform(List<Descriptor> candidates, SourceOptions options, String reference)
            throws ImageException {
        Platform wanted = options.platform();
        Descriptor loose = null;
        List<String> available = new ArrayList<>();
        for (Descriptor c : candidates) {
            if (c.platform() == null || "unknown".equals(c.platform().os())) {
                continue; // attestation manifests and the like
            }
            available.add(c.platform().toString());
            if (wanted.matchesExactly(c.platform())) {
                return c;
            }
            if (loose == null && wanted.matches(c.platform())) {
                loose = c;
            }
        }
        if (loose != null) {
            return loose;
        }
        throw new ImageException(reference + ": no image for platform " + wanted + "; available: "
                + (available.isEmpty() ? "none" : String.join(", ", available)));
    }

    private static void checkMediaType(String declared, Descriptor d, String reference) throws ImageException {
        if (declared != null && d.mediaType() != null && !declared.equals(d.mediaType())) {
            throw new ImageException(reference + ": " + d.digest() + " declares media type '" + declared
                    + "' but its descriptor says '" + d.mediaType() + "'");
        }
    }

    private static Image loadManifest(BlobStore store, Descriptor d, String reference, SourceKind kind,
                                      List<String> repoTags, SourceOptions options) throws IOException {
        byte[] bytes = store.readManifest(d, "manifest");
        String where = "manifest " + d.digest() + " of " + reference;
        ManifestTemplate m = Json.read(bytes, ManifestTemplate.class, where);
        checkMediaType(m.mediaType(), d, reference);
        if (m.config() == null) {
            throw new ImageException(where + ": no config descriptor");
        }
        if (m.layers() == null) {
            throw new ImageException(where + ": no layers list");
        }
        Descriptor configDescriptor = descriptor(m.config(), where + ", config");
        List<Descriptor> layerDescriptors = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < m.layers().size(); i++) {
            Descriptor ld = descriptor(m.layers().get(i), where + ", layer " + (i + 1));
            if (!MediaTypes.isLayer(ld.mediaType())) {
                throw new ImageException(where + ": layer " + (i + 1) + " has media type '" + ld.mediaType()
                        + "', not an image layer (is this an artifact rather than an image?)");
            }
            String path = BlobStore.blobPath(ld.digest());
            if (!store.exists(path)) {
                throw new ImageException(where + ": layer " + (i + 1) + " " + ld.digest() + " is missing from "
                        + store.describe());
            }
            layerDescriptors.add(ld);
            paths.add(path);
        }
        byte[] configBytes = store.readVerified(configDescriptor, MAX_CONFIG_BYTES, "config");
        return assemble(reference, kind, store, d.digest(), d.mediaType(), configDescriptor, configBytes,
                layerDescriptors, paths, repoTags, options);
    }

    /**
     * Builds the image once the config bytes are verified: parses the config, pairs each layer with its diff ID and
     * checks the platform when the user asked for one.
     */
    public static Image assemble(String reference, SourceKind kind, BlobStore store, Digest manifestDigest,
                                 String manifestMediaType, Descriptor configDescriptor, byte[] configBytes,
                                 List<Descriptor> layerDescriptors, List<String> layerPaths,
                                 List<String> repoTags, SourceOptions options) throws ImageException {
        String where = "config " + configDescriptor.digest() + " of " + reference;
        ConfigTemplate config = Json.read(configBytes, ConfigTemplate.class, where);
        List<String> diffIds = config.rootfs() == null ? null : config.rootfs().diffIds();
        if (diffIds == null) {
            throw new ImageException(where + ": no rootfs.diff_ids");
        }
        if (diffIds.size() != layerDescriptors.size()) {
            throw new ImageException(where + ": lists " + diffIds.size() + " diff_ids for "
                    + layerDescriptors.size() + " layers");
        }
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < diffIds.size(); i++) {
            Digest diffId;
            try {
                diffId = Digest.parse(diffIds.get(i));
            } catch (IllegalArgumentException e) {
                throw new ImageException(where + ": diff_id " + (i + 1) + ": " + e.getMessage());
            }
            layers.add(new Layer(i, layerDescriptors.get(i), diffId, store, layerPaths.get(i)));
        }
        Platform platform = null;
        if (config.os() != null && config.architecture() != null && !config.os().isBlank()
                && !config.architecture().isBlank()) {
            platform = new Platform(config.os(), config.architecture(), config.variant());
        }
        if (options.platformExplicit() && (platform == null || !options.platform().matches(platform))) {
            throw new ImageException(reference + ": no image for platform " + options.platform()
                    + "; available: " + (platform == null ? "none declared" : platform));
        }
        return new Image(reference, kind, manifestDigest, manifestMediaType, configDescriptor, ImageConfig.of(config),
                platform,
                layers, null, repoTags, store);
    }

    /** The tag an OCI layout gives a descriptor, or null. */
    public static String refName(Descriptor d) {
        Map<String, String> a = d.annotations();
        return a.get("org.opencontainers.image.ref.name");
    }
}
