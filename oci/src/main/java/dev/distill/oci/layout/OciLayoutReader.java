package dev.distill.oci.layout;

import dev.distill.oci.BlobStore;
import dev.distill.oci.Descriptor;
import dev.distill.oci.Digest;
import dev.distill.oci.Image;
import dev.distill.oci.ImageException;
import dev.distill.oci.Manifests;
import dev.distill.oci.MediaTypes;
import dev.distill.oci.SourceKind;
import dev.distill.oci.SourceOptions;
import dev.distill.oci.wire.IndexTemplate;
import dev.distill.oci.wire.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Reads an OCI image layout (a directory or a tar of one): {@code oci-layout}, {@code index.json}, blobs. The image
 * is chosen by {@code :tag} (the {@code org.opencontainers.image.ref.name} annotation), by {@code @digest}, or, when
 * neither is given, as the only image or by platform.
 */
public final class OciLayoutReader {
    private OciLayoutReader() {
    }

    /**
     * @param selector null, {@code :tag} or {@code @sha256:...}
     */
    public static Image read(BlobStore store, String selector, String reference, SourceKind kind,
                             SourceOptions options) throws IOException {
        if (!store.exists("oci-layout")) {
            throw new ImageException(store.describe() + ": not an OCI image layout (no oci-layout file)");
        }
        if (!store.exists("index.json")) {
            throw new ImageException(store.describe() + ": not an OCI image layout (no index.json)");
        }
        byte[] bytes = store.readAll("index.json", Manifests.MAX_MANIFEST_BYTES, "index.json");
        IndexTemplate index = Json.read(bytes, IndexTemplate.class, "index.json of " + store.describe());
        List<Descriptor> top = Manifests.descriptors(index.manifests(), "index.json of " + store.describe());
        if (top.isEmpty()) {
            throw new ImageException(store.describe() + ": index.json lists no images");
        }

        List<Descriptor> chosen = new ArrayList<>();
        if (selector != null && selector.startsWith("@")) {
            Digest wanted;
            try {
                wanted = Digest.parse(selector.substring(1));
            } catch (IllegalArgumentException e) {
                throw new ImageException(reference + ": " + e.getMessage());
            }
            Descriptor found = findByDigest(store, top, wanted, reference, 0);
            if (found == null) {
                throw new ImageException(reference + ": no manifest or index with digest " + wanted);
            }
            chosen.add(found);
        } else if (selector != null) {
            String tag = selector.substring(1);
            for (Descriptor d : top) {
                if (tag.equals(Manifests.refName(d))) {
                    chosen.add(d);
                }
            }
            if (chosen.isEmpty()) {
                throw new ImageException(reference + ": no image tagged '" + tag + "'; tags: " + tags(top));
            }
        } else {
            chosen.addAll(top);
        }

        Descriptor target;
        if (chosen.size() == 1) {
            target = chosen.get(0);
        } else if (chosen.stream().allMatch(d -> d.platform() != null && MediaTypes.isManifest(d.mediaType()))) {
            target = Manifests.selectPlatform(chosen, options, reference);
        } else {
            throw new ImageException(reference + ": the layout holds " + chosen.size()
                    + " images; name one with :TAG or @DIGEST (tags: " + tags(top) + ")");
        }
        String tag = Manifests.refName(target);
        return Manifests.resolve(store, target, reference, kind, tag == null ? List.of() : List.of(tag), options);
    }

    private static String tags(List<Descriptor> top) {
        TreeSet<String> names = new TreeSet<>();
        for (Descriptor d : top) {
            if (Manifests.refName(d) != null) {
                names.add(Manifests.refName(d));
            }
        }
        return names.isEmpty() ? "none" : String.join(", ", names);
    }

    /** Finds a descriptor by digest among the layout's entries and inside the indexes they list. */
    private static Descriptor findByDigest(BlobStore store, List<Descriptor> list, Digest wanted, String reference,
                                           int depth) throws IOException {
        for (Descriptor d : list) {
            if (d.digest().equals(wanted)) {
                return d;
            }
        }
        if (depth >= 4) {
            return null;
        }
        for (Descriptor d : list) {
            if (MediaTypes.isIndex(d.mediaType())) {
                byte[] bytes = store.readManifest(d, "index");
                IndexTemplate child = Json.read(bytes, IndexTemplate.class, "index " + d.digest() + " of " + reference);
                Descriptor found = findByDigest(store,
                        Manifests.descriptors(child.manifests(), "index " + d.digest() + " of " + reference),
                        wanted, reference, depth + 1);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }
}
