package dev.distill.oci;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * An image as read from a source: its manifest and config (both digest-verified when they were read) and its
 * lazy layers; or, for {@code dir:}, a root filesystem directory and no layers. Close it to release the medium.
 *
 * @param reference the reference as the user wrote it
 * @param kind the medium
 * @param manifestDigest digest of the manifest, or null (docker archives and directories have none)
 * @param manifestMediaType the manifest's media type, or null
 * @param configDescriptor the config's descriptor, or null for directories
 * @param config the parsed config, or null for directories
 * @param platform from the config, or null
 * @param layers bottom first
 * @param rootDirectory the root filesystem for {@code dir:}, else null
 * @param repoTags names the medium gives the image (layout ref names, docker archive RepoTags)
 */
public record Image(String reference, SourceKind kind, Digest manifestDigest, String manifestMediaType,
                    Descriptor configDescriptor, ImageConfig config, Platform platform, List<Layer> layers,
                    Path rootDirectory, List<String> repoTags, BlobStore store) implements AutoCloseable {

    public Image {
        layers = List.copyOf(layers);
        repoTags = List.copyOf(repoTags);
    }

    @Override
    public void close() throws IOException {
        if (store != null) {
            store.close();
        }
    }
}
