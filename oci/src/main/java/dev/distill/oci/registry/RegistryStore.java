package dev.distill.oci.registry;

import dev.distill.oci.BlobStore;
import dev.distill.oci.Descriptor;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageException;
import dev.distill.oci.Manifests;
import dev.distill.oci.Repository;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One repository of a registry seen as a {@link BlobStore}, so that the shared manifest and layer code reads
 * registry images as it reads layouts. Manifests come from the manifests endpoint (verified there and against
 * their descriptor here), blobs are streamed.
 */
final class RegistryStore implements BlobStore {
    private static final Pattern BLOB = Pattern.compile("blobs/(sha256|sha512)/([a-f0-9]+)");

    private final RegistryClient client;
    private final Repository repo;
    private final Map<Digest, byte[]> manifests = new ConcurrentHashMap<>();

    RegistryStore(RegistryClient client, Repository repo) {
        this.client = client;
        this.repo = repo;
    }

    /** Keeps a manifest already fetched (by tag), so resolving it by digest costs no second request. */
    void remember(RegistryClient.Manifest m) {
        manifests.put(m.digest(), m.bytes());
    }

    private Digest digestOf(String path) throws ImageException {
        Matcher m = BLOB.matcher(path);
        if (!m.matches()) {
            throw new ImageException(describe() + ": no such blob path '" + path + "'");
        }
        return new Digest(m.group(1), m.group(2));
    }

    @Override
    public InputStream open(String path) throws IOException {
        return client.blob(repo, digestOf(path));
    }

    /** Blobs are checked when they are read; asking first would cost a request per layer. */
    @Override
    public boolean exists(String path) {
        return BLOB.matcher(path).matches();
    }

    @Override
    public long size(String path) {
        return -1;
    }

    @Override
    public byte[] readManifest(Descriptor d, String what) throws IOException {
        if (d.size() > Manifests.MAX_MANIFEST_BYTES) {
            throw new ImageException(what + " " + d.digest() + " in " + describe() + " is larger than "
                    + Manifests.MAX_MANIFEST_BYTES + " bytes");
        }
        byte[] bytes = manifests.get(d.digest());
        if (bytes == null) {
            bytes = client.manifest(repo, d.digest().toString()).bytes();
        }
        if (bytes.length != d.size() || !Digest.of(d.digest().algorithm(), bytes).equals(d.digest())) {
            throw new ImageException(what + " " + d.digest() + " in " + describe() + " does not match its descriptor");
        }
        return bytes;
    }

    @Override
    public String describe() {
        return repo.toString();
    }

    @Override
    public void close() {
        // connections are pooled by the HTTP client
    }
}
