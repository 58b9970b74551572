package dev.distill.sbom.model;

/** A layer of the described image: position (0 is the bottom), compressed digest (may be null), diff ID. */
public record LayerInfo(int index, String digest, String diffId) {
    /** The compressed digest when known, else the diff ID. */
    public String id() {
        return digest != null ? digest : diffId;
    }
}
