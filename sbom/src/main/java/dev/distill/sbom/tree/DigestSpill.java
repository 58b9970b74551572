package dev.distill.sbom.tree;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One temporary file per tree build that {@link EntryPool}s move their full digest chunks to, so that the digests of
 * a million files (52 MB, read back only for the files an SBOM lists) are not on the heap for the whole run. The
 * file is made on the first chunk, unlinked at once where the system allows (its space is freed when the process
 * ends, however it ends), and written and read under this object's lock (a chunk is written once per 16,384 files,
 * and reads go through the pools' caches) with plain file I/O, which an interrupted thread does not close for the
 * others. When no temporary file can be made or written, pools keep their chunks in memory, as before.
 */
final class DigestSpill implements AutoCloseable {
    private RandomAccessFile file;
    private long end;
    private boolean unavailable;
    private boolean closed;

    /** Writes {@code chunk} and returns its offset, or -1 when it is to stay in memory. */
    synchronized long write(byte[] chunk) {
        RandomAccessFile f = file();
        if (f == null) {
            return -1;
        }
        try {
            f.seek(end);
            f.write(chunk);
        } catch (IOException e) {
            unavailable = true; // a full disk, say: this chunk and the next stay in memory
            return -1;
        }
        long at = end;
        end += chunk.length;
        return at;
    }

    /** Reads {@code length} bytes at {@code at} into {@code into}, or fewer where the file ends. */
    synchronized void read(long at, byte[] into, int length) {
        if (file == null) {
            throw new IllegalStateException("file digests were read after their tree was closed");
        }
        try {
            file.seek(at);
            int n = 0;
            while (n < length) {
                int r = file.read(into, n, length - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(new IOException("could not read file digests back from their temporary"
                    + " file (" + e.getClass().getSimpleName() + ")", e));
        }
    }

    private RandomAccessFile file() {
        if (file == null && !unavailable && !closed) {
            try {
                Path path = Files.createTempFile("distill-digests-", ".bin");
                file = new RandomAccessFile(path.toFile(), "rw");
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    path.toFile().deleteOnExit(); // a system that keeps open files from being deleted
                }
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                unavailable = true;
            }
        }
        return file;
    }

    /** Bytes written so far. */
    synchronized long size() {
        return end;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // an unlinked temporary file: nothing is lost
            }
            file = null;
        }
    }
}
