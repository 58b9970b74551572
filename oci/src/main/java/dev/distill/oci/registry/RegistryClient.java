package dev.distill.oci.registry;

import dev.distill.oci.Descriptor;
import dev.distill.oci.Digest;
import dev.distill.oci.ImageException;
import dev.distill.oci.ImageReference;
import dev.distill.oci.Manifests;
import dev.distill.oci.MediaTypes;
import dev.distill.oci.Repository;
import dev.distill.oci.wire.DescriptorTemplate;
import dev.distill.oci.wire.IndexTemplate;
import dev.distill.oci.wire.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The OCI distribution API, written on {@code java.net.http} (oras-java-sdk was evaluated first; oci/README.md
 * says why it was not taken). Every manifest read is digest-checked here; blobs are streamed and checked by
 * their readers ({@code VerifyingInputStream}).
 */
public final class RegistryClient {
    /** Accept header for manifests: every manifest and index media type we read. */
    static final String MANIFEST_ACCEPT = String.join(", ", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST,
            MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST);

    private final RegistryHttp http;
    private final RegistryOptions options;

    public RegistryClient(RegistryOptions options) {
        this.http = new RegistryHttp(options);
        this.options = options;
    }

    /** A body that is closed when no byte arrives for the client's timeout. */
    InputStream guard(InputStream body) {
        return StallGuard.guard(body, options.timeout());
    }

    /** A manifest or index as the registry served it, its digest recomputed. */
    public record Manifest(byte[] bytes, String mediaType, Digest digest) {
        public Descriptor descriptor() {
            return new Descriptor(mediaType, digest, bytes.length, null, null);
        }
    }

    /**
     * Reads a body-less answer (a HEAD's) to its end before closing it: the JDK client closes a connection whose
     * body is closed before its end arrived (566 connections for 5,500 HEADs of a tag; RegistryConnectionsTest).
     */
    private static void drain(HttpResponse<InputStream> r) throws IOException {
        try (InputStream body = r.body()) {
            body.transferTo(OutputStream.nullOutputStream());
        }
    }

    private static String path(Repository repo, String kind, String ref) {
        return "/v2/" + repo.name() + "/" + kind + "/" + ref;
    }

    private RegistryHttp.Call call(String method, Repository repo, String path,
                                   Map<String, String> headers, Supplier<HttpRequest.BodyPublisher> body,
                                   boolean push) {
        return new RegistryHttp.Call(method, repo.registry(), repo.name(), path, headers, body, push);
    }

    private static RegistryException unexpected(HttpResponse<InputStream> r, String what, Repository repo) {
        String body;
        try (InputStream in = r.body()) {
            body = new String(in.readNBytes(512), java.nio.charset.StandardCharsets.UTF_8).strip()
                    .replaceAll("\\s+", " ");
        } catch (IOException alreadyClosed) {
            body = ""; // HEAD responses and bodies already consumed carry no explanation
        }
        return new RegistryException("registry " + repo.registry() + ", repository " + repo.name() + ": " + what
                + " answered HTTP " + r.statusCode() + (body.isEmpty() ? "" : ": " + body), r.statusCode());
    }

    /** GETs a manifest by tag or digest; a digest reference must match the bytes, and so must Docker-Content-Digest. */
    public Manifest manifest(Repository repo, String reference) throws IOException {
        HttpResponse<InputStream> r = http.send(call("GET", repo,
                path(repo, "manifests", reference), Map.of("Accept", MANIFEST_ACCEPT), null, false));
        if (r.statusCode() == 404) {
            r.body().close();
            throw new RegistryException("registry " + repo.registry() + ": no manifest " + repo.name() + ":" + reference
                    + " (HTTP 404)", 404);
        }
        if (r.statusCode() != 200) {
            throw unexpected(r, "GET manifest " + reference, repo);
        }
        byte[] bytes;
        try (InputStream in = guard(r.body())) {
            bytes = in.readNBytes((int) Manifests.MAX_MANIFEST_BYTES + 1);
        }
        if (bytes.length > Manifests.MAX_MANIFEST_BYTES) {
            throw new ImageException("registry " + repo.registry() + ": manifest " + repo.name() + ":" + reference
                    + " is larger than " + Manifests.MAX_MANIFEST_BYTES + " bytes");
        }
        String mediaType = r.headers().firstValue("Content-Type").map(t -> t.split(";")[0].strip()).orElse(null);
        Digest digest = Digest.sha256(bytes);
        if (reference.contains(":")) {
            Digest wanted = Digest.parse(reference);
            Digest actual = Digest.of(wanted.algorithm(), bytes);
            if (!actual.equals(wanted)) {
                throw new ImageException("registry " + repo.registry() + ": manifest " + repo.name() + "@" + wanted
                        + " has digest " + actual);
            }
            digest = actual;
        }
        Optional<String> header = r.headers().firstValue("Docker-Content-Digest");
        if (header.isPresent() && header.get().startsWith(digest.algorithm() + ":")
                && !header.get().equals(digest.toString())) {
            throw new ImageException("registry " + repo.registry() + ": manifest " + repo.name() + ":" + reference
                    + " has digest " + digest + " but the registry says " + header.get());
        }
        return new Manifest(bytes, mediaType, digest);
    }

    /** GETs a manifest as {@link #manifest} does; empty when the registry has no such manifest (one request). */
    public Optional<Manifest> manifestIfPresent(Repository repo, String reference)
            throws IOException {
        try {
            return Optional.of(manifest(repo, reference));
        } catch (RegistryException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The image's digest: the reference's own, else its tag resolved now (one HEAD); a missing image is an error. */
    public Digest resolve(ImageReference ref) throws IOException {
        if (ref.digest() != null) {
            return ref.digest();
        }
        return head(ref.repo(), ref.identifier()).orElseThrow(() -> new RegistryException(
                "registry " + ref.registry() + ": no image " + ref.repository() + ":" + ref.tag(), 404)).digest();
    }

    /** HEADs a manifest: its descriptor, or empty when the registry does not have it. */
    public Optional<Descriptor> head(Repository repo, String reference) throws IOException {
        HttpResponse<InputStream> r = http.send(call("HEAD", repo,
                path(repo, "manifests", reference), Map.of("Accept", MANIFEST_ACCEPT), null, false));
        drain(r);
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        if (r.statusCode() != 200) {
            throw unexpected(r, "HEAD manifest " + reference, repo);
        }
        Optional<String> digest = r.headers().firstValue("Docker-Content-Digest");
        if (digest.isEmpty()) {
            // Without the header the digest cannot be known without the bytes: read them.
            return Optional.of(manifest(repo, reference).descriptor());
        }
        Digest parsed;
        try {
            parsed = Digest.parse(digest.get());
        } catch (IllegalArgumentException e) {
            throw new ImageException("registry " + repo.registry() + ": manifest " + repo.name() + ":" + reference
                    + " has a malformed Docker-Content-Digest header (" + e.getMessage() + ")");
        }
        return Optional.of(new Descriptor(r.headers().firstValue("Content-Type").map(t -> t.split(";")[0].strip())
                .orElse(null), parsed, r.headers().firstValueAsLong("Content-Length").orElse(-1), null, null));
    }

    /** Streams a blob; the caller verifies it (it is opened through a VerifyingInputStream by the readers). */
    public InputStream blob(Repository repo, Digest digest) throws IOException {
        return new ResumingBlobStream(this, repo, digest);
    }

    /** One GET of a blob from {@code offset} on; 206 expected when offset > 0. */
    HttpResponse<InputStream> blobResponse(Repository repo, Digest digest, long offset)
            throws IOException {
        Map<String, String> headers = offset > 0 ? Map.of("Range", "bytes=" + offset + "-") : Map.of();
        HttpResponse<InputStream> r = http.send(call("GET", repo,
                path(repo, "blobs", digest.toString()), headers, null, false));
        if (r.statusCode() == 404) {
            r.body().close();
            throw new RegistryException("registry " + repo.registry() + ": blob " + digest + " is missing from "
                    + repo.name() + " (HTTP 404)", 404);
        }
        if (r.statusCode() != 200 && !(offset > 0 && r.statusCode() == 206)) {
            throw unexpected(r, "GET blob " + digest, repo);
        }
        return r;
    }

    /** Whether the repository already has the blob. */
    public boolean hasBlob(Repository repo, Digest digest) throws IOException {
        HttpResponse<InputStream> r = http.send(call("HEAD", repo,
                path(repo, "blobs", digest.toString()), Map.of(), null, false));
        drain(r);
        if (r.statusCode() == 200) {
            return true;
        }
        if (r.statusCode() == 404) {
            return false;
        }
        throw unexpected(r, "HEAD blob " + digest, repo);
    }

    /** What a blob push did: nothing (the repository had it), a cross-repository mount, or an upload. */
    public enum BlobPush { PRESENT, MOUNTED, UPLOADED }

    /**
     * Uploads a blob unless the repository has it: a cross-repository mount from {@code mountFrom} when given and
     * the registry agrees, else a monolithic upload, or a chunked one when {@code chunkSize} > 0.
     */
    public BlobPush pushBlob(Repository repo, Digest digest, long size,
                             Supplier<InputStream> content, String mountFrom, long chunkSize) throws IOException {
        if (hasBlob(repo, digest)) {
            return BlobPush.PRESENT;
        }
        String start = "/v2/" + repo.name() + "/blobs/uploads/"
                + (mountFrom != null ? "?mount=" + digest + "&from=" + mountFrom : "");
        HttpResponse<InputStream> r = http.send(call("POST", repo, start,
                Map.of(), null, true));
        r.body().close();
        if (r.statusCode() == 201 && mountFrom != null) {
            return BlobPush.MOUNTED;
        }
        if (r.statusCode() != 202) {
            throw unexpected(r, "POST blob upload", repo);
        }
        String location = location(r, repo);
        if (chunkSize > 0) {
            location = uploadChunks(repo, location, size, content, chunkSize);
            location = location + (location.contains("?") ? "&" : "?") + "digest=" + digest;
            finish(repo, location, digest, HttpRequest.BodyPublishers::noBody);
        } else {
            String put = location + (location.contains("?") ? "&" : "?") + "digest=" + digest;
            finish(repo, put, digest, () -> HttpRequest.BodyPublishers.fromPublisher(
                    HttpRequest.BodyPublishers.ofInputStream(content), size));
        }
        return BlobPush.UPLOADED;
    }

    private String uploadChunks(Repository repo, String location, long size,
                                Supplier<InputStream> content, long chunkSize) throws IOException {
        try (InputStream in = content.get()) {
            long offset = 0;
            while (offset < size) {
                byte[] chunk = in.readNBytes((int) Math.min(chunkSize, size - offset));
                if (chunk.length == 0) {
                    throw new IOException("blob content ended at " + offset + " of " + size + " bytes");
                }
                long first = offset;
                HttpResponse<InputStream> r = http.send(call("PATCH", repo, location,
                        Map.of("Content-Type", "application/octet-stream",
                                "Content-Range", first + "-" + (first + chunk.length - 1)),
                        () -> HttpRequest.BodyPublishers.ofByteArray(chunk), true));
                r.body().close();
                if (r.statusCode() != 202) {
                    throw unexpected(r, "PATCH blob chunk at " + first, repo);
                }
                location = location(r, repo);
                offset += chunk.length;
            }
        }
        return location;
    }

    private void finish(Repository repo, String put, Digest digest,
                        Supplier<HttpRequest.BodyPublisher> body) throws IOException {
        HttpResponse<InputStream> r = http.send(call("PUT", repo, put,
                Map.of("Content-Type", "application/octet-stream"), body, true));
        r.body().close();
        if (r.statusCode() != 201) {
            throw unexpected(r, "PUT blob " + digest, repo);
        }
    }

    /** The upload location, as a path and query relative to the registry (it may be absolute). */
    private String location(HttpResponse<InputStream> r, Repository repo) throws IOException {
        String loc = r.headers().firstValue("Location").orElseThrow(() -> new RegistryException("registry "
                + repo.registry() + ", repository " + repo.name() + ": upload answered without a Location",
                r.statusCode()));
        URI uri = URI.create(loc);
        if (uri.isAbsolute()) {
            if (!repo.registry().equals(uri.getRawAuthority())) {
                throw new RegistryException("registry " + repo.registry() + " sent an upload location on another host ("
                        + uri.getRawAuthority() + "); not following it with credentials", r.statusCode());
            }
            return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        }
        return loc;
    }

    /** PUTs a manifest under a tag or its digest; the registry's digest must be ours. */
    public Digest putManifest(Repository repo, String reference, String mediaType, byte[] bytes)
            throws IOException {
        Digest digest = Digest.sha256(bytes);
        HttpResponse<InputStream> r = http.send(call("PUT", repo,
                path(repo, "manifests", reference), Map.of("Content-Type", mediaType),
                () -> HttpRequest.BodyPublishers.ofByteArray(bytes), true));
        r.body().close();
        if (r.statusCode() != 201) {
            throw unexpected(r, "PUT manifest " + reference, repo);
        }
        Optional<String> echoed = r.headers().firstValue("Docker-Content-Digest");
        if (echoed.isPresent() && !echoed.get().equals(digest.toString())) {
            throw new ImageException("registry " + repo.registry() + " stored manifest " + repo.name() + ":" + reference
                    + " as " + echoed.get() + ", expected " + digest);
        }
        return digest;
    }

    /**
     * DELETEs a manifest by tag or digest: true when the registry removed it, false when it had no such manifest.
     * Registries that cannot delete by tag (distribution 2.8 and older) answer with an error status, thrown.
     */
    public boolean deleteManifest(Repository repo, String reference) throws IOException {
        HttpResponse<InputStream> r = http.send(call("DELETE", repo,
                path(repo, "manifests", reference), Map.of(), null, true));
        if (r.statusCode() == 202 || r.statusCode() == 200) {
            r.body().close();
            return true;
        }
        if (r.statusCode() == 404) {
            r.body().close();
            return false;
        }
        throw unexpected(r, "DELETE manifest " + reference, repo);
    }

    /** How a registry lists the manifests that refer to another. */
    public enum ReferrersSupport { API, TAG_SCHEMA }

    /**
     * How the registry lists {@code subject}'s referrers: by the referrers API, or (a 404 there, as distribution 2.8
     * answers) by the fallback tag schema. The same request as {@link #referrers}.
     */
    public ReferrersSupport referrersSupport(Repository repo, Digest subject) throws IOException {
        return listing(repo, subject).support();
    }

    /** The tag of the fallback referrers index: {@code sha256-<hex>}. */
    public static String referrersTag(Digest subject) {
        return subject.algorithm() + "-" + subject.hex();
    }

    /**
     * The manifests that name {@code subject} as their subject: from the referrers API, else from the fallback
     * tag's index (empty when neither has any).
     */
    public List<Descriptor> referrers(Repository repo, Digest subject) throws IOException {
        return listing(repo, subject).referrers();
    }

    /** Where a subject's referrers are listed, and what is listed there. */
    private record Listing(ReferrersSupport support, List<Descriptor> referrers) {
    }

    private Listing listing(Repository repo, Digest subject) throws IOException {
        // One request where the registry has the API; else its 404 and one GET of the fallback tag.
        HttpResponse<InputStream> r = http.send(call("GET", repo,
                path(repo, "referrers", subject.toString()), Map.of("Accept", MediaTypes.OCI_INDEX), null,
                false));
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (r.statusCode() == 200 && type.startsWith(MediaTypes.OCI_INDEX)) {
            byte[] bytes;
            try (InputStream in = guard(r.body())) {
                bytes = in.readNBytes((int) Manifests.MAX_MANIFEST_BYTES + 1);
            }
            if (bytes.length > Manifests.MAX_MANIFEST_BYTES) {
                throw new ImageException("registry " + repo.registry() + ": the referrers of " + repo.name() + "@"
                        + subject + " list more than " + Manifests.MAX_MANIFEST_BYTES + " bytes");
            }
            return new Listing(ReferrersSupport.API, index(bytes, "referrers of " + subject + " in " + repo));
        }
        r.body().close();
        Optional<Manifest> tagged = manifestIfPresent(repo, referrersTag(subject));
        return new Listing(ReferrersSupport.TAG_SCHEMA, tagged.isEmpty() ? List.of() : index(tagged.get().bytes(),
                "referrers tag " + referrersTag(subject) + " in " + repo));
    }

    private static List<Descriptor> index(byte[] bytes, String what) throws ImageException {
        IndexTemplate index = Json.read(bytes, IndexTemplate.class, what);
        return Manifests.descriptors(index.manifests() == null ? List.of() : index.manifests(), what);
    }

    /**
     * Pushes an artifact: its new blobs (each unless the repository has it), then its OCI manifest, under
     * {@code tag} when it has no subject, else by digest and listed among the subject's referrers (the API, or the
     * fallback tag's index). Returns the manifest's digest.
     */
    public Digest pushArtifact(Repository repo, String tag, Artifact artifact) throws IOException {
        if ((artifact.subject() == null) == (tag == null)) {
            throw new IllegalArgumentException("an artifact is found by its tag or by its subject, exactly one");
        }
        List<Artifact.Blob> blobs = new ArrayList<>();
        blobs.add(artifact.config());
        blobs.addAll(artifact.layers());
        for (Artifact.Blob b : blobs) {
            if (b.bytes() != null) {
                byte[] bytes = b.bytes();
                pushBlob(repo, Digest.parse(b.descriptor().digest()), bytes.length,
                        () -> new ByteArrayInputStream(bytes), null, 0);
            }
        }
        byte[] manifest = artifact.manifest();
        Descriptor subject = artifact.subject();
        if (subject == null) {
            return putManifest(repo, tag, MediaTypes.OCI_MANIFEST, manifest);
        }
        return pushReferrer(repo, subject.digest(), MediaTypes.OCI_MANIFEST, artifact.artifactType(), manifest,
                artifact.annotations());
    }

    /**
     * Pushes a manifest that has a subject and makes it findable: by the registry itself when it has the referrers
     * API, else by adding it to the fallback tag's index (created when missing).
     */
    public Digest pushReferrer(Repository repo, Digest subject, String mediaType,
                               String artifactType, byte[] manifest, Map<String, String> annotations)
            throws IOException {
        Digest digest = putManifest(repo, Digest.sha256(manifest).toString(), mediaType, manifest);
        Listing listing = listing(repo, subject);
        if (listing.support() == ReferrersSupport.API) {
            return digest;
        }
        List<DescriptorTemplate> entries = new ArrayList<>();
        for (Descriptor d : listing.referrers()) {
            if (!d.digest().equals(digest)) {
                entries.add(new DescriptorTemplate(d.mediaType(), d.digest().toString(), d.size(), null,
                        d.annotations().isEmpty() ? null : new LinkedHashMap<>(d.annotations()), null,
                        d.artifactType()));
            }
        }
        entries.add(new DescriptorTemplate(mediaType, digest.toString(), (long) manifest.length, null,
                Artifact.orNull(annotations), null, artifactType));
        byte[] index = Json.write(new IndexTemplate(2, MediaTypes.OCI_INDEX, entries, null));
        putManifest(repo, referrersTag(subject), MediaTypes.OCI_INDEX, index);
        return digest;
    }
}
