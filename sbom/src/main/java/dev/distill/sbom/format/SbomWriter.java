package dev.distill.sbom.format;

import dev.distill.sbom.model.Sbom;
import java.io.IOException;
import java.io.OutputStream;

/** Writes an {@link Sbom} in one format. Implementations are thin adapters onto the format's library. */
public interface SbomWriter {
    void write(Sbom sbom, OutputStream out) throws IOException;

    /**
     * Loads what writing will need (the format library's classes, the SPDX license list), so that a caller can do
     * it on another thread while the image is read; it must finish before {@link #write} is called. Optional.
     */
    default void prepare() {
    }
}
