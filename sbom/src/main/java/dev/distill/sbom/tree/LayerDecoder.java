package dev.distill.sbom.tree;

import dev.distill.oci.Digest;
import dev.distill.oci.Layer;
import dev.distill.oci.ProgressEvent;
import dev.distill.oci.ReadAheadInputStream;
import dev.distill.oci.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Decodes one layer on a thread of its own: decompresses it, checks both digests, and splits its tar into a
 * {@link Batch} of entries in tar order, with the digests, captured contents and inspections of its files, decided
 * by the paths the layer writes. What the entries do to the tree (whiteouts, hardlinks, placement through symlinked
 * directories) is left to {@link FileTreeBuilder}, which applies batches in layer order.
 */
final class LayerDecoder {
    static final String WHITEOUT = ".wh.";

    /** A tar entry that is not a file of its own: a whiteout, a hardlink, or a record that is no file at all. */
    record Special(Kind kind, String path, String name, String linkName, String linked) {
        enum Kind { WHITEOUT, HARDLINK, SKIP }
    }

    /** One decoded layer: a {@link FileEntry} or a {@link Special} for each tar entry, in tar order. */
    static final class Batch {
        final List<Object> items = new ArrayList<>();
        /** Item indexes whose path matches a capture glob. */
        final BitSet matched = new BitSet();
        final Map<FileEntry, FileContent> contents = new HashMap<>();
        final Map<FileEntry, Object> inspections = new HashMap<>();
        final List<FileContent> spooled = new ArrayList<>();
        LayerSummary summary;
        /** Bytes of sparse files' holes, counted as content like the serial reader counts them. */
        long sparseBytes;
        /** Why the layer could not be decoded; the builder then reads it again in order, to fail as it would. */
        Exception failure;

        void release() {
            spooled.forEach(FileContent::release);
        }
    }

    private final TreeOptions options;
    private final GlobMatcher capture;
    private final Layer layer;
    private final int layerCount;
    private final LimitsGuard guard;
    private final Consumer<ProgressEvent> progress;
    private final MessageDigest sha256 = Digest.newSha256();
    private final MessageDigest sha1 = HashingInputStream.newSha1();
    private final EntryPool pool;
    private final DirNames dirs = new DirNames();
    private final byte[] drain = new byte[1 << 16];
    private volatile boolean cancelled;

    /**
     * @param entriesBefore entries and {@code bytesBefore} content bytes of the layers below that are known when
     *     decoding starts (a lower bound: the batch stays within the limits, and the builder checks it again)
     */
    LayerDecoder(TreeOptions options, GlobMatcher capture, Layer layer, int layerCount, long entriesBefore,
                 long bytesBefore, Consumer<ProgressEvent> progress, DigestSpill spill) {
        this.options = options;
        this.pool = new EntryPool(spill);
        this.capture = capture;
        this.layer = layer;
        this.layerCount = layerCount;
        this.guard = new LimitsGuard(options.limits(), entriesBefore, bytesBefore);
        this.progress = progress;
    }

    /** Stops decoding at the next entry (the builder failed, or no longer needs the batch). */
    void cancel() {
        cancelled = true;
    }

    /** Decodes the layer; a failure is the batch's, never thrown. */
    Batch decode() {
        Batch batch = new Batch();
        try {
            read(batch);
        } catch (IOException | RuntimeException e) {
            batch.release();
            batch.items.clear();
            batch.contents.clear();
            batch.inspections.clear();
            batch.failure = e;
        }
        return batch;
    }

    private void read(Batch batch) throws IOException {
        String where = layer.describe();
        try (Layer.LayerStream stream = layer.open(guard.bytesLeft(),
                " (all layers together; raise with --max-total-bytes)");
             FileTreeBuilder.ProgressStream source = new FileTreeBuilder.ProgressStream(
                     FileTreeBuilder.readAhead(stream, layer), stream, layer, layerCount, progress)) {
            TarReader tar = new TarReader(source);
            InputStream content = new FileTreeBuilder.TarContent(tar.content(), where);
            TarReader.Entry te;
            while ((te = FileTreeBuilder.nextEntry(tar, where)) != null) {
                if (cancelled) {
                    throw new InterruptedIOException(where + ": reading stopped");
                }
                guard.countEntry(where);
                add(batch, te, content, where);
            }
            if (source.inner() instanceof ReadAheadInputStream ahead) {
                ahead.drain();
            }
            stream.finish();
            progress.accept(new ProgressEvent.LayerRead(layer.index() + 1, layerCount, layer.digest(),
                    layer.descriptor().size(), layer.descriptor().size()));
            batch.summary = new LayerSummary(layer.index(), layer.digest(), layer.diffId(),
                    layer.descriptor().mediaType(), stream.compression(), stream.compressedBytes(),
                    stream.uncompressedBytes(), batch.items.size());
        }
    }

    private void add(Batch batch, TarReader.Entry te, InputStream data, String where) throws IOException {
        String path = FileTreeBuilder.normalize(te.name(), where);
        guard.checkPathLength(path, where);
        int index = batch.items.size();
        if (path.equals("/")) {
            if (te.kind() == TarReader.Kind.DIRECTORY) {
                batch.items.add(new FileEntry("", "/", pool, EntryType.DIRECTORY, te.mode(), te.uid(), te.gid(), 0,
                        null, false, layer.index(), -1));
                batch.matched.set(index, capture.matches(path));
            } else {
                batch.items.add(new Special(Special.Kind.SKIP, path, null, null, null));
            }
            return;
        }
        int slash = path.lastIndexOf('/');
        if (path.startsWith(WHITEOUT, slash + 1)) {
            batch.items.add(new Special(Special.Kind.WHITEOUT, path, null, null, null));
            return;
        }
        if (te.kind() == TarReader.Kind.HARDLINK) {
            String linked = FileTreeBuilder.normalize(te.linkName(), where + ", hardlink '" + te.name() + "'");
            batch.items.add(new Special(Special.Kind.HARDLINK, path, te.name(), te.linkName(), linked));
            return;
        }
        EntryType type = FileTreeBuilder.typeOf(te);
        if (type == null) {
            batch.items.add(new Special(Special.Kind.SKIP, path, null, null, null));
            return;
        }
        long size = type == EntryType.FILE ? te.size() : 0;
        guard.checkFileSize(path, size, where);
        if (te.sparse()) {
            guard.countBytes(size, where);
            batch.sparseBytes += size;
        }
        if (type == EntryType.SYMLINK) {
            guard.checkLinkLength(path, te.linkName(), where);
        }
        boolean matches = capture.matches(path);
        FileContent content = null;
        Object inspection = null;
        int digest = -1;
        ContentInspector inspector = type == EntryType.FILE
                ? FileTreeBuilder.inspectorFor(options, path, te.mode(), size) : null;
        boolean captured = type == EntryType.FILE && matches;
        if (captured || inspector != null || type == EntryType.FILE && options.digestFiles()) {
            HashingInputStream hashing = new HashingInputStream(data, sha256, sha1);
            if (captured) {
                content = FileTreeBuilder.readContent(path, hashing, size, options.spoolThreshold(), batch.spooled);
            }
            if (inspector != null) {
                if (content != null) {
                    try (InputStream in = content.open()) {
                        inspection = FileTreeBuilder.inspect(inspector, path, in);
                    }
                } else {
                    inspection = FileTreeBuilder.inspect(inspector, path, hashing);
                }
            }
            while (hashing.read(drain, 0, drain.length) >= 0) {
                // digested as it passes
            }
            digest = pool.add(sha256, sha1);
        }
        FileEntry entry = new FileEntry(dirs.of(path, slash), path, pool, type, te.mode(), te.uid(), te.gid(),
                size, type == EntryType.SYMLINK ? te.linkName() : null, false, layer.index(), digest);
        batch.items.add(entry);
        batch.matched.set(index, matches);
        if (content != null) {
            batch.contents.put(entry, content);
        }
        if (inspection != null) {
            batch.inspections.put(entry, inspection);
        }
    }
}
