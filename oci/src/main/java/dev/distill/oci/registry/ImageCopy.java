package dev.distill.oci.registry;

import dev.distill.oci.Descriptor;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageException;
import dev.distill.oci.Manifests;
import dev.distill.oci.MediaTypes;
import dev.distill.oci.Repository;
import dev.distill.oci.VerifyingInputStream;
import dev.distill.oci.wire.IndexTemplate;
import dev.distill.oci.wire.Json;
import dev.distill.oci.wire.ManifestTemplate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Copies a manifest (an image, an index with every platform, a signature or referrer manifest) from one
 * repository to another, byte for byte, so its digest is the same at the destination. Children go before their
 * parents and the tag goes last, so a copy cut short leaves nothing tagged; whatever the destination already has
 * (a HEAD first) is not sent again, so copying twice sends nothing the second time. Blobs are mounted across
 * repositories of one registry (an upload when the registry refuses the mount) and uploaded between registries,
 * streamed through, each checked against its digest and size on the way; every manifest read is checked against
 * the digest it was asked for.
 */
public final class ImageCopy {
    private static final int MAX_DEPTH = 4;

    private final RegistryClient client;

    public ImageCopy(RegistryClient client) {
        this.client = client;
    }

    /** Where a copy goes: a repository, and the tag to point at the copied digest (null: by digest only). */
    public record Target(Repository repo, String tag) {
    }

    /**
     * What a copy did (or, for a dry run, would do). Bytes count blob content only; {@code replaced} is the digest
     * the tag named before it was moved (null when the tag was new or is unchanged).
     */
    public record Result(Digest digest, List<Digest> manifests, int manifestsPushed, int manifestsPresent,
                         int blobsMounted, int blobsUploaded, int blobsPresent, long bytesMounted, long bytesUploaded,
                         boolean tagged, Digest replaced, boolean dryRun) {
        public Result {
            manifests = List.copyOf(manifests);
        }

        /** Nothing was (or would be) written. */
        public boolean noop() {
            return manifestsPushed == 0 && blobsMounted == 0 && blobsUploaded == 0 && !tagged;
        }

        /** This copy's counts added to another's (a promotion sums the image and its attachments). */
        public Result plus(Result o) {
            List<Digest> all = new ArrayList<>(manifests);
            all.addAll(o.manifests);
            return new Result(digest, all, manifestsPushed + o.manifestsPushed, manifestsPresent + o.manifestsPresent,
                    blobsMounted + o.blobsMounted, blobsUploaded + o.blobsUploaded, blobsPresent + o.blobsPresent,
                    bytesMounted + o.bytesMounted, bytesUploaded + o.bytesUploaded, tagged || o.tagged,
                    replaced, dryRun);
        }
    }

    /** Counts of one copy in progress. */
    private static final class Tally {
        final List<Digest> manifests = new ArrayList<>();
        final Set<Digest> seenBlobs = new HashSet<>();
        final Set<Digest> seenManifests = new HashSet<>();
        int manifestsPushed;
        int manifestsPresent;
        int blobsMounted;
        int blobsUploaded;
        int blobsPresent;
        long bytesMounted;
        long bytesUploaded;
    }

    /**
     * Copies the manifest {@code digest} of {@code from}, and everything it refers to, to
     * the target; with {@code dryRun} only reads and HEADs, and reports what it would send.
     */
    public Result copy(Repository from, Digest digest, Target to, boolean dryRun) throws IOException {
        Tally t = new Tally();
        RegistryClient.Manifest top = client.manifest(from, digest.toString());
        String mediaType = copyManifest(from, top, null, to, t, dryRun, 0);
        boolean tagged = false;
        Digest replaced = null;
        if (to.tag() != null) {
            Optional<Descriptor> now = client.head(to.repo(), to.tag());
            if (now.isEmpty() || !now.get().digest().equals(digest)) {
                replaced = now.map(Descriptor::digest).orElse(null);
                if (!dryRun) {
                    client.putManifest(to.repo(), to.tag(), mediaType, top.bytes());
                }
                tagged = true;
            }
        }
        return new Result(digest, t.manifests, t.manifestsPushed, t.manifestsPresent, t.blobsMounted,
                t.blobsUploaded, t.blobsPresent, t.bytesMounted, t.bytesUploaded, tagged, replaced, dryRun);
    }

    /** Copies one manifest after its children; returns the media type it was pushed with. */
    private String copyManifest(Repository from, RegistryClient.Manifest m, Descriptor described, Target to, Tally t,
                                boolean dryRun, int depth) throws IOException {
        String where = "manifest " + from.name() + "@" + m.digest();
        if (described != null && described.size() != m.bytes().length) {
            throw new ImageException("registry " + from.registry() + ": " + where + " has " + m.bytes().length
                    + " bytes, its index says " + described.size());
        }
        String mediaType = mediaType(m, described, where);
        if (!t.seenManifests.add(m.digest())) {
            return mediaType;
        }
        if (MediaTypes.isIndex(mediaType)) {
            if (depth >= MAX_DEPTH) {
                throw new ImageException("registry " + from.registry() + ": " + where + " nests indexes deeper than "
                        + MAX_DEPTH);
            }
            IndexTemplate index = Json.read(m.bytes(), IndexTemplate.class, where);
            for (Descriptor child : Manifests.descriptors(index.manifests() == null ? List.of() : index.manifests(),
                    where)) {
                RegistryClient.Manifest c = client.manifest(from,
                        child.digest().toString());
                copyManifest(from, c, child, to, t, dryRun, depth + 1);
            }
        } else if (MediaTypes.isManifest(mediaType)) {
            ManifestTemplate manifest = Json.read(m.bytes(), ManifestTemplate.class, where);
            List<Descriptor> blobs = new ArrayList<>();
            blobs.add(Manifests.descriptor(manifest.config(), where + " config"));
            blobs.addAll(Manifests.descriptors(manifest.layers() == null ? List.of() : manifest.layers(), where));
            for (Descriptor b : blobs) {
                copyBlob(from, b, to, t, dryRun);
            }
        } else {
            throw new ImageException("registry " + from.registry() + ": " + where + " has media type " + mediaType
                    + ", which cannot be copied (an OCI or Docker v2 manifest or index is needed)");
        }
        t.manifests.add(m.digest());
        if (client.head(to.repo(), m.digest().toString()).isPresent()) {
            t.manifestsPresent++;
        } else {
            if (!dryRun) {
                client.putManifest(to.repo(), m.digest().toString(), mediaType, m.bytes());
            }
            t.manifestsPushed++;
        }
        return mediaType;
    }

    /** The manifest's own {@code mediaType} field, else its index entry's, else what the registry served. */
    private static String mediaType(RegistryClient.Manifest m, Descriptor described, String where)
            throws ImageException {
        String own = Json.read(m.bytes(), ManifestTemplate.class, where).mediaType();
        String type = own != null ? own : described != null && described.mediaType() != null ? described.mediaType()
                : m.mediaType();
        if (type == null) {
            throw new ImageException(where + " names no media type");
        }
        if (described != null && described.mediaType() != null && !described.mediaType().equals(type)) {
            throw new ImageException(where + " is a " + type + ", its index says " + described.mediaType());
        }
        return type;
    }

    private void copyBlob(Repository from, Descriptor b, Target to, Tally t, boolean dryRun) throws IOException {
        if (!t.seenBlobs.add(b.digest())) {
            return;
        }
        if (client.hasBlob(to.repo(), b.digest())) {
            t.blobsPresent++;
            return;
        }
        boolean sameRegistry = from.registry().equals(to.repo().registry()) && !from.name().equals(to.repo().name());
        if (dryRun) {
            // A mount is what would be tried first; the registry may still answer it with an upload.
            if (sameRegistry) {
                t.blobsMounted++;
                t.bytesMounted += b.size();
            } else {
                t.blobsUploaded++;
                t.bytesUploaded += b.size();
            }
            return;
        }
        String what = "blob " + b.digest() + " of " + from;
        RegistryClient.BlobPush done = client.pushBlob(to.repo(), b.digest(), b.size(), () -> {
            try {
                return new VerifyingInputStream(client.blob(from, b.digest()),
                        b.digest(), b.size(), what);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, sameRegistry ? from.name() : null, 0);
        switch (done) {
            case MOUNTED -> {
                t.blobsMounted++;
                t.bytesMounted += b.size();
            }
            case UPLOADED -> {
                t.blobsUploaded++;
                t.bytesUploaded += b.size();
            }
            case PRESENT -> t.blobsPresent++;
        }
    }
}
