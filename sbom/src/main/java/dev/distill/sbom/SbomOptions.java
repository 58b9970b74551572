package dev.distill.sbom;

import dev.distill.sbom.model.ToolInfo;
import dev.distill.sbom.tree.Scope;
import dev.distill.sbom.tree.TreeLimits;
import dev.distill.sbom.tree.TreeOptions;
import java.time.Clock;
import java.time.Instant;

/**
 * How to make an SBOM.
 *
 * @param timestamp the document time when fixed by the caller (SOURCE_DATE_EPOCH), else null: then the image's
 *     creation time, else (directories) the clock's now
 * @param layerThreads layers read at once ({@link TreeOptions#layerThreads()}); the SBOM is the same either way
 */
public record SbomOptions(Scope scope, TreeLimits limits, Instant timestamp, Clock clock, ToolInfo tool,
                          int layerThreads) {
    public static SbomOptions defaults(ToolInfo tool) {
        return new SbomOptions(Scope.SQUASHED, TreeLimits.DEFAULT, null, Clock.systemUTC(), tool,
                TreeOptions.DEFAULT_LAYER_THREADS);
    }

    public SbomOptions withScope(Scope s) {
        return new SbomOptions(s, limits, timestamp, clock, tool, layerThreads);
    }

    public SbomOptions withLimits(TreeLimits l) {
        return new SbomOptions(scope, l, timestamp, clock, tool, layerThreads);
    }

    public SbomOptions withTimestamp(Instant t) {
        return new SbomOptions(scope, limits, t, clock, tool, layerThreads);
    }

    public SbomOptions withLayerThreads(int threads) {
        return new SbomOptions(scope, limits, timestamp, clock, tool, threads);
    }

    public SbomOptions withClock(Clock c) {
        return new SbomOptions(scope, limits, timestamp, c, tool, layerThreads);
    }
}
