package dev.distill.sbom.audit;

/**
 * One thing an image carries that a distroless image would not.
 *
 * @param path the file, or null for findings about the image config
 * @param layer the digest of the layer that wrote it, or null
 * @param owner the purl (or name) of the package that owns the file, or null
 * @param detail what exactly (the program, the variable name, the mode)
 */
public record Finding(Category category, String path, String layer, String owner, String detail) {
}
