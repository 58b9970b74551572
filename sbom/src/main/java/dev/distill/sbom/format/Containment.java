package dev.distill.sbom.format;

import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Sbom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Package-in-package containment as a tree, for formats that nest (CycloneDX components): each contained package
 * gets one parent, the first container by id; a containment that would close a loop is left out of the tree.
 */
final class Containment {
    private Containment() {
    }

    /** Package id to the id of the package it nests under. */
    static Map<String, String> parents(Sbom sbom) {
        Set<String> ids = new HashSet<>();
        sbom.packages().forEach(p -> ids.add(p.id()));
        Map<String, String> parents = new TreeMap<>();
        // Relationships are sorted by from, so the first container seen is the first by id.
        for (Relationship r : sbom.relationships()) {
            if (r.type() == Relationship.Type.CONTAINS && ids.contains(r.from()) && ids.contains(r.to())
                    && !r.from().equals(r.to()) && !parents.containsKey(r.to()) && !reaches(parents, r.from(), r.to())) {
                parents.put(r.to(), r.from());
            }
        }
        return parents;
    }

    /** For each contained package, its containers other than the one it nests under, sorted. */
    static Map<String, List<String>> otherContainers(Sbom sbom, Map<String, String> parents) {
        Set<String> ids = new HashSet<>();
        sbom.packages().forEach(p -> ids.add(p.id()));
        Map<String, List<String>> out = new TreeMap<>();
        for (Relationship r : sbom.relationships()) {
            if (r.type() == Relationship.Type.CONTAINS && parents.containsKey(r.to())
                    && !r.from().equals(parents.get(r.to())) && ids.contains(r.from())) {
                out.computeIfAbsent(r.to(), k -> new ArrayList<>()).add(r.from());
            }
        }
        return out;
    }

    /** Whether walking up from {@code from} meets {@code to}: nesting to under from would close a loop. */
    private static boolean reaches(Map<String, String> parents, String from, String to) {
        String at = from;
        for (int hops = 0; at != null && hops <= parents.size(); hops++) {
            if (at.equals(to)) {
                return true;
            }
            at = parents.get(at);
        }
        return false;
    }
}
