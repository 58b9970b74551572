package dev.distill.oci;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * The files of one image medium (a layout directory, a tar archive), addressed by relative path. Implementations
 * never resolve a path outside the medium.
 */
public interface BlobStore extends Closeable {
    /** Opens the file at {@code path}; throws ImageException naming the medium when it is missing. */
    InputStream open(String path) throws IOException;

    boolean exists(String path);

    /** Size in bytes, or -1 when unknown or missing. */
    long size(String path);

    /** How to name this medium in messages, e.g. {@code oci:fixtures/base}. */
    String describe();

    static String blobPath(Digest digest) {
        return "blobs/" + digest.algorithm() + "/" + digest.hex();
    }

    /** Reads a small document whole, failing when it exceeds {@code max} bytes. */
    default byte[] readAll(String path, long max, String what) throws IOException {
        try (InputStream in = open(path)) {
            byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (data.length > max) {
                throw new LimitExceededException(what + " in " + describe() + " is larger than " + max + " bytes");
            }
            return data;
        }
    }

    /**
     * Reads a manifest or index whole, verified against its descriptor. Layouts keep them as blobs; registries
     * serve them from their manifests endpoint.
     */
    default byte[] readManifest(Descriptor d, String what) throws IOException {
        return readVerified(d, Manifests.MAX_MANIFEST_BYTES, what);
    }

    /** Reads a blob whole and checks its size and digest against the descriptor. */
    default byte[] readVerified(Descriptor d, long max, String what) throws IOException {
        if (d.size() > max) {
            throw new LimitExceededException(what + " " + d.digest() + " in " + describe() + " is larger than "
                    + max + " bytes (descriptor size " + d.size() + ")");
        }
        String name = what + " " + d.digest() + " in " + describe();
        try (VerifyingInputStream in = new VerifyingInputStream(open(blobPath(d.digest())), d.digest(), d.size(),
                name)) {
            byte[] data = in.readAllBytes();
            in.drain();
            return data;
        }
    }
}
