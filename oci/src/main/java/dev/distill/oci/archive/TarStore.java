package dev.distill.oci.archive;

import dev.distill.oci.BlobStore;
import dev.distill.oci.Compression;
import dev.distill.oci.ImageException;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * Files of a tar archive (oci-archive, docker-archive), read in place through commons-compress's random-access
 * {@link TarFile}. A gzip-compressed archive is first decompressed to a temp file, deleted on close.
 */
public final class TarStore implements BlobStore {
    private final TarFile tar;
    private final Map<String, TarArchiveEntry> entries = new HashMap<>();
    private final String name;
    private final Path tempFile;

    private TarStore(TarFile tar, String name, Path tempFile) {
        this.tar = tar;
        this.name = name;
        this.tempFile = tempFile;
        for (TarArchiveEntry e : tar.getEntries()) {
            if (e.isFile()) {
                entries.put(normalize(e.getName()), e);
            }
        }
    }

    /** Opens {@code file}; {@code name} is how messages name it. */
    public static TarStore open(Path file, String name) throws ImageException {
        Path temp = null;
        try {
            try (BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file))) {
                if (Compression.sniff(in) == Compression.GZIP) {
                    temp = Files.createTempFile("distill-archive-", ".tar");
                    try (InputStream gz = new GZIPInputStream(in, 1 << 16);
                         OutputStream out = Files.newOutputStream(temp)) {
                        gz.transferTo(out);
                    }
                }
            }
            TarFile tar = new TarFile(temp != null ? temp : file);
            return new TarStore(tar, name, temp);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(temp);
            throw new ImageException(name + ": not a readable tar archive (" + e.getMessage() + ")", e);
        }
    }

    private static String normalize(String entryName) {
        String n = entryName;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        while (n.startsWith("/")) {
            n = n.substring(1);
        }
        return n;
    }

    @Override
    public InputStream open(String path) throws IOException {
        TarArchiveEntry e = entries.get(normalize(path));
        if (e == null) {
            throw new ImageException(name + ": missing " + path);
        }
        return new Serialized(tar.getInputStream(e), tar);
    }

    /**
     * One file's stream. commons-compress's {@link TarFile} reads an entry by positioning its one channel and then
     * reading it, so streams of two entries read on two threads (layers decoded concurrently) would interleave: each
     * read holds the archive's lock. Callers read in blocks of 64 KiB, so the lock is taken rarely.
     */
    private static final class Serialized extends FilterInputStream {
        private final Object lock;

        Serialized(InputStream in, Object lock) {
            super(in);
            this.lock = lock;
        }

        @Override
        public int read() throws IOException {
            synchronized (lock) {
                return in.read();
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            synchronized (lock) {
                return in.read(b, off, len);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            synchronized (lock) {
                return in.skip(n);
            }
        }
    }

    @Override
    public boolean exists(String path) {
        return entries.containsKey(normalize(path));
    }

    @Override
    public long size(String path) {
        TarArchiveEntry e = entries.get(normalize(path));
        return e == null ? -1 : e.getSize();
    }

    @Override
    public String describe() {
        return name;
    }

    @Override
    public void close() throws IOException {
        try {
            tar.close();
        } finally {
            deleteQuietly(tempFile);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: it lives in the temp directory
            }
        }
    }
}
