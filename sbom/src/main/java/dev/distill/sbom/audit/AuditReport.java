package dev.distill.sbom.audit;

import java.util.List;

/**
 * The result of an audit: findings sorted by severity then path, sizes, and a score.
 *
 * @param score 100 minus the points of every category found (see {@link Category#points()}), at least 0
 */
public record AuditReport(String reference, String digest, int score, List<Finding> findings,
                          List<LayerSize> layers, List<PackageSize> packages, List<FileSize> largestFiles,
                          long unownedFiles, long unownedBytes, long wastedBytes) {

    public record LayerSize(int number, String digest, long compressedBytes, long uncompressedBytes) {
    }

    public record PackageSize(String name, String version, String type, long bytes) {
    }

    public record FileSize(String path, long bytes, String owner) {
    }

    public boolean has(Category c) {
        return findings.stream().anyMatch(f -> f.category() == c);
    }
}
