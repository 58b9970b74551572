package dev.distill.sbom.tree;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.distill.oci.Image;
import dev.distill.oci.ImageException;
import dev.distill.oci.testing.MemoryStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The one reader of layer tar entries: any bytes as a layer (plain, gzip or zstd tar) become a file tree within
 * the limits, or fail with one {@link ImageException}; never another exception, never a path outside the root, an
 * unnormalised path or a spooled content file left behind. Content is captured for every path and spooled above
 * 64 bytes, so both capture paths run. Seeds are small real layers cut from the fixtures. A normal build replays
 * the seeds; {@code bench/fuzz sbom:LayerTreeFuzzTest} fuzzes it.
 */
class LayerTreeFuzzTest {
    private static final TreeLimits LIMITS = TreeLimits.DEFAULT.withMaxTotalBytes(1 << 20).withMaxEntries(10_000)
            .withMaxSymlinkHops(40);
    private static final TreeOptions OPTIONS = new TreeOptions(Scope.ALL_LAYERS, LIMITS, List.of("**"), 64, true);

    @FuzzTest(maxDuration = "60s")
    void buildsATreeOrSaysWhy(byte[] blob) throws IOException {
        List<Path> before = spooled();
        try (Image image = MemoryStore.oneLayerImage(blob);
             FileTree tree = FileTreeBuilder.build(image, OPTIONS)) {
            assertTrue(tree.entries().size() <= LIMITS.maxEntries());
            for (FileEntry e : tree.entries()) {
                String p = e.path();
                assertTrue(p.startsWith("/"), p);
                assertFalse(p.contains("//") || p.contains("/../") || p.endsWith("/..") || p.contains("/./")
                        || p.length() > 1 && p.endsWith("/"), p);
                if (e.isSymlink()) {
                    try {
                        tree.resolve(p);
                    } catch (ImageException loop) {
                        assertNotNull(loop.getMessage());
                    }
                }
                if (e.isFile()) {
                    tree.content(e).ifPresent(c -> assertTrue(c.size() == e.size(), p));
                }
            }
        } catch (ImageException e) {
            assertNotNull(e.getMessage());
        }
        List<Path> left = spooled();
        left.removeAll(before);
        assertTrue(left.isEmpty(), "spooled content left behind: " + left);
    }

    private static List<Path> spooled() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("distill-content-"))
                    .collect(Collectors.toCollection(ArrayList::new));
        }
    }
}
