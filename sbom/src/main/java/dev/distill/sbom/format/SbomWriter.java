package dev.distill.sbom.format;

import dev.distill.sbom.model.Sbom;
import java.io.IOException;
import java.io.OutputStream;

/** Writes an {@link Sbom} in one format. Implementations are thin adapters onto the format's library. */
public interface SbomWriter {
    void write(Sbom sbom, OutputStream out) throws IOException;
}
