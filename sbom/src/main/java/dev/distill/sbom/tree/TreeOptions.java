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
 * @param inspectors content inspectors; the first that wants a file sees it
 * @param recordShadowed keep the metadata of entries upper layers deleted or replaced ({@link FileTree#shadowed})
 *     without widening the scope catalogers see
 * @param layerThreads how many layers are decompressed, digest-checked and split into entries at once, each on a
 *     thread of its own (1: one after the other on the calling thread); the tree is the same either way
 */
public record TreeOptions(Scope scope, TreeLimits limits, List<String> captureGlobs, long spoolThreshold,
                          boolean digestFiles, List<ContentInspector> inspectors, boolean recordShadowed,
                          int layerThreads) {
    public static final long DEFAULT_SPOOL_THRESHOLD = 1L << 20;
    /** One thread a core, up to four: a layer's decoding is one stream's work, and few images have more layers. */
    public static final int DEFAULT_LAYER_THREADS = Math.max(1, Math.min(4,
            Runtime.getRuntime().availableProcessors()));

    public TreeOptions {
        captureGlobs = List.copyOf(captureGlobs);
        inspectors = List.copyOf(inspectors);
        if (layerThreads < 1) {
            throw new IllegalArgumentException("layerThreads must be at least 1");
        }
    }

    public TreeOptions(Scope scope, TreeLimits limits, List<String> captureGlobs, long spoolThreshold,
                       boolean digestFiles, List<ContentInspector> inspectors, boolean recordShadowed) {
        this(scope, limits, captureGlobs, spoolThreshold, digestFiles, inspectors, recordShadowed,
                DEFAULT_LAYER_THREADS);
    }

    public TreeOptions(Scope scope, TreeLimits limits, List<String> captureGlobs, long spoolThreshold,
                       boolean digestFiles) {
        this(scope, limits, captureGlobs, spoolThreshold, digestFiles, List.of(), false);
    }

    public TreeOptions withLayerThreads(int threads) {
        return new TreeOptions(scope, limits, captureGlobs, spoolThreshold, digestFiles, inspectors, recordShadowed,
                threads);
    }

    public TreeOptions withRecordShadowed(boolean record) {
        return new TreeOptions(scope, limits, captureGlobs, spoolThreshold, digestFiles, inspectors, record,
                layerThreads);
    }

    public TreeOptions withInspectors(List<ContentInspector> list) {
        return new TreeOptions(scope, limits, captureGlobs, spoolThreshold, digestFiles, list,
                recordShadowed, layerThreads);
    }

    public static TreeOptions defaults() {
        return new TreeOptions(Scope.SQUASHED, TreeLimits.DEFAULT, List.of(), DEFAULT_SPOOL_THRESHOLD, false);
    }

    public TreeOptions withScope(Scope s) {
        return new TreeOptions(s, limits, captureGlobs, spoolThreshold, digestFiles, inspectors,
                recordShadowed, layerThreads);
    }

    public TreeOptions withLimits(TreeLimits l) {
        return new TreeOptions(scope, l, captureGlobs, spoolThreshold, digestFiles, inspectors,
                recordShadowed, layerThreads);
    }

    public TreeOptions withCaptureGlobs(List<String> globs) {
        return new TreeOptions(scope, limits, globs, spoolThreshold, digestFiles, inspectors, recordShadowed,
                layerThreads);
    }

    public TreeOptions withDigestFiles(boolean digest) {
        return new TreeOptions(scope, limits, captureGlobs, spoolThreshold, digest, inspectors,
                recordShadowed, layerThreads);
    }

    public TreeOptions withSpoolThreshold(long bytes) {
        return new TreeOptions(scope, limits, captureGlobs, bytes, digestFiles, inspectors, recordShadowed,
                layerThreads);
    }
}
