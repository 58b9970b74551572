package dev.distill.oci;

import java.util.Map;

/**
 * A content descriptor from a manifest or index. {@code digest} may be null only for layers of legacy docker
 * archives, which name layers by path and carry no compressed digest.
 */
public record Descriptor(String mediaType, Digest digest, long size, Platform platform,
                         Map<String, String> annotations) {
    public Descriptor {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public String annotation(String key) {
        return annotations.get(key);
    }
}
