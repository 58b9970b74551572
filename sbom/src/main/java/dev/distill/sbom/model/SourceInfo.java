package dev.distill.sbom.model;

import java.util.List;

/**
 * The described image.
 *
 * @param reference as the user named it
 * @param kind the medium prefix (oci, oci-archive, docker-archive, dir)
 * @param name a name for the image: its tag's repository, else the file or directory name
 * @param version a tag when there is one, else null
 * @param manifestDigest null for docker archives and directories
 * @param configDigest the image ID; null for directories
 * @param purl {@code pkg:oci/NAME@DIGEST?...}, or null for directories
 */
public record SourceInfo(String reference, String kind, String name, String version, String manifestDigest,
                         String manifestMediaType, String configDigest, String platform, List<LayerInfo> layers,
                         String purl) {
    public SourceInfo {
        layers = List.copyOf(layers);
    }

    /** The digest that identifies the image best: the manifest's, else the config's; null for directories. */
    public String digest() {
        return manifestDigest != null ? manifestDigest : configDigest;
    }
}
