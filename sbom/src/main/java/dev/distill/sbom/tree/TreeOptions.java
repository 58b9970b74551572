package dev.distill.sbom.tree;

import java.util.List;

/**
 * How to build a tree.
 *
 * @param scope squashed (default) or all-layers
 * @param limits safety bounds
 * @param captureGlobs paths whose content catalogers want (see {@link GlobMatcher}); nothing else is kept
 * @param spoolThreshold contents larger than this go to a temp file instead of memory
 * @param digestFiles whether to compute the SHA-256 of every regular file while streaming
 */
public record TreeOptions(Scope scope, TreeLimits limits, List<String> captureGlobs, long spoolThreshold,
                          boolean digestFiles) {
    public static final long DEFAULT_SPOOL_THRESHOLD = 1L << 20;

    public TreeOptions {
        captureGlobs = List.copyOf(captureGlobs);
    }

    public static TreeOptions defaults() {
        return new TreeOptions(Scope.SQUASHED, TreeLimits.DEFAULT, List.of(), DEFAULT_SPOOL_THRESHOLD, false);
    }

    public TreeOptions withScope(Scope s) {
        return new TreeOptions(s, limits, captureGlobs, spoolThreshold, digestFiles);
    }

    public TreeOptions withLimits(TreeLimits l) {
        return new TreeOptions(scope, l, captureGlobs, spoolThreshold, digestFiles);
    }

    public TreeOptions withCaptureGlobs(List<String> globs) {
        return new TreeOptions(scope, limits, globs, spoolThreshold, digestFiles);
    }

    public TreeOptions withDigestFiles(boolean digest) {
        return new TreeOptions(scope, limits, captureGlobs, spoolThreshold, digest);
    }

    public TreeOptions withSpoolThreshold(long bytes) {
        return new TreeOptions(scope, limits, captureGlobs, bytes, digestFiles);
    }
}
