package dev.distill.sbom.tree;

import dev.distill.oci.Digest;
import dev.distill.oci.Image;
import dev.distill.oci.ImageException;
import dev.distill.oci.Layer;
import dev.distill.oci.LimitExceededException;
import dev.distill.oci.ProgressEvent;
import dev.distill.oci.ReadAheadInputStream;
import dev.distill.oci.Streams;
import dev.distill.oci.TarReader;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Builds a {@link FileTree} from an image in one streamed pass per layer (or one walk of a {@code dir:} source),
 * applying each layer the way overlay filesystems and {@code docker load} do: whiteouts delete, opaque markers
 * clear a directory of lower layers' entries, a non-directory replaces whatever was at its path, and entry names
 * are placed through symlinked parent directories resolved inside the root. Nothing is extracted; only the
 * contents that match the capture globs are kept.
 *
 * <p>With more than one {@linkplain TreeOptions#layerThreads() layer thread}, layers are decoded (decompressed,
 * digest-checked, split into entries, their files digested, captured and inspected) by {@link LayerDecoder}s on a
 * pool, a bounded number at a time, while this thread applies the decoded batches in layer order. The tree is the
 * one the serial reader makes: an entry that lands elsewhere than it was written (through a symlinked directory)
 * has its capture and inspection decided again where it lands, its content read a second time if needed, and a
 * layer whose decoding failed, or that would cross a limit over all layers, is read again in order by the serial
 * reader, so that it fails (or not) exactly as that does.
 */
public final class FileTreeBuilder {
    private static final String WHITEOUT = LayerDecoder.WHITEOUT;
    private static final String OPAQUE = ".wh..wh..opq";

    private final TreeOptions options;
    private final TreeLimits limits;
    private final LimitsGuard guard;
    private final GlobMatcher capture;
    private final PathIndex entries = new PathIndex();
    private final List<FileEntry> hidden = new ArrayList<>();
    private final Map<FileEntry, FileContent> contents = new HashMap<>();
    private final Map<FileEntry, Object> inspections = new HashMap<>();
    /** Paths that matched a capture glob, so catalogers' lookups need not scan every entry. */
    private final Set<String> matched = new TreeSet<>();
    private final MessageDigest sha256Digest = Digest.newSha256();
    private final MessageDigest sha1Digest = HashingInputStream.newSha1();
    /** Where the pools move their full digest chunks: the tree's, closed with it. */
    private final DigestSpill spill = new DigestSpill();
    /** Names and digests of the entries this thread makes (those of decoded layers are in their decoders' pools). */
    private final EntryPool pool = new EntryPool(spill);
    private final List<FileContent> allContents = new ArrayList<>();
    private final List<LayerSummary> layers = new ArrayList<>();
    private final byte[] drain = new byte[1 << 16];
    /**
     * Parent directories already placed, and where they led. Placing resolves every ancestor, and the entries of a
     * layer do not come grouped by directory (a tar of a million files visits tens of thousands of directories in
     * turn), so one remembered parent is not enough. Where a path leads depends only on the symlinks in the tree:
     * the cache is emptied whenever one is added, replaced or removed, and when it grows past its bound.
     */
    private final HashMap<String, String> placed = new HashMap<>();
    private static final int MAX_PLACED = 1 << 16;

    private FileTreeBuilder(TreeOptions options) {
        this.options = options;
        this.limits = options.limits();
        this.guard = new LimitsGuard(limits, 0, 0);
        this.capture = GlobMatcher.of(options.captureGlobs());
    }

    public static FileTree build(Image image, TreeOptions options) throws IOException {
        return build(image, options, ProgressEvent.IGNORE);
    }

    /** Builds the tree, telling {@code progress} how far each layer is read. */
    public static FileTree build(Image image, TreeOptions options, Consumer<ProgressEvent> progress)
            throws IOException {
        FileTreeBuilder b = new FileTreeBuilder(options);
        try {
            if (image.rootDirectory() != null) {
                new DirectoryWalker(b, image.reference()).walk(image.rootDirectory());
            } else if (Math.min(options.layerThreads(), image.layers().size()) <= 1) {
                for (Layer layer : image.layers()) {
                    b.layers.add(b.readLayer(layer, image.layers().size(), progress));
                }
            } else {
                b.readConcurrently(image.layers(), progress);
            }
            return new FileTree(b.entries, b.hidden, b.contents, b.inspections, b.layers, options.scope(),
                    options.limits().maxSymlinkHops(), options.captureGlobs(), b.matched, b.spill);
        } catch (IOException | RuntimeException | Error e) {
            b.allContents.forEach(FileContent::release);
            b.spill.close();
            throw e;
        }
    }

    private LayerSummary readLayer(Layer layer, int layers, Consumer<ProgressEvent> progress) throws IOException {
        String where = layer.describe();
        long entryCount = 0;
        try (Layer.LayerStream stream = layer.open(guard.bytesLeft(),
                " (all layers together; raise with --max-total-bytes)");
             InputStream source = new ProgressStream(readAhead(stream, layer), stream, layer, layers, progress)) {
            TarReader tar = new TarReader(source);
            InputStream content = new TarContent(tar.content(), where);
            TarReader.Entry te;
            while ((te = nextEntry(tar, where)) != null) {
                entryCount++;
                addTarEntry(te, content, layer.index(), where);
            }
            if (((ProgressStream) source).inner() instanceof ReadAheadInputStream ahead) {
                ahead.drain(); // the reading thread reaches the end, where the stream checks both digests
            }
            stream.finish();
            progress.accept(new ProgressEvent.LayerRead(layer.index() + 1, layers, layer.digest(),
                    layer.descriptor().size(), layer.descriptor().size()));
            guard.addLayerBytes(stream.uncompressedBytes());
            return new LayerSummary(layer.index(), layer.digest(), layer.diffId(), layer.descriptor().mediaType(),
                    stream.compression(), stream.compressedBytes(), stream.uncompressedBytes(), entryCount);
        }
    }

    /**
     * Decodes the layers on a pool of {@link TreeOptions#layerThreads()} threads and applies them here in order. At
     * most one more layer than there are threads is decoded or waiting at a time, so what is held beyond the tree
     * is bounded by that many layers' entries (each layer within the limits), whatever the number of layers.
     */
    private void readConcurrently(List<Layer> all, Consumer<ProgressEvent> progress) throws IOException {
        int threads = Math.min(options.layerThreads(), all.size());
        Consumer<ProgressEvent> shared = event -> {
            synchronized (progress) {
                progress.accept(event);
            }
        };
        AtomicInteger named = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "distill-layer-decoder-" + named.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        int window = threads + 1;
        List<LayerDecoder> decoders = new ArrayList<>();
        List<Future<LayerDecoder.Batch>> batches = new ArrayList<>();
        int applied = 0;
        try {
            for (int i = 0; i < all.size(); i++) {
                while (batches.size() < all.size() && batches.size() < i + window) {
                    LayerDecoder d = new LayerDecoder(options, capture, all.get(batches.size()), all.size(),
                            guard.entries(), guard.bytes(), shared, spill);
                    decoders.add(d);
                    batches.add(pool.submit(d::decode));
                }
                LayerDecoder.Batch batch = await(batches.get(i), all.get(i));
                applied = i + 1;
                apply(batch, all.get(i), all.size(), shared);
            }
        } finally {
            decoders.forEach(LayerDecoder::cancel);
            pool.shutdownNow();
            awaitStop(pool);
            for (int i = applied; i < batches.size(); i++) {
                Future<LayerDecoder.Batch> f = batches.get(i);
                if (f.isDone() && !f.isCancelled()) {
                    try {
                        f.get().release();
                    } catch (ExecutionException | InterruptedException ignored) {
                        // nothing was kept
                    }
                }
            }
        }
    }

    private static LayerDecoder.Batch await(Future<LayerDecoder.Batch> batch, Layer layer) throws IOException {
        try {
            return batch.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(layer.describe() + ": interrupted while it was read");
        } catch (ExecutionException e) {
            // the decoder keeps IOExceptions and RuntimeExceptions as the batch's failure: this is an Error
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Waits a bounded time for the decoders to stop; each stops at its next entry, or when its read fails. */
    private static void awaitStop(ExecutorService pool) {
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                return; // a stream that ignores interrupts; its daemon thread ends with its read
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Applies a decoded layer as {@link #readLayer} would have read it. A layer that failed to decode, or whose
     * entries or bytes would take the image over a limit, is read again by {@code readLayer} itself: it fails there
     * at the same entry, with the same message, as the serial reader would.
     */
    private void apply(LayerDecoder.Batch batch, Layer layer, int layerCount, Consumer<ProgressEvent> progress)
            throws IOException {
        allContents.addAll(batch.spooled);
        if (batch.failure != null
                || guard.entries() + batch.items.size() > limits.maxEntries()
                || guard.bytes() + batch.sparseBytes + batch.summary.uncompressedSize() > limits.maxTotalBytes()) {
            batch.release();
            layers.add(readLayer(layer, layerCount, progress));
            return;
        }
        String where = layer.describe();
        int index = layer.index();
        Rereader again = null;
        try {
            for (int i = 0; i < batch.items.size(); i++) {
                guard.countEntry(where);
                Object item = batch.items.get(i);
                if (item instanceof LayerDecoder.Special s) {
                    String path = s.path();
                    if (path.equals("/")) {
                        continue;
                    }
                    int slash = path.lastIndexOf('/');
                    String parent = placeParent(slash == 0 ? "/" : path.substring(0, slash));
                    switch (s.kind()) {
                        case WHITEOUT -> whiteout(path.substring(slash + 1), parent, index);
                        case HARDLINK -> hardlink(child(parent, path.substring(slash + 1)), s.name(), s.linkName(),
                                s.linked(), index, where);
                        case SKIP -> { }
                    }
                    continue;
                }
                FileEntry e = (FileEntry) item;
                // the entry's directory as written: no path string is made for the entries that land there
                String written = e.dir();
                if (written.isEmpty()) {
                    put(e, batch.matched.get(i));
                    continue;
                }
                String parent = placeParent(written);
                FileContent content = batch.contents.get(e);
                Object inspection = batch.inspections.get(e);
                if (parent.equals(written)) {
                    put(e, batch.matched.get(i));
                } else {
                    String target = child(parent, e.name());
                    // written through a symlinked directory: capture and inspection are decided where it lands
                    if (content != null) {
                        content.release();
                        content = null;
                    }
                    inspection = null;
                    boolean matches = capture.matches(target);
                    if (e.isFile() && (matches || inspectorFor(options, target, e.mode(), e.size()) != null)) {
                        if (again == null) {
                            again = new Rereader(layer);
                        }
                        addFile(target, e.type(), e.mode(), e.uid(), e.gid(), e.size(), e.linkTarget(), index,
                                again.contentOf(i));
                        continue;
                    }
                    e = e.at(entries.dirPath(parent), target, pool, e.isFile() && options.digestFiles());
                    put(e, matches);
                }
                if (content != null) {
                    contents.put(e, content);
                }
                if (inspection != null) {
                    inspections.put(e, inspection);
                }
            }
            if (again != null) {
                again.finish();
            }
        } finally {
            if (again != null) {
                again.close();
            }
        }
        guard.addLayerBytes(batch.sparseBytes);
        guard.addLayerBytes(batch.summary.uncompressedSize());
        layers.add(batch.summary);
    }

    /**
     * A layer read a second time, from the start to its end, for the contents of entries that a symlinked
     * directory placed where a capture glob or an inspector wants them; its digests are checked again at the end.
     */
    private final class Rereader implements Closeable {
        private final Layer.LayerStream stream;
        private final TarReader tar;
        private final InputStream content;
        private final String where;
        private int at = -1;

        Rereader(Layer layer) throws IOException {
            this.where = layer.describe();
            this.stream = layer.open(limits.maxTotalBytes(), " (all layers together; raise with --max-total-bytes)");
            this.tar = new TarReader(stream);
            this.content = new TarContent(tar.content(), where);
        }

        /** The content of the layer's entry number {@code index} (counted from 0; later than the last asked). */
        InputStream contentOf(int index) throws IOException {
            while (at < index) {
                if (nextEntry(tar, where) == null) {
                    throw new ImageException(where + ": has fewer entries the second time it is read");
                }
                at++;
            }
            return content;
        }

        void finish() throws IOException {
            while (nextEntry(tar, where) != null) {
                at++;
            }
            stream.finish();
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }

    /**
     * Tells the listener how many compressed bytes of the layer have been read, at the start and then about every
     * megabyte (counted where the layer's stream reads them, possibly on the read-ahead thread).
     */
    static final class ProgressStream extends FilterInputStream {
        private static final long STEP = 1 << 20;
        private final Layer.LayerStream layerStream;
        private final Layer layer;
        private final int layers;
        private final Consumer<ProgressEvent> progress;
        private long reported;

        ProgressStream(InputStream in, Layer.LayerStream layerStream, Layer layer, int layers,
                       Consumer<ProgressEvent> progress) {
            super(in);
            this.layerStream = layerStream;
            this.layer = layer;
            this.layers = layers;
            this.progress = progress;
            progress.accept(new ProgressEvent.LayerRead(layer.index() + 1, layers, layer.digest(), 0,
                    layer.descriptor().size()));
        }

        InputStream inner() {
            return in;
        }

        @Override
        public int read() throws IOException {
            return Streams.readOne(this);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            long read = layerStream.compressedBytes();
            if (read - reported >= STEP && read < layer.descriptor().size()) {
                reported = read;
                progress.accept(new ProgressEvent.LayerRead(layer.index() + 1, layers, layer.digest(), read,
                        layer.descriptor().size()));
            }
            return n;
        }
    }

    /**
     * The current tar entry's content, as the catalogers and digests read it: the tar reader's failures there (a
     * stream that ends inside an entry) become an {@link ImageException} naming the layer, like those of the headers.
     */
    static final class TarContent extends FilterInputStream {
        private final String where;

        TarContent(InputStream entryContent, String where) {
            super(entryContent);
            this.where = where;
        }

        @Override
        public int read() throws IOException {
            return Streams.readOne(this);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw notTar(e, where);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            return Streams.skipByReading(this, n);
        }

        @Override
        public void close() {
            // the layer's stream is closed by its owner
        }
    }

    /**
     * A layer of {@value #READ_AHEAD_MIN_BYTES} compressed bytes or more is decompressed and digested on a thread of
     * its own while this one reads and files its entries (on the million-file benchmark image that work is a fifth
     * of the total; reading the tar entries and filing them is most of the rest). Smaller layers are not worth a
     * thread.
     */
    static InputStream readAhead(Layer.LayerStream stream, Layer layer) {
        if (layer.descriptor().size() < READ_AHEAD_MIN_BYTES) {
            return stream;
        }
        return new ReadAheadInputStream(stream, READ_AHEAD_CHUNK, READ_AHEAD_DEPTH, "distill-layer-" + layer.index());
    }

    private static final long READ_AHEAD_MIN_BYTES = 1 << 20;
    private static final int READ_AHEAD_CHUNK = 1 << 18;
    private static final int READ_AHEAD_DEPTH = 8;

    static TarReader.Entry nextEntry(TarReader tar, String where) throws IOException {
        try {
            return tar.next();
        } catch (IOException e) {
            throw notTar(e, where);
        }
    }

    /** What the tar reader threw, as the one error a bad layer gives: the stream's own, or "not a valid tar". */
    private static ImageException notTar(Exception e, String where) {
        if (e instanceof ImageException ie) {
            return ie;
        }
        if (e.getCause() instanceof ImageException ie) {
            return ie;
        }
        return new ImageException(where + ": not a valid tar stream (" + e.getMessage() + ")", e);
    }

    private void addTarEntry(TarReader.Entry te, InputStream data, int layer, String where) throws IOException {
        countEntry(where);
        String path = normalize(te.name(), where);
        checkPathLength(path, where);
        if (path.equals("/")) {
            if (te.kind() == TarReader.Kind.DIRECTORY) {
                put(new FileEntry("", "/", pool, EntryType.DIRECTORY, te.mode(), te.uid(), te.gid(), 0, null,
                        false, layer, -1), capture.matches(path));
            }
            return;
        }
        int slash = path.lastIndexOf('/');
        String written = slash == 0 ? "/" : path.substring(0, slash);
        String parent = placeParent(written);
        // most entries land where they are written: no new string then
        String target = parent.equals(written) ? path : child(parent, path.substring(slash + 1));

        if (path.startsWith(WHITEOUT, slash + 1)) {
            whiteout(path.substring(slash + 1), parent, layer);
            return;
        }

        if (te.kind() == TarReader.Kind.HARDLINK) {
            String linked = normalize(te.linkName(), where + ", hardlink '" + te.name() + "'");
            hardlink(target, te.name(), te.linkName(), linked, layer, where);
            return;
        }
        EntryType type = typeOf(te);
        if (type == null) {
            return; // volume labels and other non-file records
        }
        long size = type == EntryType.FILE ? te.size() : 0;
        checkFileSize(target, size, where);
        if (te.sparse()) {
            // a few bytes of tar can declare gigabytes of holes, all read (and hashed) as zeros: they count as content
            countBytes(size, where);
        }
        if (type == EntryType.SYMLINK) {
            checkLinkLength(target, te.linkName(), where);
        }
        addFile(target, type, te.mode(), te.uid(), te.gid(), size,
                type == EntryType.SYMLINK ? te.linkName() : null, layer, data);
    }

    /** Applies a whiteout named {@code base} in the directory {@code parent} (where its parent path led). */
    private void whiteout(String base, String parent, int layer) {
        if (base.equals(OPAQUE)) {
            removeUnder(parent, layer);
        } else if (!base.startsWith(WHITEOUT + WHITEOUT)) { // .wh..wh.* are aufs metadata, not deletions
            String victim = child(parent, base.substring(WHITEOUT.length()));
            removeAt(victim, layer);
            removeUnder(victim, layer);
        }
    }

    /** Files a hardlink at {@code target} to {@code linked} (normalised, not yet placed) as entry {@code name}. */
    private void hardlink(String target, String name, String linkName, String linked, int layer, String where)
            throws ImageException {
        int s = linked.lastIndexOf('/');
        String at = child(placeParent(s <= 0 ? "/" : linked.substring(0, s)), linked.substring(s + 1));
        FileEntry to = entries.get(at);
        if (to == null || !to.isFile()) {
            throw new ImageException(where + ": entry '" + name + "' is a hardlink to '" + linkName + "', which is "
                    + (to == null ? "missing" : "not a regular file"));
        }
        addHardlink(target, to, layer);
    }

    /**
     * Adds a non-hardlink entry. A regular file's content is read from {@code data} when it is to be captured or
     * digested: both happen in the same pass.
     */
    void addFile(String path, EntryType type, int mode, long uid, long gid, long size, String linkTarget,
                 int layer, InputStream data) throws IOException {
        FileContent content = null;
        int digest = -1;
        Object inspection = null;
        ContentInspector inspector = type == EntryType.FILE ? inspectorFor(options, path, mode, size) : null;
        boolean matches = capture.matches(path);
        boolean captured = type == EntryType.FILE && matches;
        if (captured || inspector != null || type == EntryType.FILE && options.digestFiles()) {
            HashingInputStream hashing = new HashingInputStream(data, sha256Digest, sha1Digest);
            if (captured) {
                content = readContent(path, hashing, size, options.spoolThreshold(), allContents);
            }
            if (inspector != null) {
                if (content != null) {
                    try (InputStream in = content.open()) {
                        inspection = inspect(inspector, path, in);
                    }
                } else {
                    inspection = inspect(inspector, path, hashing);
                }
            }
            // InputStream.transferTo would allocate 8 KiB per call: a million small files made 8 GB of garbage
            while (hashing.read(drain, 0, drain.length) >= 0) {
                // digested as it passes
            }
            digest = pool.add(sha256Digest, sha1Digest);
        }
        FileEntry entry = new FileEntry(entries.dirPath(FileEntry.dirOf(path)), path, pool, type, mode, uid, gid, size,
                linkTarget, false, layer, digest);
        put(entry, matches);
        if (content != null) {
            contents.put(entry, content);
        }
        if (inspection != null) {
            inspections.put(entry, inspection);
        }
    }

    static ContentInspector inspectorFor(TreeOptions options, String path, int mode, long size) {
        for (ContentInspector i : options.inspectors()) {
            if (i.wants(path, mode, size)) {
                return i;
            }
        }
        return null;
    }

    /** Runs an inspector; its own failures become a {@link InspectionFailure}, the stream's propagate. */
    static Object inspect(ContentInspector inspector, String path, InputStream in) throws IOException {
        try {
            return inspector.inspect(path, in);
        } catch (ImageException e) {
            throw e;
        } catch (RuntimeException e) {
            return new InspectionFailure(inspector.getClass().getSimpleName(),
                    e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    static EntryType typeOf(TarReader.Entry te) {
        return switch (te.kind()) {
            case FILE -> EntryType.FILE;
            case SYMLINK -> EntryType.SYMLINK;
            case DIRECTORY -> EntryType.DIRECTORY;
            case CHAR_DEVICE -> EntryType.CHAR_DEVICE;
            case BLOCK_DEVICE -> EntryType.BLOCK_DEVICE;
            case FIFO -> EntryType.FIFO;
            case HARDLINK, OTHER -> null; // hardlinks are filed apart; volume labels are not files
        };
    }

    void countEntry(String where) throws LimitExceededException {
        guard.countEntry(where);
    }

    void countBytes(long n, String where) throws LimitExceededException {
        guard.countBytes(n, where);
    }

    void checkPathLength(String path, String where) throws LimitExceededException {
        guard.checkPathLength(path, where);
    }

    void checkLinkLength(String path, String linkTarget, String where) throws LimitExceededException {
        guard.checkLinkLength(path, linkTarget, where);
    }

    void checkFileSize(String path, long size, String where) throws LimitExceededException {
        guard.checkFileSize(path, size, where);
    }

    /** Whether a regular file's content will be read (to capture or to digest it). */
    boolean readsContent(String path) {
        return options.digestFiles() || capture.matches(path);
    }

    /** Adds a hardlink: a regular file with its target's metadata, digest and captured content. */
    void addHardlink(String path, FileEntry to, int layer) {
        FileEntry entry = FileEntry.hardlink(entries.dirPath(FileEntry.dirOf(path)), path, pool, to, layer);
        put(entry, capture.matches(path));
        FileContent shared = contents.get(to);
        if (shared != null) {
            contents.put(entry, shared);
        }
        Object inspection = inspections.get(to);
        if (inspection != null) {
            inspections.put(entry, inspection);
        }
    }

    FileEntry entryAt(String path) {
        return entries.get(path);
    }

    /**
     * Makes a tar entry name an absolute image path. Names that are absolute or climb above the root are refused:
     * no well-formed layer has them, and a naive extractor would write outside its target.
     */
    static String normalize(String name, String where) throws ImageException {
        if (isPlain(name)) {
            // the common case: "usr/bin/env" or "usr/bin/", no '.', '..', '//' or leading '/'
            return "/" + (name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
        }
        if (name.indexOf('\0') >= 0) {
            throw new ImageException(where + ": entry name contains a NUL byte");
        }
        if (name.startsWith("/")) {
            throw new ImageException(where + ": entry '" + name + "' has an absolute name");
        }
        List<String> parts = new ArrayList<>();
        for (String p : name.split("/")) {
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (parts.isEmpty()) {
                    throw new ImageException(where + ": entry '" + name + "' escapes the image root");
                }
                parts.remove(parts.size() - 1);
            } else {
                parts.add(p);
            }
        }
        return "/" + String.join("/", parts);
    }

    /** True when a name needs no normalising: no leading '/' or "./", no "." or ".." element, no "//". */
    private static boolean isPlain(String name) {
        if (name.isEmpty() || name.charAt(0) == '/' || name.indexOf('\0') >= 0 || name.contains("//")) {
            return false;
        }
        int start = 0;
        while (start < name.length()) {
            int end = name.indexOf('/', start);
            if (end < 0) {
                end = name.length();
            }
            int len = end - start;
            if (len == 1 && name.charAt(start) == '.' || len == 2 && name.startsWith("..", start)) {
                return false;
            }
            start = end + 1;
        }
        return true;
    }

    private static String child(String parent, String name) {
        return parent.equals("/") ? "/" + name : parent + "/" + name;
    }

    /** The directory an entry lands in: its parent path with any symlinked ancestor followed inside the root. */
    private String placeParent(String parent) throws ImageException {
        String known = placed.get(parent);
        if (known != null) {
            return known;
        }
        String resolved = parent;
        for (int i = parent.indexOf('/', 1); ; i = parent.indexOf('/', i + 1)) {
            String prefix = i < 0 ? parent : parent.substring(0, i);
            FileEntry e = entries.get(prefix);
            if (e != null && e.isSymlink()) {
                resolved = PathResolver.resolve(entries::get, parent, true, limits.maxSymlinkHops());
                break;
            }
            if (i < 0) {
                break;
            }
        }
        if (placed.size() >= MAX_PLACED) {
            placed.clear();
        }
        placed.put(parent, resolved);
        return resolved;
    }

    /** Files a new entry of a directory source (no content) at {@code path}. */
    void put(String path, EntryType type, int mode, long uid, long gid, String linkTarget, int layer) {
        String dir = FileEntry.dirOf(path);
        put(new FileEntry(entries.dirPath(dir), path, pool, type, mode, uid, gid, 0, linkTarget, false, layer, -1),
                capture.matches(path));
    }

    /** Files an entry; {@code captureMatch} says whether its path matches a capture glob (known to the caller). */
    private void put(FileEntry entry, boolean captureMatch) {
        if (captureMatch) {
            matched.add(entry.path());
        }
        FileEntry old = entries.put(entry); // one search in the entry's directory: most paths are new
        if (old != null && !(old.isDirectory() && entry.isDirectory())) {
            removed(old);
            removeUnder(entry.path(), Integer.MAX_VALUE);
        }
        if (entry.isSymlink()) {
            placed.clear();
        }
    }

    /** Removes the entry at {@code path} if a layer below {@code layer} wrote it. */
    private void removeAt(String path, int layer) {
        FileEntry e = entries.get(path);
        if (e != null && e.layer() < layer) {
            entries.remove(path);
            removed(e);
        }
    }

    /** Removes entries below the directory path {@code dir} that layers below {@code layer} wrote. */
    private void removeUnder(String dir, int layer) {
        entries.removeUnder(dir, layer, this::removed);
    }

    /** An entry left the tree: a symlink's going changes where paths lead. */
    private void removed(FileEntry e) {
        if (e.isSymlink()) {
            placed.clear();
        }
        hide(e);
    }

    /**
     * Keeps a deleted or replaced entry: all of them in the all-layers scope; in the squashed scope only those whose
     * content was captured, so that catalogers can see earlier versions of their databases.
     */
    private void hide(FileEntry e) {
        if (options.scope() == Scope.ALL_LAYERS || options.recordShadowed() || contents.containsKey(e)) {
            hidden.add(e);
        }
    }

    /**
     * Reads a captured file's content: small ones into memory, larger ones into a temp file (listed in
     * {@code spooled}, so that a failed build can delete it).
     */
    static FileContent readContent(String path, InputStream in, long size, long spoolThreshold,
                                   List<FileContent> spooled) throws IOException {
        if (size <= spoolThreshold) {
            byte[] bytes = in.readNBytes((int) size);
            if (bytes.length != size) {
                throw new ImageException("'" + path + "' is truncated: " + bytes.length + " of " + size + " bytes");
            }
            return FileContent.inMemory(bytes);
        }
        Path spool = Files.createTempFile("distill-content-", ".bin");
        FileContent c = FileContent.spooled(spool, size);
        spooled.add(c);
        try (OutputStream out = Files.newOutputStream(spool)) {
            in.transferTo(out);
        }
        return c;
    }
}
