package dev.distill.sbom.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.Compression;
import dev.distill.oci.Image;
import dev.distill.oci.ImageException;
import dev.distill.oci.ImageSources;
import dev.distill.oci.SourceOptions;
import dev.distill.oci.testing.ImageBuilder;
import dev.distill.oci.testing.LayerBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layers decoded on several threads and applied in order make the tree that the serial reader makes: the same
 * entries, digests, captured contents, inspections, hidden versions and layer summaries, and the same error when a
 * layer is bad or the layers together cross a limit.
 */
class ConcurrentLayersTest {
    @TempDir
    Path tmp;

    /** Sees every file under /usr/lib, whatever path its layer wrote it at. */
    private static final ContentInspector FIRST_BYTE = new ContentInspector() {
        @Override
        public boolean wants(String path, int mode, long size) {
            return path.startsWith("/usr/lib/");
        }

        @Override
        public Object inspect(String path, InputStream content) throws IOException {
            return path + " starts with " + content.read();
        }
    };

    private static final TreeOptions OPTIONS = TreeOptions.defaults().withScope(Scope.ALL_LAYERS)
            .withCaptureGlobs(List.of("/usr/lib/**", "/var/lib/dpkg/status", "/etc/*"))
            .withDigestFiles(true).withSpoolThreshold(16).withInspectors(List.of(FIRST_BYTE));

    private static List<LayerBuilder> layers() {
        LayerBuilder l1 = new LayerBuilder().dir("usr").dir("usr/lib").symlink("lib", "usr/lib").dir("var")
                .dir("var/lib").dir("var/lib/dpkg").file("var/lib/dpkg/status", "Package: a\n")
                .file("etc/hosts", "127.0.0.1 localhost, more than sixteen bytes").dir("opt").file("opt/x", "x")
                .dir("gone").file("gone/a", "a");
        // written through /lib, which leads to /usr/lib: captured and inspected where they land
        LayerBuilder l2 = new LayerBuilder().file("lib/libc.so", "ELF libc, long enough to be spooled")
                .file("lib/libm.so", "m").hardlink("opt/y", "opt/x").whiteout("gone")
                .file("var/lib/dpkg/status", "Package: a\n\nPackage: b\n");
        LayerBuilder l3 = new LayerBuilder().opaque("opt").file("opt/z", "z").whiteout("lib/libm.so")
                .file("etc/hosts", "::1 localhost");
        LayerBuilder l4 = new LayerBuilder().symlink("etc/alias", "hosts").file("usr/lib/libz.so", "z")
                .file("lib/late", "through the link again");
        return List.of(l1, l2, l3, l4);
    }

    @Test
    void theTreeIsTheSameOnOneThreadAndOnSeveral() throws IOException {
        Path image = image(layers());
        String serial = describe(image, OPTIONS.withLayerThreads(1));
        assertTrue(serial.contains("/usr/lib/libc.so") && serial.contains("starts with 69"), serial);
        for (int threads : new int[] {2, 3, 4}) {
            assertEquals(serial, describe(image, OPTIONS.withLayerThreads(threads)), threads + " threads");
            assertEquals(describe(image, OPTIONS.withScope(Scope.SQUASHED).withLayerThreads(1)),
                    describe(image, OPTIONS.withScope(Scope.SQUASHED).withLayerThreads(threads)));
        }
    }

    /**
     * Layers of tens of thousands of files, whose digests move to the spill file chunk by chunk: every file has its
     * own digests on one thread and on several, hardlinks in a later layer copy them out of spilled chunks, and a
     * file relocated through a symlinked directory keeps them.
     */
    @Test
    void digestsMovedToDiskReadBackAsTheFilesOwn() throws IOException {
        LayerBuilder big = new LayerBuilder().dir("data").dir("usr").dir("usr/lib").symlink("lib", "usr/lib");
        for (int d = 0; d < 40; d++) {
            big.dir("data/" + d);
            for (int f = 0; f < 1_000; f++) {
                big.file("data/" + d + "/" + f, "file " + d + "/" + f);
            }
        }
        LayerBuilder links = new LayerBuilder().dir("links");
        for (int i = 0; i < 20_000; i++) {
            int d = 39 - i / 1_000;
            int f = i % 1_000;
            links.hardlink("links/" + i, "data/" + d + "/" + f);
        }
        links.file("lib/moved", "through the link");
        Path image = image(List.of(big, links));
        String serial = describe(image, OPTIONS.withLayerThreads(1));
        assertEquals(serial, describe(image, OPTIONS.withLayerThreads(2)));
        try (Image img = ImageSources.open(image.toString(), SourceOptions.defaults());
             FileTree t = FileTreeBuilder.build(img, OPTIONS.withLayerThreads(2))) {
            for (int i = 0; i < 20_000; i += 17) {
                String content = "file " + (39 - i / 1_000) + "/" + (i % 1_000);
                assertEquals(sha256(content), t.entry("/links/" + i).orElseThrow().sha256(), "/links/" + i);
                assertEquals(sha256(content), t.entry("/data/" + (39 - i / 1_000) + "/" + (i % 1_000))
                        .orElseThrow().sha256());
            }
            assertEquals(sha256("through the link"), t.entry("/usr/lib/moved").orElseThrow().sha256());
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void limitsOverAllLayersFailAsTheSerialReaderFails() throws IOException {
        Path image = image(layers());
        // each layer alone is within these limits, the layers together are not
        for (TreeLimits limits : List.of(TreeLimits.DEFAULT.withMaxEntries(20),
                TreeLimits.DEFAULT.withMaxTotalBytes(12_000))) {
            String serial = failure(image, OPTIONS.withLimits(limits).withLayerThreads(1));
            assertTrue(serial.contains("raise with --max-"), serial);
            assertEquals(serial, failure(image, OPTIONS.withLimits(limits).withLayerThreads(3)));
        }
    }

    @Test
    void aBadLayerFailsAsTheSerialReaderFails() throws IOException {
        List<LayerBuilder> bad = new ArrayList<>(layers());
        bad.set(2, new LayerBuilder().file("ok", "ok").hardlink("broken", "nowhere"));
        Path image = image(bad);
        String serial = failure(image, OPTIONS.withLayerThreads(1));
        assertTrue(serial.contains("is a hardlink to 'nowhere', which is missing"), serial);
        assertEquals(serial, failure(image, OPTIONS.withLayerThreads(4)));
    }

    private Path image(List<LayerBuilder> layers) throws IOException {
        ImageBuilder b = new ImageBuilder();
        Compression[] c = Compression.values();
        for (int i = 0; i < layers.size(); i++) {
            b.layer(layers.get(i).build(c[i % c.length]));
        }
        return TreeTesting.layout(tmp, b.build());
    }

    private static String failure(Path image, TreeOptions options) {
        return assertThrows(ImageException.class, () -> describe(image, options)).getMessage();
    }

    /** Everything a tree holds, one line an entry, in the tree's order. */
    private static String describe(Path image, TreeOptions options) throws IOException {
        StringBuilder out = new StringBuilder();
        try (Image img = ImageSources.open(image.toString(), SourceOptions.defaults());
             FileTree t = FileTreeBuilder.build(img, options)) {
            for (FileEntry e : t.entries()) {
                line(out, t, e);
            }
            out.append("hidden:\n");
            for (FileEntry e : t.hiddenEntries()) {
                line(out, t, e);
            }
            t.layers().forEach(l -> out.append(l).append('\n'));
        }
        return out.toString();
    }

    private static void line(StringBuilder out, FileTree t, FileEntry e) throws IOException {
        out.append(e).append(' ').append(e.mode()).append(' ').append(e.size()).append(' ')
                .append(e.linkTarget()).append(' ').append(e.hardlink()).append(' ').append(e.sha256()).append(' ')
                .append(e.sha1());
        if (t.content(e).isPresent()) {
            out.append(" content ").append(HexFormat.of().formatHex(t.content(e).get().bytes()));
        }
        t.inspection(e, Object.class).ifPresent(i -> out.append(" inspected ").append(i));
        out.append('\n');
    }
}
