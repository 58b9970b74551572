package dev.distill.sbom.model;

/**
 * A file a package owns, as found in the image.
 *
 * @param path the path the package database lists
 * @param sha256 computed from the image's bytes (never copied from the database)
 * @param sha1 computed alongside, for SPDX 2
 * @param recorded the digest the database records, prefixed by algorithm ({@code md5:...}), or null
 */
public record PackageFile(String path, String sha256, String sha1, String recorded) {
}
