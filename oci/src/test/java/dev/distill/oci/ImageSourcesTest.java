package dev.distill.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.testing.DockerArchiveWriter;
import dev.distill.oci.testing.Fixtures;
import dev.distill.oci.testing.ImageBuilder;
import dev.distill.oci.testing.ImageBuilder.BuiltImage;
import dev.distill.oci.testing.LayerBuilder;
import dev.distill.oci.testing.LayerBuilder.BuiltLayer;
import dev.distill.oci.testing.LayoutWriter;
import dev.distill.oci.wire.DockerArchiveManifestTemplate;
import dev.distill.oci.wire.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSourcesTest {
    @TempDir
    Path tmp;

    private static BuiltImage image(String marker, Compression c) {
        return new ImageBuilder()
                .layer(new LayerBuilder().dir("etc").file("etc/marker", marker).build(c))
                .layer(new LayerBuilder().file("etc/second", "2").build(c))
                .build();
    }

    private static Image open(String ref) throws IOException {
        return ImageSources.open(ref, SourceOptions.defaults());
    }

    private static Image open(String ref, String platform) throws IOException {
        return ImageSources.open(ref, new SourceOptions(Platform.parse(platform), true));
    }

    /** Reads every layer to the end, which is when digests are checked. */
    private static void drainLayers(Image img) throws IOException {
        for (Layer l : img.layers()) {
            try (Layer.LayerStream s = l.open(Long.MAX_VALUE, "")) {
                s.transferTo(OutputStream.nullOutputStream());
                s.finish();
            }
        }
    }

    private static String error(Class<? extends Exception> type, ThrowingRunnable r) {
        Exception e = assertThrows(type, r::run);
        assertTrue(e.getMessage().lines().count() == 1, "one line: " + e.getMessage());
        return e.getMessage();
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void everyFixtureMediumGivesTheSameImage() throws IOException {
        Path fx = Fixtures.dir();
        try (Image layout = open("oci:" + fx.resolve("layered"));
             Image archive = open("oci-archive:" + fx.resolve("layered.oci.tar"));
             Image docker = open("docker-archive:" + fx.resolve("layered.docker.tar"));
             Image detected = open(fx.resolve("layered.docker.tar").toString())) {
            assertEquals(SourceKind.OCI_LAYOUT, layout.kind());
            assertEquals(SourceKind.OCI_ARCHIVE, archive.kind());
            assertEquals(SourceKind.DOCKER_ARCHIVE, docker.kind());
            assertEquals(SourceKind.DOCKER_ARCHIVE, detected.kind());
            assertEquals(layout.manifestDigest(), archive.manifestDigest());
            assertNull(docker.manifestDigest());
            assertEquals(layout.configDescriptor().digest(), docker.configDescriptor().digest());
            assertEquals(List.of("latest"), layout.repoTags());
            assertEquals(List.of("distill/layered:latest"), docker.repoTags());
            assertEquals(3, layout.layers().size());
            for (int i = 0; i < 3; i++) {
                assertEquals(layout.layers().get(i).diffId(), docker.layers().get(i).diffId());
            }
            for (Image img : List.of(layout, archive, docker)) {
                drainLayers(img);
            }
        }
    }

    @Test
    void selectsByTagOrDigest() throws IOException {
        BuiltImage a = image("a", Compression.GZIP);
        BuiltImage b = image("b", Compression.GZIP);
        Path dir = tmp.resolve("layout");
        new LayoutWriter().add(a, "a").add(b, "b").writeDirectory(dir);
        try (Image img = open("oci:" + dir + ":b")) {
            assertEquals(b.manifestDigest(), img.manifestDigest());
        }
        try (Image img = open(dir + "@" + a.manifestDigest())) {
            assertEquals(a.manifestDigest(), img.manifestDigest());
        }
        assertTrue(error(ImageException.class, () -> open("oci:" + dir)).contains("tags: a, b"));
        assertTrue(error(ImageException.class, () -> open("oci:" + dir + ":c")).contains("no image tagged 'c'"));
        assertTrue(error(ImageException.class, () -> open("oci:" + dir + "@sha256:" + "0".repeat(64)))
                .contains("no manifest or index with digest"));
    }

    @Test
    void choosesThePlatformFromAnIndex() throws IOException {
        Path multi = Fixtures.path("multi-platform");
        try (Image img = open(multi.toString())) {
            assertEquals(Platform.parse("linux/amd64"), img.platform());
        }
        try (Image img = open(multi + ":latest", "linux/arm64")) {
            assertEquals(Platform.parse("linux/arm64/v8"), img.platform());
            drainLayers(img);
        }
        String msg = error(ImageException.class, () -> open(multi.toString(), "linux/s390x"));
        assertTrue(msg.contains("no image for platform linux/s390x"), msg);
        assertTrue(msg.contains("available: linux/amd64, linux/arm64/v8"), msg);
    }

    @Test
    void anExplicitPlatformMustMatchASingleImage() throws IOException {
        Path dir = tmp.resolve("single");
        new LayoutWriter().add(image("x", Compression.GZIP), "latest").writeDirectory(dir);
        String msg = error(ImageException.class, () -> open(dir.toString(), "linux/arm64"));
        assertTrue(msg.contains("available: linux/amd64"), msg);
    }

    @Test
    void readsDocker25ArchivesAndChoosesAmongImages() throws IOException {
        BuiltImage a = image("a", Compression.NONE);
        BuiltImage b = image("b", Compression.NONE);
        // Docker 25+ writes an OCI layout and a manifest.json whose paths are blobs named by digest.
        Map<String, byte[]> files = new TreeMap<>(new LayoutWriter().add(a, "a").add(b, "b").files());
        files.put("manifest.json", Json.write(List.of(
                new DockerArchiveManifestTemplate("blobs/sha256/" + a.configDigest().hex(), List.of("repo/a:1"),
                        a.layers().stream().map(l -> "blobs/sha256/" + l.digest().hex()).toList()),
                new DockerArchiveManifestTemplate("blobs/sha256/" + b.configDigest().hex(), List.of("repo/b:2"),
                        b.layers().stream().map(l -> "blobs/sha256/" + l.digest().hex()).toList()))));
        Path tar = tmp.resolve("docker25.tar");
        LayoutWriter.writeTar(tar, files);
        try (Image img = open("docker-archive:" + tar + ":repo/b:2")) {
            assertEquals(b.configDigest(), img.configDescriptor().digest());
            assertNotNull(img.layers().get(0).digest());
            drainLayers(img);
        }
        try (Image img = open("docker-archive:" + tar + "@0")) {
            assertEquals(a.configDigest(), img.configDescriptor().digest());
        }
        assertTrue(error(ImageException.class, () -> open("docker-archive:" + tar)).contains("repo/a:1, repo/b:2"));
        assertTrue(error(ImageException.class, () -> open("docker-archive:" + tar + "@7")).contains("index 7"));
    }

    @Test
    void readsGzippedArchives() throws IOException {
        Path gz = tmp.resolve("image.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(Fixtures.path("layered.docker.tar"), out);
        }
        try (Image img = open(gz.toString())) {
            assertEquals(SourceKind.DOCKER_ARCHIVE, img.kind());
            drainLayers(img);
        }
    }

    @Test
    void namesWhatIsNotAnImage() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.txt"), "hello, not a tar\n".repeat(100));
        assertTrue(error(ImageException.class, () -> open(text.toString())).contains("notes.txt"));
        Path tar = tmp.resolve("plain.tar");
        LayoutWriter.writeTar(tar, Map.of("hello.txt", new byte[] {1}));
        assertTrue(error(ImageException.class, () -> open(tar.toString())).contains("neither an OCI archive"));
        assertTrue(error(ImageException.class, () -> open(tmp.resolve("absent").toString()))
                .contains("no such file or directory"));
        assertTrue(error(ImageException.class, () -> open("registry:Not A Reference")).contains("invalid"));
        assertTrue(error(ImageException.class, () -> open("docker:alpine")).contains("docker daemon"));
    }

    private Path layout(BuiltImage img) throws IOException {
        Path dir = tmp.resolve("layout-" + img.manifestDigest().shortHex());
        new LayoutWriter().add(img, "latest").writeDirectory(dir);
        return dir;
    }

    private static Path blob(Path layout, Digest d) {
        return layout.resolve("blobs/sha256/" + d.hex());
    }

    @Test
    void aMissingBlobIsNamed() throws IOException {
        BuiltImage img = image("x", Compression.GZIP);
        Path dir = layout(img);
        Digest layer = img.layers().get(1).digest();
        Files.delete(blob(dir, layer));
        String msg = error(ImageException.class, () -> open(dir.toString()));
        assertTrue(msg.contains("missing") && msg.contains(layer.toString()), msg);
    }

    @Test
    void aTamperedConfigIsRejected() throws IOException {
        BuiltImage img = image("x", Compression.GZIP);
        Path dir = layout(img);
        byte[] config = img.config().clone();
        config[config.length - 2] ^= 1;
        Files.write(blob(dir, img.configDigest()), config);
        String msg = error(ImageException.class, () -> open(dir.toString()));
        assertTrue(msg.contains("has digest") && msg.contains("expected " + img.configDigest()), msg);
    }

    @Test
    void aManifestThatIsNotJsonIsRejected() throws IOException {
        byte[] garbage = "this is { not json".getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(garbage);
        Path dir = tmp.resolve("bad-manifest");
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.write(dir.resolve("blobs/sha256/" + d.hex()), garbage);
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + d + "\",\"size\":" + garbage.length + "}]}");
        String msg = error(ImageException.class, () -> open(dir.toString()));
        assertTrue(msg.contains("is not valid JSON") && msg.contains(d.toString()), msg);
        Files.writeString(dir.resolve("index.json"), "[[[");
        assertTrue(error(ImageException.class, () -> open(dir.toString())).contains("index.json"));
    }

    @Test
    void aLayerWhoseDigestDoesNotMatchFailsWhileStreaming() throws IOException {
        BuiltImage img = image("x", Compression.GZIP);
        Path dir = layout(img);
        BuiltLayer other = new LayerBuilder().file("etc/second", "3").build(Compression.GZIP);
        assertEquals(img.layers().get(1).blob().length, other.blob().length, "same size, other bytes");
        Files.write(blob(dir, img.layers().get(1).digest()), other.blob());
        try (Image opened = open(dir.toString())) {
            String msg = error(ImageException.class, () -> drainLayers(opened));
            assertTrue(msg.contains("expected " + img.layers().get(1).digest()), msg);
        }
    }

    @Test
    void aLayerWhoseDiffIdDoesNotMatchFails() throws IOException {
        BuiltLayer real = new LayerBuilder().file("a", "a").build(Compression.ZSTD);
        BuiltLayer lying = new BuiltLayer(real.blob(), real.digest(), Digest.sha256(new byte[] {42}),
                real.mediaType(), real.uncompressed());
        Path dir = layout(new ImageBuilder().layer(lying).build());
        try (Image opened = open(dir.toString())) {
            String msg = error(ImageException.class, () -> drainLayers(opened));
            assertTrue(msg.contains("expected " + lying.diffId()), msg);
        }
    }

    @Test
    void aTruncatedGzipLayerIsCorrupt() throws IOException {
        BuiltLayer real = new LayerBuilder().file("big", "x".repeat(100_000) + "y").build(Compression.GZIP);
        byte[] cut = Arrays.copyOf(real.blob(), real.blob().length / 2);
        BuiltLayer truncated = new BuiltLayer(cut, Digest.sha256(cut), real.diffId(), real.mediaType(),
                real.uncompressed());
        Path dir = layout(new ImageBuilder().layer(truncated).build());
        try (Image opened = open(dir.toString())) {
            String msg = error(ImageException.class, () -> drainLayers(opened));
            assertTrue(msg.contains("corrupt gzip data"), msg);
        }
    }

    @Test
    void decompressionStopsAtTheLimit() throws IOException {
        BuiltLayer bomb = new LayerBuilder().file("zeros", new byte[4 << 20], 0644).build(Compression.GZIP);
        assertTrue(bomb.blob().length < 20_000);
        Path dir = layout(new ImageBuilder().layer(bomb).build());
        try (Image opened = open(dir.toString());
             Layer.LayerStream s = opened.layers().get(0).open(1 << 20, " (raise it)")) {
            LimitExceededException e = assertThrows(LimitExceededException.class,
                    () -> s.transferTo(OutputStream.nullOutputStream()));
            assertTrue(e.getMessage().contains("limit of 1048576 bytes (raise it)"), e.getMessage());
        }
    }

    @Test
    void aBlobSymlinkLeadingOutOfTheLayoutIsRefused() throws IOException {
        BuiltImage img = image("x", Compression.GZIP);
        Path dir = layout(img);
        Path outside = Files.write(tmp.resolve("outside-secret"), img.config());
        Path cfg = blob(dir, img.configDigest());
        Files.delete(cfg);
        Files.createSymbolicLink(cfg, outside);
        String msg = error(ImageException.class, () -> open(dir.toString()));
        assertTrue(msg.contains("symlink leads out of the layout"), msg);
    }

    @Test
    void readsEveryCompression() throws IOException {
        for (Compression c : Compression.values()) {
            BuiltImage img = image("c", c);
            try (Image opened = open(layout(img).toString())) {
                try (Layer.LayerStream s = opened.layers().get(0).open(Long.MAX_VALUE, "");
                     InputStream in = s) {
                    assertArrayEquals(img.layers().get(0).uncompressed(), in.readAllBytes());
                    assertEquals(c, s.compression());
                }
            }
        }
    }
}
