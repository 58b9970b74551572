package dev.distill.oci;

/**
 * One repository of one registry: where manifests, blobs and referrers live. Registry clients take this value
 * rather than two strings, so a registry and a repository of different references cannot be paired by mistake.
 *
 * @param registry host[:port] as {@link ImageReference#normalizeRegistry} spells it
 * @param name the repository's path, {@code library/debian} on Docker Hub
 */
public record Repository(String registry, String name) {
    public Repository {
        if (registry == null || registry.isEmpty() || name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a repository needs a registry and a name");
        }
    }

    /** The repository of {@code registry/name}, the registry spelled as references compare it. */
    public static Repository of(String registry, String name) {
        return new Repository(ImageReference.normalizeRegistry(registry), name);
    }

    /** This repository's image under {@code tag}. */
    public ImageReference tagged(String tag) {
        return new ImageReference(registry, name, tag, null);
    }

    /** This repository's image {@code digest}. */
    public ImageReference at(Digest digest) {
        return new ImageReference(registry, name, null, digest);
    }

    @Override
    public String toString() {
        return registry + "/" + name;
    }
}
