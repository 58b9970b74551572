package dev.distill.sbom.model;

/**
 * The digests of the artifact a package is (a jar, a Go or Rust binary), computed from the image's bytes; packages
 * distill does not read as one artifact (an installed Debian package, a Python directory) have none.
 */
public record Hashes(String sha256, String sha1) {
}
