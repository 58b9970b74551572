package dev.distill.oci.archive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.distill.oci.BlobStore;
import dev.distill.oci.Descriptor;
import dev.distill.oci.Digest;
import dev.distill.oci.Image;
import dev.distill.oci.ImageException;
import dev.distill.oci.Manifests;
import dev.distill.oci.SourceKind;
import dev.distill.oci.SourceOptions;
import dev.distill.oci.wire.DockerArchiveManifestTemplate;
import dev.distill.oci.wire.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@code docker save} archive through its {@code manifest.json}, in both layouts: legacy
 * ({@code <id>/layer.tar}, {@code <hex>.json}) and Docker 25+ ({@code blobs/sha256/<hex>}). The archive holds no
 * registry manifest, so the image has no manifest digest; its config digest is recomputed, and every layer is
 * checked against the config's diff IDs.
 */
public final class DockerArchiveReader {
    private static final Pattern HEX_NAME = Pattern.compile("(?:.*/)?(?:blobs/sha256/)?([a-f0-9]{64})(?:\\.json)?");
    private static final Pattern BLOB_NAME = Pattern.compile("blobs/(sha256|sha512)/([a-f0-9]+)");

    private DockerArchiveReader() {
    }

    /**
     * @param selector null, {@code :repo:tag}, or {@code @N} (0-based position in manifest.json)
     */
    public static Image read(BlobStore store, String selector, String reference, SourceOptions options)
            throws IOException {
        if (!store.exists("manifest.json")) {
            throw new ImageException(store.describe() + ": not a docker archive (no manifest.json)");
        }
        byte[] bytes = store.readAll("manifest.json", Manifests.MAX_MANIFEST_BYTES, "manifest.json");
        List<DockerArchiveManifestTemplate> entries;
        Json.checkValues(bytes, "manifest.json of " + store.describe());
        try {
            entries = Json.mapper().readValue(bytes, new TypeReference<List<DockerArchiveManifestTemplate>>() { });
        } catch (JsonProcessingException e) {
            throw new ImageException("manifest.json of " + store.describe() + " " + Json.problem(e));
        }
        if (entries == null || entries.isEmpty()) {
            throw new ImageException(store.describe() + ": manifest.json lists no images");
        }
        DockerArchiveManifestTemplate entry = select(entries, selector, reference);
        if (entry.config() == null || entry.layers() == null) {
            throw new ImageException(store.describe() + ": manifest.json entry lacks Config or Layers");
        }

        byte[] configBytes = store.readAll(entry.config(), Manifests.MAX_CONFIG_BYTES, "config " + entry.config());
        Digest configDigest = Digest.sha256(configBytes);
        Matcher named = HEX_NAME.matcher(entry.config());
        if (named.matches() && !named.group(1).equals(configDigest.hex())) {
            throw new ImageException(store.describe() + ": config " + entry.config() + " has digest " + configDigest
                    + ", its name says sha256:" + named.group(1));
        }
        Descriptor configDescriptor = new Descriptor("application/vnd.docker.container.image.v1+json", configDigest,
                configBytes.length, null, null);

        List<Descriptor> layers = new ArrayList<>();
        for (String path : entry.layers()) {
            Matcher blob = BLOB_NAME.matcher(path);
            // Docker 25+ names layer files by their own digest; legacy layer.tar files carry none, so only the
            // diff ID (checked while streaming) vouches for them.
            Digest digest = null;
            if (blob.matches()) {
                try {
                    digest = new Digest(blob.group(1), blob.group(2));
                } catch (IllegalArgumentException e) { // e.g. blobs/sha512/ with 64 hex digits
                    throw new ImageException(store.describe() + ": layer " + path + " is named by a "
                            + e.getMessage());
                }
            }
            if (!store.exists(path)) {
                throw new ImageException(store.describe() + ": missing layer " + path);
            }
            layers.add(new Descriptor("application/vnd.docker.image.rootfs.diff.tar", digest, store.size(path),
                    null, null));
        }
        List<String> tags = entry.repoTags() == null ? List.of() : entry.repoTags();
        return Manifests.assemble(reference, SourceKind.DOCKER_ARCHIVE, store, null, null, configDescriptor,
                configBytes, layers, entry.layers(), tags, options);
    }

    private static DockerArchiveManifestTemplate select(List<DockerArchiveManifestTemplate> entries, String selector,
                                                        String reference) throws ImageException {
        if (selector == null) {
            if (entries.size() == 1) {
                return entries.get(0);
            }
            throw new ImageException(reference + ": the archive holds " + entries.size()
                    + " images; name one with :REPO:TAG or @INDEX (tags: " + allTags(entries) + ")");
        }
        if (selector.startsWith("@")) {
            try {
                int i = Integer.parseInt(selector.substring(1));
                if (i >= 0 && i < entries.size()) {
                    return entries.get(i);
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new ImageException(reference + ": no image at index " + selector.substring(1) + " (the archive holds "
                    + entries.size() + ")");
        }
        String wanted = stripDefaultRegistry(selector.substring(1));
        for (DockerArchiveManifestTemplate e : entries) {
            if (e.repoTags() != null) {
                for (String t : e.repoTags()) {
                    if (stripDefaultRegistry(t).equals(wanted)) {
                        return e;
                    }
                }
            }
        }
        throw new ImageException(reference + ": no image tagged '" + selector.substring(1) + "'; tags: "
                + allTags(entries));
    }

    private static String stripDefaultRegistry(String tag) {
        String t = tag.startsWith("docker.io/") ? tag.substring("docker.io/".length()) : tag;
        return t.startsWith("library/") ? t.substring("library/".length()) : t;
    }

    private static String allTags(List<DockerArchiveManifestTemplate> entries) {
        List<String> tags = new ArrayList<>();
        for (DockerArchiveManifestTemplate e : entries) {
            if (e.repoTags() != null) {
                tags.addAll(e.repoTags());
            }
        }
        return tags.isEmpty() ? "none" : String.join(", ", tags);
    }
}
