package dev.distill.oci.registry;

import dev.distill.oci.Image;
import dev.distill.oci.ImageReference;
import dev.distill.oci.Manifests;
import dev.distill.oci.SourceKind;
import dev.distill.oci.SourceOptions;
import java.io.IOException;
import java.util.List;

/**
 * Opens an image in a registry: the tag is resolved to a manifest (and its digest) once, and everything after
 * is read by digest, so the image cannot change under the reader.
 */
public final class RegistrySource {
    private RegistrySource() {
    }

    public static Image open(ImageReference ref, String reference, SourceOptions options) throws IOException {
        RegistryClient client = new RegistryClient(options.registry());
        RegistryClient.Manifest top = client.manifest(ref.repo(), ref.identifier());
        RegistryStore store = new RegistryStore(client, ref.repo());
        store.remember(top);
        return Manifests.resolve(store, top.descriptor(), reference, SourceKind.REGISTRY,
                ref.tag() == null ? List.of() : List.of(ref.registry() + "/" + ref.repository() + ":" + ref.tag()),
                options);
    }
}
