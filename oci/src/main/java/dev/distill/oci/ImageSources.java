package dev.distill.oci;

import dev.distill.oci.archive.DockerArchiveReader;
import dev.distill.oci.archive.TarStore;
import dev.distill.oci.layout.DirectoryStore;
import dev.distill.oci.layout.OciLayoutReader;
import dev.distill.oci.registry.RegistrySource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The front door of image reading: {@code oci:DIR[:tag|@digest]}, {@code oci-archive:FILE[:tag|@digest]},
 * {@code docker-archive:FILE[:repo:tag|@index]}, {@code dir:DIR}, {@code registry:REF}, or, without a prefix, a
 * path whose medium is detected from its contents, else an image reference in a registry.
 */
public final class ImageSources {
    private ImageSources() {
    }

    public static Image open(String reference, SourceOptions options) throws IOException {
        if (reference == null || reference.isBlank()) {
            throw new ImageException("empty image reference");
        }
        int colon = reference.indexOf(':');
        String prefix = colon > 0 ? reference.substring(0, colon) : "";
        String rest = colon > 0 ? reference.substring(colon + 1) : reference;
        switch (prefix) {
            case "oci" -> {
                PathAndSelector ps = split(rest, reference);
                if (!Files.isDirectory(ps.path)) {
                    throw new ImageException(reference + ": " + ps.path + " is not a directory");
                }
                return OciLayoutReader.read(new DirectoryStore(ps.path, reference), ps.selector, reference,
                        SourceKind.OCI_LAYOUT, options);
            }
            case "oci-archive" -> {
                PathAndSelector ps = split(rest, reference);
                return readArchive(ps, reference, SourceKind.OCI_ARCHIVE, options);
            }
            case "docker-archive" -> {
                PathAndSelector ps = split(rest, reference);
                return readArchive(ps, reference, SourceKind.DOCKER_ARCHIVE, options);
            }
            case "dir" -> {
                Path dir = Path.of(rest);
                if (!Files.isDirectory(dir)) {
                    throw new ImageException(reference + ": " + rest + " is not a directory");
                }
                return directory(dir, reference);
            }
            case "registry" -> {
                return registry(rest, reference, options);
            }
            case "docker" -> throw new ImageException(reference + ": the docker daemon is not a source distill "
                    + "reads; use registry:REF, or docker save and docker-archive:FILE");
            default -> {
                return detect(reference, options);
            }
        }
    }

    private static Image detect(String reference, SourceOptions options) throws IOException {
        PathAndSelector ps = split(reference, reference);
        Path p = ps.path;
        if (Files.isDirectory(p)) {
            if (Files.exists(p.resolve("oci-layout"))) {
                return OciLayoutReader.read(new DirectoryStore(p, reference), ps.selector, reference,
                        SourceKind.OCI_LAYOUT, options);
            }
            if (ps.selector != null) {
                throw new ImageException(reference + ": " + p + " is a plain directory; it has no tags or digests");
            }
            return directory(p, reference);
        }
        if (!Files.isRegularFile(p)) {
            if (!Files.exists(p) && ImageReference.looksLikeReference(reference) && !looksLikePath(reference)) {
                return registry(reference, reference, options);
            }
            throw new ImageException(reference + ": no such file or directory");
        }
        TarStore store = TarStore.open(p, reference);
        try {
            if (store.exists("oci-layout")) {
                return OciLayoutReader.read(store, ps.selector, reference, SourceKind.OCI_ARCHIVE, options);
            }
            if (store.exists("manifest.json")) {
                return DockerArchiveReader.read(store, ps.selector, reference, options);
            }
            throw new ImageException(reference + ": a tar archive, but neither an OCI archive (no oci-layout) nor a "
                    + "docker archive (no manifest.json)");
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** A name that starts like a path here (./x, /x, or a first element that is a local directory) is a path. */
    private static boolean looksLikePath(String reference) {
        if (reference.startsWith(".") || reference.startsWith("/")) {
            return true;
        }
        int slash = reference.indexOf('/');
        return slash > 0 && Files.isDirectory(Path.of(reference.substring(0, slash)));
    }

    private static Image registry(String ref, String reference, SourceOptions options) throws IOException {
        ImageReference parsed;
        try {
            parsed = ImageReference.parse(ref);
        } catch (IllegalArgumentException e) {
            throw new ImageException(reference + ": " + e.getMessage());
        }
        return RegistrySource.open(parsed, reference, options);
    }

    private static Image readArchive(PathAndSelector ps, String reference, SourceKind kind, SourceOptions options)
            throws IOException {
        if (!Files.isRegularFile(ps.path)) {
            throw new ImageException(reference + ": " + ps.path + " is not a file");
        }
        TarStore store = TarStore.open(ps.path, reference);
        try {
            return kind == SourceKind.OCI_ARCHIVE
                    ? OciLayoutReader.read(store, ps.selector, reference, kind, options)
                    : DockerArchiveReader.read(store, ps.selector, reference, options);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static Image directory(Path dir, String reference) {
        return new Image(reference, SourceKind.DIRECTORY, null, null, null, null, null, List.of(), dir, List.of(),
                null);
    }

    private record PathAndSelector(Path path, String selector) {
    }

    /**
     * Splits {@code PATH[:selector|@selector]}. Paths may contain colons, so the longest-existing-prefix rule is
     * used: the whole text if it exists, else the shortest prefix ending before a ':' or '@' that does.
     */
    private static PathAndSelector split(String text, String reference) throws ImageException {
        if (text.isEmpty()) {
            throw new ImageException(reference + ": missing path");
        }
        if (Files.exists(Path.of(text))) {
            return new PathAndSelector(Path.of(text), null);
        }
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c == ':' || c == '@') && Files.exists(Path.of(text.substring(0, i)))) {
                String selector = text.substring(i);
                if (selector.length() < 2) {
                    throw new ImageException(reference + ": empty tag or digest after '" + c + "'");
                }
                return new PathAndSelector(Path.of(text.substring(0, i)), selector);
            }
        }
        return new PathAndSelector(Path.of(text), null);
    }
}
