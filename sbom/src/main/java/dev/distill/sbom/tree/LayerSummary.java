package dev.distill.sbom.tree;

import dev.distill.oci.Compression;
import dev.distill.oci.Digest;

/**
 * What streaming one layer found.
 *
 * @param digest compressed digest (null for legacy docker-archive layers)
 * @param diffId uncompressed digest, verified
 * @param compressedSize bytes read from the medium
 * @param uncompressedSize bytes of tar
 * @param entries tar entries, whiteouts included
 */
public record LayerSummary(int index, Digest digest, Digest diffId, String mediaType, Compression compression,
                           long compressedSize, long uncompressedSize, long entries) {
}
