package dev.distill.oci.testing;

import dev.distill.oci.MediaTypes;
import dev.distill.oci.Repository;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.testing.ImageBuilder.BuiltImage;
import dev.distill.oci.testing.LayerBuilder.BuiltLayer;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/** Pushes a built image with the registry client under test: blobs, config, manifest, tag. */
public final class Pusher {
    private Pusher() {
    }

    public static void push(RegistryClient client, String registry, String repository, String tag, BuiltImage image,
                            long chunkSize) throws IOException {
        Repository repo = Repository.of(registry, repository);
        for (BuiltLayer l : image.layers()) {
            client.pushBlob(repo, l.digest(), l.blob().length,
                    () -> new ByteArrayInputStream(l.blob()), null, chunkSize);
        }
        client.pushBlob(repo, image.configDigest(), image.config().length,
                () -> new ByteArrayInputStream(image.config()), null, chunkSize);
        client.putManifest(repo, tag, MediaTypes.OCI_MANIFEST, image.manifest());
    }
}
