package dev.distill.sbom.diff;

import dev.distill.sbom.model.Package;
import java.util.List;

/**
 * One line of a diff: a package added (only {@code after}), removed (only {@code before}) or changed (both, with
 * what changed: {@code version}, {@code license}, {@code layer}).
 */
public record PackageChange(Kind kind, Package before, Package after, List<String> changes) {
    public enum Kind {
        ADDED, REMOVED, CHANGED;

        /** The name used on the command line and in output. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public PackageChange {
        changes = List.copyOf(changes);
    }

    /** The package as it is now (removed: as it was). */
    public Package current() {
        return after != null ? after : before;
    }
}
