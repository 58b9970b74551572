package dev.distill.sbom.model;

/** Something a cataloger could not read: the file, the cataloger, and why. Never a reason to abort. */
public record Unknown(String path, String cataloger, String message) {
}
