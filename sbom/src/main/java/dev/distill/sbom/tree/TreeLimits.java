package dev.distill.sbom.tree;

/**
 * Bounds against hostile images. The defaults fit the largest real images we know of (tens of GB, millions of
 * files) and stop decompression bombs and link mazes well before they hurt the machine.
 *
 * @param maxTotalBytes uncompressed bytes over all layers
 * @param maxEntries entries over all layers
 * @param maxFileSize one file's size
 * @param maxPathLength bytes of one path
 * @param maxSymlinkHops symlinks followed while resolving one path
 */
public record TreeLimits(long maxTotalBytes, long maxEntries, long maxFileSize, int maxPathLength,
                         int maxSymlinkHops) {
    public static final TreeLimits DEFAULT = new TreeLimits(64L << 30, 10_000_000L, 16L << 30, 4096, 40);

    public TreeLimits {
        if (maxTotalBytes <= 0 || maxEntries <= 0 || maxFileSize <= 0 || maxPathLength <= 0 || maxSymlinkHops <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    public TreeLimits withMaxTotalBytes(long v) {
        return new TreeLimits(v, maxEntries, maxFileSize, maxPathLength, maxSymlinkHops);
    }

    public TreeLimits withMaxEntries(long v) {
        return new TreeLimits(maxTotalBytes, v, maxFileSize, maxPathLength, maxSymlinkHops);
    }

    public TreeLimits withMaxFileSize(long v) {
        return new TreeLimits(maxTotalBytes, maxEntries, v, maxPathLength, maxSymlinkHops);
    }

    public TreeLimits withMaxPathLength(int v) {
        return new TreeLimits(maxTotalBytes, maxEntries, maxFileSize, v, maxSymlinkHops);
    }

    public TreeLimits withMaxSymlinkHops(int v) {
        return new TreeLimits(maxTotalBytes, maxEntries, maxFileSize, maxPathLength, v);
    }
}
