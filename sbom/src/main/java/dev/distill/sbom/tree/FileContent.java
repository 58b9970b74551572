package dev.distill.sbom.tree;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Captured content of one file: in memory when small, else in a temp file that the tree deletes on close. */
public final class FileContent {
    private final byte[] bytes;
    private final Path spool;
    private final long size;

    private FileContent(byte[] bytes, Path spool, long size) {
        this.bytes = bytes;
        this.spool = spool;
        this.size = size;
    }

    static FileContent inMemory(byte[] bytes) {
        return new FileContent(bytes, null, bytes.length);
    }

    static FileContent spooled(Path file, long size) {
        return new FileContent(null, file, size);
    }

    public long size() {
        return size;
    }

    public InputStream open() throws IOException {
        return bytes != null ? new ByteArrayInputStream(bytes) : Files.newInputStream(spool);
    }

    /** The whole content; for spooled files this reads the temp file. */
    public byte[] bytes() throws IOException {
        return bytes != null ? bytes.clone() : Files.readAllBytes(spool);
    }

    void release() {
        if (spool != null) {
            try {
                Files.deleteIfExists(spool);
            } catch (IOException ignored) {
                // it lives in the temp directory; nothing else to do
            }
        }
    }
}
