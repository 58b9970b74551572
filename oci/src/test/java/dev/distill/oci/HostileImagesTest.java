package dev.distill.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.layout.OciLayoutReader;
import dev.distill.oci.testing.ImageBuilder;
import dev.distill.oci.testing.ImageBuilder.BuiltImage;
import dev.distill.oci.testing.LayerBuilder;
import dev.distill.oci.testing.LayerBuilder.BuiltLayer;
import dev.distill.oci.testing.MemoryStore;
import dev.distill.oci.wire.ConfigTemplate;
import dev.distill.oci.wire.DescriptorTemplate;
import dev.distill.oci.wire.IndexTemplate;
import dev.distill.oci.wire.Json;
import dev.distill.oci.wire.ManifestTemplate;
import dev.distill.oci.wire.PlatformTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Images built to hurt a reader, generated here rather than downloaded: each must end in a clear
 * {@link ImageException} or a correct image, within a bounded time and heap, and nothing is written anywhere (the
 * media are in memory). Symlink mazes are a file-tree matter: see {@code HostileTreesTest} in sbom.
 *
 * <p>Meant to pass with a small heap as well as in the normal build; to check the bound, run it alone as
 * {@code mvn -o test -pl oci -Dtest=HostileImagesTest -Ddistill.testHeap=-Xmx256m}; {@code ./run-tests} does so for
 * every {@code Hostile*Test} after the normal build.
 */
class HostileImagesTest {
    private static final byte[] LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);

    private static MemoryStore layout(byte[] indexJson) {
        return new MemoryStore("memory:hostile").put("oci-layout", LAYOUT).put("index.json", indexJson);
    }

    private static Image read(BlobStore store) throws IOException {
        return OciLayoutReader.read(store, null, "memory:hostile", SourceKind.OCI_LAYOUT, SourceOptions.defaults());
    }

    private static byte[] index(List<DescriptorTemplate> manifests) {
        return Json.write(new IndexTemplate(2, MediaTypes.OCI_INDEX, manifests, null));
    }

    private static DescriptorTemplate descriptor(String mediaType, Digest d, long size) {
        return new DescriptorTemplate(mediaType, d.toString(), size, null, null,
                new PlatformTemplate("amd64", "linux", null, null, null), null);
    }

    /** An image of 10,000 layers (one small blob listed 10,000 times): read and streamed within limits. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void tenThousandLayersAreReadWithinLimits() throws IOException {
        BuiltLayer layer = new LayerBuilder().file("etc/x", "x").build(Compression.GZIP);
        MemoryStore store = layout(null);
        store.putBlob(layer.blob());
        int count = 10_000;
        List<String> diffIds = Collections.nCopies(count, layer.diffId().toString());
        byte[] config = Json.write(new ConfigTemplate(null, null, "amd64", "linux", null, null,
                new ConfigTemplate.RootFs("layers", diffIds), null));
        Digest configDigest = store.putBlob(config);
        List<DescriptorTemplate> layers = Collections.nCopies(count,
                new DescriptorTemplate(layer.mediaType(), layer.digest().toString(), layer.blob().length));
        byte[] manifest = Json.write(new ManifestTemplate(2, MediaTypes.OCI_MANIFEST, null,
                new DescriptorTemplate(MediaTypes.OCI_CONFIG, configDigest.toString(), config.length), layers, null,
                null));
        assertTrue(manifest.length < Manifests.MAX_MANIFEST_BYTES, "fits the manifest limit: " + manifest.length);
        Digest manifestDigest = store.putBlob(manifest);
        store.put("index.json", index(List.of(descriptor(MediaTypes.OCI_MANIFEST, manifestDigest, manifest.length))));
        try (Image image = read(store)) {
            assertEquals(count, image.layers().size());
            long total = 0;
            for (Layer l : image.layers()) {
                try (Layer.LayerStream s = l.open(1 << 20, "")) {
                    total += s.transferTo(OutputStream.nullOutputStream());
                }
            }
            assertEquals((long) count * layer.uncompressed().length, total);
        }
    }

    /** A 100 MB manifest, declared as such or hidden behind a small declared size, is refused after a bounded read. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aHundredMegabyteManifestIsRefusedWithoutReadingIt() throws IOException {
        long huge = 100L << 20;
        Digest someDigest = Digest.sha256(new byte[] {1});

        GeneratedStore declared = new GeneratedStore(BlobStore.blobPath(someDigest), huge);
        declared.put("index.json", index(List.of(descriptor(MediaTypes.OCI_MANIFEST, someDigest, huge))));
        LimitExceededException e = assertThrows(LimitExceededException.class, () -> read(declared));
        assertTrue(e.getMessage().contains("larger than " + Manifests.MAX_MANIFEST_BYTES), e.getMessage());
        assertEquals(0, declared.served(), "refused on its descriptor alone");

        GeneratedStore lying = new GeneratedStore(BlobStore.blobPath(someDigest), huge);
        lying.put("index.json", index(List.of(descriptor(MediaTypes.OCI_MANIFEST, someDigest, 500))));
        ImageException lie = assertThrows(ImageException.class, () -> read(lying));
        assertTrue(lie.getMessage().contains("larger than its descriptor's size 500"), lie.getMessage());
        assertTrue(lying.served() < 1 << 20, "read " + lying.served() + " bytes");

        GeneratedStore bigIndexJson = new GeneratedStore("index.json", huge);
        LimitExceededException ij = assertThrows(LimitExceededException.class, () -> read(bigIndexJson));
        assertTrue(ij.getMessage().contains("index.json in memory:hostile is larger than"), ij.getMessage());
        assertTrue(bigIndexJson.served() <= Manifests.MAX_MANIFEST_BYTES + (1 << 16),
                "read " + bigIndexJson.served() + " bytes");
    }

    /** JSON nested 100,000 deep, in a field we read and in one we ignore: refused by the parser's depth limit. */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void deeplyNestedJsonIsRefused() throws IOException {
        int depth = 100_000;
        String deep = "[".repeat(depth) + "]".repeat(depth);
        String deepObject = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
        Map<String, String> cases = Map.of(
                "{\"schemaVersion\":2,\"manifests\":" + deep + "}", "expected structure (at /manifests/0, line 1", // wrong type
                "{\"schemaVersion\":2,\"manifests\":[],\"ignored\":" + deepObject + "}", "nests too deeply",
                "{\"schemaVersion\":2,\"manifests\":[{\"size\":1,\"x-ignored\":" + deep + "}]}", "nests too deeply");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            ImageException e = assertThrows(ImageException.class,
                    () -> read(layout(c.getKey().getBytes(StandardCharsets.UTF_8))));
            assertTrue(e.getMessage().startsWith("index.json of memory:hostile ")
                    && e.getMessage().contains(c.getValue()), e.getMessage());
        }
        BuiltImage img = new ImageBuilder().layer(new LayerBuilder().file("x", "x").build(Compression.NONE)).build();
        String config = new String(img.config(), StandardCharsets.UTF_8);
        byte[] deepConfig = ("{\"x-ignored\":" + deep + "," + config.substring(1)).getBytes(StandardCharsets.UTF_8);
        Descriptor d = new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(deepConfig), deepConfig.length, null, null);
        ImageException e = assertThrows(ImageException.class, () -> Manifests.assemble("memory:hostile",
                SourceKind.OCI_LAYOUT, new MemoryStore("m"), null, null, d, deepConfig, List.of(), List.of(),
                List.of(), SourceOptions.defaults()));
        assertTrue(e.getMessage().contains("nests too deeply"), e.getMessage());
    }

    /**
     * A config just under its 64 MiB limit, and a manifest just under its 8 MiB one, made of values that cost far
     * more as objects than as JSON ({@code {},} is three bytes): refused before they are bound, so a small heap
     * survives. Parsing either whole took gigabytes.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void documentsOfMillionsOfTinyValuesAreRefusedBeforeBinding() throws IOException {
        byte[] config = tinyValues("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"history\":[",
                Manifests.MAX_CONFIG_BYTES);
        Descriptor d = new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length, null, null);
        ImageException e = assertThrows(ImageException.class, () -> Manifests.assemble("memory:hostile",
                SourceKind.OCI_LAYOUT, new MemoryStore("m"), null, null, d, config, List.of(), List.of(), List.of(),
                SourceOptions.defaults()));
        assertTrue(e.getMessage().contains("holds more than " + Json.MAX_VALUES + " JSON values"), e.getMessage());

        byte[] manifest = tinyValues("{\"schemaVersion\":2,\"config\":{},\"layers\":[",
                Manifests.MAX_MANIFEST_BYTES);
        MemoryStore store = layout(null);
        Digest md = store.putBlob(manifest);
        store.put("index.json", index(List.of(descriptor(MediaTypes.OCI_MANIFEST, md, manifest.length))));
        ImageException m = assertThrows(ImageException.class, () -> read(store));
        assertTrue(m.getMessage().contains("manifest " + md + " of memory:hostile holds more than"), m.getMessage());
    }

    /** {@code head} then {@code {},} repeated and {@code {}]}} to exactly {@code size} bytes, in one allocation. */
    private static byte[] tinyValues(String head, long size) {
        byte[] out = new byte[(int) size];
        byte[] h = head.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(h, 0, out, 0, h.length);
        int i = h.length;
        while (i + 3 <= out.length - 4) {
            out[i++] = '{';
            out[i++] = '}';
            out[i++] = ',';
        }
        while (i < out.length - 4) {
            out[i++] = ' ';
        }
        System.arraycopy("{}]}".getBytes(StandardCharsets.UTF_8), 0, out, i, 4);
        return out;
    }

    /**
     * An index cannot list its own digest (that would be a SHA-256 fixed point), so a reference loop cannot be built
     * from verified blobs; what can be built, a long chain of indexes, stops at the depth limit, both when
     * resolving by platform and when searching for a digest.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void chainsOfIndexesStopAtTheDepthLimit() throws IOException {
        BuiltImage img = new ImageBuilder().layer(new LayerBuilder().file("x", "x").build(Compression.NONE)).build();
        MemoryStore store = layout(null);
        store.putBlob(img.config());
        store.putBlob(img.layers().get(0).blob());
        Digest child = store.putBlob(img.manifest());
        long childSize = img.manifest().length;
        String childType = MediaTypes.OCI_MANIFEST;
        List<Digest> chain = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] idx = index(List.of(descriptor(childType, child, childSize)));
            child = store.putBlob(idx);
            childSize = idx.length;
            childType = MediaTypes.OCI_INDEX;
            chain.add(child);
        }
        store.put("index.json", index(List.of(descriptor(childType, child, childSize))));
        ImageException e = assertThrows(ImageException.class, () -> read(store));
        assertTrue(e.getMessage().contains("indexes nested deeper than 4 levels"), e.getMessage());
        ImageException byDigest = assertThrows(ImageException.class, () -> OciLayoutReader.read(store,
                "@" + img.manifestDigest(), "memory:hostile", SourceKind.OCI_LAYOUT, SourceOptions.defaults()));
        assertTrue(byDigest.getMessage().contains("no manifest or index with digest"), byDigest.getMessage());

        // The same image behind three indexes is within the limit.
        store.put("index.json", index(List.of(descriptor(MediaTypes.OCI_INDEX, chain.get(2),
                store.size(BlobStore.blobPath(chain.get(2)))))));
        try (Image image = read(store)) {
            assertEquals(img.manifestDigest(), image.manifestDigest());
        }
    }

    /**
     * zstd frames name the window the decoder must keep; a frame asking for 2^41 bytes is refused before anything is
     * allocated (zstd-jni keeps zstd's default limit of 2^27, which real encoders, even {@code --ultra -22}, stay
     * within).
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aZstdFrameDeclaringAHugeWindowIsRefused() throws IOException {
        byte[] tar = new LayerBuilder().file("x", "x").tar();
        for (int exponent : new int[] {18, 24, 31}) { // window log 10 + exponent: 28, 34, 41
            byte[] frame = rawZstdFrame(tar, (byte) (exponent << 3));
            try (Image image = MemoryStore.oneLayerImage(frame);
                 Layer.LayerStream s = image.layers().get(0).open(1 << 20, "")) {
                ImageException e = assertThrows(ImageException.class,
                        () -> s.transferTo(OutputStream.nullOutputStream()));
                assertTrue(e.getMessage().contains("corrupt zstd data"), e.getMessage());
            }
        }
        // The largest window zstd allows by default (2^27) still decodes.
        byte[] frame = rawZstdFrame(tar, (byte) (17 << 3));
        try (Image image = MemoryStore.oneLayerImage(frame);
             Layer.LayerStream s = image.layers().get(0).open(1 << 20, "")) {
            assertEquals(tar.length, s.transferTo(OutputStream.nullOutputStream()));
            assertEquals(Compression.ZSTD, s.compression());
        }
    }

    /** One zstd frame: no content size, no checksum, the given window descriptor, {@code data} as raw blocks. */
    private static byte[] rawZstdFrame(byte[] data, byte windowDescriptor) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0x00, windowDescriptor});
        int maxBlock = 1 << 17;
        for (int off = 0; off < data.length || off == 0; off += maxBlock) {
            int n = Math.min(maxBlock, data.length - off);
            int last = off + n >= data.length ? 1 : 0;
            int header = n << 3 | last; // block type 0 (raw)
            out.write(header & 0xff);
            out.write(header >> 8 & 0xff);
            out.write(header >> 16 & 0xff);
            out.write(data, off, n);
            if (last == 1) {
                break;
            }
        }
        return out.toByteArray();
    }

    /** A store with one file of {@code size} generated bytes, counting how many were read. */
    private static final class GeneratedStore implements BlobStore {
        private final MemoryStore small = new MemoryStore("memory:hostile");
        private final String hugePath;
        private final long size;
        private long served;

        GeneratedStore(String hugePath, long size) {
            this.hugePath = hugePath;
            this.size = size;
            small.put("oci-layout", LAYOUT);
        }

        void put(String path, byte[] data) {
            small.put(path, data);
        }

        long served() {
            return served;
        }

        @Override
        public InputStream open(String path) throws IOException {
            if (!path.equals(hugePath)) {
                return small.open(path);
            }
            return new InputStream() {
                private long left = size;

                @Override
                public int read() {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0];
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    if (left == 0) {
                        return -1;
                    }
                    int n = (int) Math.min(len, left);
                    java.util.Arrays.fill(b, off, off + n, (byte) '[');
                    left -= n;
                    served += n;
                    return n;
                }
            };
        }

        @Override
        public boolean exists(String path) {
            return path.equals(hugePath) || small.exists(path);
        }

        @Override
        public long size(String path) {
            return path.equals(hugePath) ? size : small.size(path);
        }

        @Override
        public String describe() {
            return "memory:hostile";
        }

        @Override
        public void close() {
            // nothing held
        }
    }
}
