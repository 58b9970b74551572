package dev.distill.sbom.catalog;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.Compression;
import dev.distill.oci.Image;
import dev.distill.oci.testing.LayerBuilder;
import dev.distill.oci.testing.MemoryStore;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.tree.FileTree;
import dev.distill.sbom.tree.FileTreeBuilder;
import dev.distill.sbom.tree.TreeOptions;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs one cataloger over a one-layer image holding fuzzed files, the way {@code SbomGenerator} does, and checks
 * what every cataloger promises: a parse failure becomes an unknown, never an exception, and every package and
 * relationship is well formed.
 */
public final class CatalogFuzzing {
    private CatalogFuzzing() {
    }

    /** Catalogs {@code files} (image path to content) with {@code cataloger}; at most {@code maxPackages} found. */
    public static CatalogContext catalog(Cataloger cataloger, Map<String, byte[]> files, int maxPackages)
            throws IOException {
        LayerBuilder layer = new LayerBuilder();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            layer.file(f.getKey().substring(1), f.getValue(), 0644);
        }
        byte[] tar = layer.build(Compression.NONE).blob();
        TreeOptions options = TreeOptions.defaults().withCaptureGlobs(cataloger.globs());
        try (Image image = MemoryStore.oneLayerImage(tar);
             FileTree tree = FileTreeBuilder.build(image, options)) {
            CatalogContext ctx = new CatalogContext(tree, List.of());
            cataloger.catalog(ctx);
            check(ctx, maxPackages);
            return ctx;
        }
    }

    private static void check(CatalogContext ctx, int maxPackages) {
        assertTrue(ctx.packages().size() <= maxPackages, ctx.packages().size() + " packages");
        Set<String> ids = new HashSet<>();
        for (Package p : ctx.packages()) {
            assertNotNull(p.id());
            assertFalse(p.name() == null || p.name().isBlank(), "a package without a name: " + p);
            assertFalse(p.version() == null || p.version().isBlank(), "a package without a version: " + p);
            ids.add(p.id());
        }
        for (Relationship r : ctx.relationships()) {
            assertTrue(ids.contains(r.from()) && ids.contains(r.to()), "a relationship to nowhere: " + r);
        }
        ctx.unknowns().forEach(u -> assertNotNull(u.message()));
    }
}
