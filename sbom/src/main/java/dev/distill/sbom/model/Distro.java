package dev.distill.sbom.model;

import java.util.List;

/** The operating system from os-release: {@code ID}, {@code VERSION_ID}, and the rest as written. */
public record Distro(String id, String versionId, String versionCodename, String prettyName, String cpeName,
                     List<String> idLike, String path) {
    public Distro {
        idLike = List.copyOf(idLike);
    }

    /** {@code id-versionId} as purls qualify it ({@code debian-12}), or just the id. */
    public String qualifier() {
        return versionId == null ? id : id + "-" + versionId;
    }
}
