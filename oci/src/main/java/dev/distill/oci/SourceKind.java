package dev.distill.oci;

/** The media an image can be read from, with the prefix that names each in a reference. */
public enum SourceKind {
    OCI_LAYOUT("oci", "OCI image layout"),
    OCI_ARCHIVE("oci-archive", "tar of an OCI image layout"),
    DOCKER_ARCHIVE("docker-archive", "docker save archive"),
    DIRECTORY("dir", "root filesystem directory"),
    REGISTRY("registry", "OCI distribution registry");

    private final String prefix;
    private final String description;

    SourceKind(String prefix, String description) {
        this.prefix = prefix;
        this.description = description;
    }

    public String prefix() {
        return prefix;
    }

    public String description() {
        return description;
    }
}
