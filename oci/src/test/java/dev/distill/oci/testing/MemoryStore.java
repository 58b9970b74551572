package dev.distill.oci.testing;

import dev.distill.oci.BlobStore;
import dev.distill.oci.Descriptor;
import dev.distill.oci.Digest;
import dev.distill.oci.Image;
import dev.distill.oci.ImageException;
import dev.distill.oci.Layer;
import dev.distill.oci.MediaTypes;
import dev.distill.oci.SourceKind;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A medium held in memory, for fuzz targets and hostile-image tests that would otherwise write every input to disk.
 */
public final class MemoryStore implements BlobStore {
    private final Map<String, byte[]> files = new HashMap<>();
    private final String name;

    public MemoryStore(String name) {
        this.name = name;
    }

    /** A store holding the same files, to add to without touching this one. */
    public MemoryStore copy() {
        MemoryStore c = new MemoryStore(name);
        c.files.putAll(files);
        return c;
    }

    public MemoryStore put(String path, byte[] data) {
        files.put(path, data);
        return this;
    }

    /** Stores {@code data} as a blob under its own sha256 digest and returns that digest. */
    public Digest putBlob(byte[] data) {
        Digest d = Digest.sha256(data);
        files.put(BlobStore.blobPath(d), data);
        return d;
    }

    /** An image of one layer whose blob is {@code blob}, with no diff ID to check (as fuzz inputs have none). */
    public static Image oneLayerImage(byte[] blob) {
        MemoryStore store = new MemoryStore("memory:fuzz");
        Digest digest = store.putBlob(blob);
        Descriptor d = new Descriptor(MediaTypes.OCI_LAYER, digest, blob.length, null, null);
        Layer layer = new Layer(0, d, null, store, BlobStore.blobPath(digest));
        return new Image("memory:fuzz", SourceKind.OCI_LAYOUT, null, null, null, null, null, List.of(layer), null,
                List.of(), store);
    }

    @Override
    public InputStream open(String path) throws ImageException {
        byte[] data = files.get(path);
        if (data == null) {
            throw new ImageException(name + ": missing " + path);
        }
        return new ByteArrayInputStream(data);
    }

    @Override
    public boolean exists(String path) {
        return files.containsKey(path);
    }

    @Override
    public long size(String path) {
        byte[] data = files.get(path);
        return data == null ? -1 : data.length;
    }

    @Override
    public String describe() {
        return name;
    }

    @Override
    public void close() {
        // nothing held
    }
}
