package dev.distill.oci;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * One layer of an image: lazy, opened as a stream of its uncompressed tar. Both the compressed digest (when the
 * descriptor has one) and the uncompressed digest ({@code rootfs.diff_ids}) are recomputed while streaming.
 */
public final class Layer {
    private final int index;
    private final Descriptor descriptor;
    private final Digest diffId;
    private final BlobStore store;
    private final String path;

    public Layer(int index, Descriptor descriptor, Digest diffId, BlobStore store, String path) {
        this.index = index;
        this.descriptor = descriptor;
        this.diffId = diffId;
        this.store = store;
        this.path = path;
    }

    public int index() {
        return index;
    }

    public Descriptor descriptor() {
        return descriptor;
    }

    /** Compressed digest, or null for legacy docker-archive layers that carry none. */
    public Digest digest() {
        return descriptor.digest();
    }

    /** Digest of the uncompressed tar, from the config's {@code rootfs.diff_ids}. */
    public Digest diffId() {
        return diffId;
    }

    /** The digest to name the layer by: the compressed one when known, else the diff ID. */
    public Digest id() {
        return descriptor.digest() != null ? descriptor.digest() : diffId;
    }

    public String describe() {
        return "layer " + (index + 1) + " (" + id() + ") of " + store.describe();
    }

    /** Opens the uncompressed tar; it fails once more than {@code maxBytes} come out of it. */
    public LayerStream open(long maxBytes, String limitHint) throws IOException {
        return new LayerStream(maxBytes, limitHint);
    }

    /** The uncompressed tar stream; {@link #finish()} drains both sides and verifies both digests. */
    public final class LayerStream extends InputStream {
        private final VerifyingInputStream compressed;
        private final VerifyingInputStream uncompressed;
        private final Compression compression;
        private boolean finished;

        private LayerStream(long maxBytes, String limitHint) throws IOException {
            BufferedInputStream raw = new BufferedInputStream(store.open(path), 1 << 16);
            compressed = new VerifyingInputStream(raw, descriptor.digest(), descriptor.size(),
                    describe() + " (compressed)");
            BufferedInputStream buffered = new BufferedInputStream(compressed, 1 << 16);
            compression = Compression.sniff(buffered);
            InputStream decompressed;
            try {
                // GZIPInputStream reads the gzip header here already: a bad one must fail like bad data does
                decompressed = switch (compression) {
                    case GZIP -> new GZIPInputStream(buffered, 1 << 16);
                    case ZSTD -> new ZstdCompressorInputStream(buffered);
                    case NONE -> buffered;
                };
            } catch (IOException e) {
                ImageException why = explain(e);
                compressed.close();
                throw why;
            }
            uncompressed = new VerifyingInputStream(decompressed, diffId, -1, maxBytes, describe(), limitHint);
        }

        public Compression compression() {
            return compression;
        }

        @Override
        public int read() throws IOException {
            return Streams.readOne(this);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = uncompressed.read(b, off, len);
                if (n < 0) {
                    finish();
                }
                return n;
            } catch (IOException e) {
                throw explain(e);
            }
        }

        /**
         * When the uncompressed side fails, the compressed bytes are the likelier culprit: report their digest
         * mismatch if there is one, since it names the blob that is wrong.
         */
        private ImageException explain(IOException e) {
            if (!(e instanceof LimitExceededException) && compressed.actual() == null) {
                try {
                    compressed.drain();
                } catch (ImageException compressedError) {
                    return compressedError;
                } catch (IOException ignored) {
                    // the original error stands
                }
            }
            if (e instanceof ImageException ie) {
                return ie;
            }
            return new ImageException(describe() + ": corrupt " + compression.name().toLowerCase(Locale.ROOT)
                    + " data (" + e.getMessage() + ")", e);
        }

        /** Reads whatever is left (tar padding, trailing bytes) and verifies both digests. */
        public void finish() throws IOException {
            if (finished) {
                return;
            }
            try {
                uncompressed.drain();
                compressed.drain();
            } catch (IOException e) {
                throw explain(e);
            }
            finished = true;
        }

        public long uncompressedBytes() {
            return uncompressed.count();
        }

        public long compressedBytes() {
            return compressed.count();
        }

        @Override
        public void close() throws IOException {
            compressed.close();
        }
    }
}
