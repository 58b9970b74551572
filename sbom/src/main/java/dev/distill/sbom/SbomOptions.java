package dev.distill.sbom;

import dev.distill.sbom.model.ToolInfo;
import dev.distill.sbom.tree.Scope;
import dev.distill.sbom.tree.TreeLimits;
import java.time.Clock;
import java.time.Instant;

/**
 * How to make an SBOM.
 *
 * @param timestamp the document time when fixed by the caller (SOURCE_DATE_EPOCH), else null: then the image's
 *     creation time, else (directories) the clock's now
 */
public record SbomOptions(Scope scope, TreeLimits limits, Instant timestamp, Clock clock, ToolInfo tool) {
    public static SbomOptions defaults(ToolInfo tool) {
        return new SbomOptions(Scope.SQUASHED, TreeLimits.DEFAULT, null, Clock.systemUTC(), tool);
    }

    public SbomOptions withScope(Scope s) {
        return new SbomOptions(s, limits, timestamp, clock, tool);
    }

    public SbomOptions withLimits(TreeLimits l) {
        return new SbomOptions(scope, l, timestamp, clock, tool);
    }

    public SbomOptions withTimestamp(Instant t) {
        return new SbomOptions(scope, limits, t, clock, tool);
    }

    public SbomOptions withClock(Clock c) {
        return new SbomOptions(scope, limits, timestamp, c, tool);
    }
}
