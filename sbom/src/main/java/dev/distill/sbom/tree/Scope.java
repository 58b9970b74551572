package dev.distill.sbom.tree;

/** Which entries a tree exposes: the final filesystem, or also what upper layers deleted or replaced. */
public enum Scope {
    SQUASHED, ALL_LAYERS
}
