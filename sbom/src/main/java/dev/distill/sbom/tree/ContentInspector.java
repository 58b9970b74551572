package dev.distill.sbom.tree;

import java.io.IOException;
import java.io.InputStream;

/**
 * Looks at the content of chosen files while the layers stream, so binaries need not be kept: a cataloger of Go
 * binaries, say, scans each executable for its build info as the bytes pass by. What it returns is attached to
 * the entry ({@link FileTree#inspection}).
 */
public interface ContentInspector {
    /** Whether to show this regular file's content to {@link #inspect}. */
    boolean wants(String path, int mode, long size);

    /**
     * Reads as much of the content as needed and returns what it found, or null. The stream must not be closed.
     * A malformed file is a result (an error value), not an exception; IOExceptions are the stream's own.
     */
    Object inspect(String path, InputStream content) throws IOException;
}
