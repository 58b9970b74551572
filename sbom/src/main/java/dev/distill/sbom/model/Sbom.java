package dev.distill.sbom.model;

import java.time.Instant;
import java.util.List;

/**
 * What distill found in an image, independent of any SBOM format. Lists are sorted, so equal inputs give equal
 * values and writers need not sort.
 *
 * @param source the image (or directory) described
 * @param distro the operating system, or null when none was identified
 * @param created the document timestamp (SOURCE_DATE_EPOCH, else the image's creation time)
 */
public record Sbom(SourceInfo source, Distro distro, List<Package> packages, List<Relationship> relationships,
                   List<Unknown> unknowns, ToolInfo tool, Instant created) {
    public Sbom {
        packages = List.copyOf(packages);
        relationships = List.copyOf(relationships);
        unknowns = List.copyOf(unknowns);
    }

    /** The package with this id, or null. */
    public Package pkg(String id) {
        for (Package p : packages) {
            if (p.id().equals(id)) {
                return p;
            }
        }
        return null;
    }
}
