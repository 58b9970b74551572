package dev.distill.sbom.tree;

import dev.distill.oci.LimitExceededException;

/**
 * Holds a tree to its {@link TreeLimits}: counts entries and content bytes over all layers, and checks each path,
 * link target and file size. The tree's builder has one for the whole image; a layer decoded on a thread of its own
 * has one that starts from what the layers applied before it had counted, so that what it holds stays within the
 * same bounds (its totals are then an upper bound's check, and the builder counts again in layer order).
 */
final class LimitsGuard {
    private final TreeLimits limits;
    private long entries;
    private long bytes;

    LimitsGuard(TreeLimits limits, long entries, long bytes) {
        this.limits = limits;
        this.entries = entries;
        this.bytes = bytes;
    }

    TreeLimits limits() {
        return limits;
    }

    long entries() {
        return entries;
    }

    long bytes() {
        return bytes;
    }

    /** Content bytes left before {@link TreeLimits#maxTotalBytes()}. */
    long bytesLeft() {
        return limits.maxTotalBytes() - bytes;
    }

    void countEntry(String where) throws LimitExceededException {
        if (++entries > limits.maxEntries()) {
            throw new LimitExceededException(where + ": more than " + limits.maxEntries()
                    + " entries (raise with --max-entries)");
        }
    }

    void countBytes(long n, String where) throws LimitExceededException {
        bytes += n;
        if (bytes > limits.maxTotalBytes()) {
            throw new LimitExceededException(where + ": more than " + limits.maxTotalBytes()
                    + " bytes of content (raise with --max-total-bytes)");
        }
    }

    /** Adds a layer's uncompressed bytes, which its stream has already held to {@link #bytesLeft()}. */
    void addLayerBytes(long n) {
        bytes += n;
    }

    void checkPathLength(String path, String where) throws LimitExceededException {
        if (path.length() > limits.maxPathLength()) {
            throw new LimitExceededException(where + ": a path of " + path.length() + " characters, over the limit of "
                    + limits.maxPathLength() + " (raise with --max-path-length)");
        }
    }

    /**
     * Symlink targets obey the path limit too (Linux's is PATH_MAX): resolving costs time in the target's length at
     * every hop, and no real link is longer than a path.
     */
    void checkLinkLength(String path, String linkTarget, String where) throws LimitExceededException {
        if (linkTarget.length() > limits.maxPathLength()) {
            throw new LimitExceededException(where + ": symlink '" + path + "' has a target of " + linkTarget.length()
                    + " characters, over the limit of " + limits.maxPathLength() + " (raise with --max-path-length)");
        }
    }

    void checkFileSize(String path, long size, String where) throws LimitExceededException {
        if (size > limits.maxFileSize()) {
            throw new LimitExceededException(where + ": '" + path + "' is " + size + " bytes, over the limit of "
                    + limits.maxFileSize() + " (raise with --max-file-size)");
        }
    }
}
