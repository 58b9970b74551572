package dev.distill.oci;

import java.util.Map;

/**
 * A content descriptor from a manifest or index. {@code digest} may be null only for layers of legacy docker
 * archives, which name layers by path and carry no compressed digest.
 */
public record Descriptor(String mediaType, Digest digest, long size, Platform platform,
                         Map<String, String> annotations, String artifactType) {
    public Descriptor {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public Descriptor(String mediaType, Digest digest, long size, Platform platform, Map<String, String> annotations) {
        this(mediaType, digest, size, platform, annotations, null);
    }

    public String annotation(String key) {
        return annotations.get(key);
    }
}
