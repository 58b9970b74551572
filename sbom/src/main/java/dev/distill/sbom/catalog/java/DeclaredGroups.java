package dev.distill.sbom.catalog.java;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Maven groups that the POMs inside an image's archives declare for each artifact they depend on. A jar built
 * without {@code pom.properties} (BouncyCastle, gRPC, protobuf...) does not name its group, but a jar next to it
 * that depends on it often does, in its {@code pom.xml}: {@code org.metaeffekt.bundle.jsonschemafriend} for
 * {@code ae-jsonschemafriend-core}. That is evidence from the image itself, not a guess; an artifact declared
 * under two different groups gets none.
 */
final class DeclaredGroups {
    /** A group for an artifact, and which POMs declared it (for the record). */
    record Evidence(String groupId, Set<String> declaredBy, boolean versionDeclared) {
    }

    /** artifactId -> groupId -> who declared it, and the versions they spelled out. */
    private final Map<String, Map<String, Set<String>>> declarers = new TreeMap<>();
    private final Map<String, Set<String>> versions = new TreeMap<>();

    static DeclaredGroups of(List<ArchiveScanner.Archive> archives) {
        DeclaredGroups groups = new DeclaredGroups();
        archives.forEach(groups::add);
        return groups;
    }

    private void add(ArchiveScanner.Archive archive) {
        for (PomFile pom : archive.pomFiles()) {
            for (PomFile.Declared d : pom.dependencies()) {
                declarers.computeIfAbsent(d.artifactId(), a -> new TreeMap<>())
                        .computeIfAbsent(d.groupId(), g -> new TreeSet<>()).add(pom.coordinates());
                if (d.version() != null) {
                    versions.computeIfAbsent(d.groupId() + ":" + d.artifactId(), k -> new TreeSet<>())
                            .add(d.version());
                }
            }
        }
        archive.nested().forEach(this::add);
    }

    /**
     * The one group declared for {@code artifactId}, with whether some POM declared exactly {@code version} too;
     * empty when no POM declares the artifact or POMs disagree about its group.
     */
    Optional<Evidence> groupOf(String artifactId, String version) {
        Map<String, Set<String>> byGroup = declarers.get(artifactId);
        if (byGroup == null || byGroup.size() != 1) {
            return Optional.empty();
        }
        String group = byGroup.keySet().iterator().next();
        boolean exact = versions.getOrDefault(group + ":" + artifactId, Set.of()).contains(version);
        return Optional.of(new Evidence(group, byGroup.get(group), exact));
    }
}
