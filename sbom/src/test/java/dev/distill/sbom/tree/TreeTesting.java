package dev.distill.sbom.tree;

import dev.distill.oci.Compression;
import dev.distill.oci.Image;
import dev.distill.oci.ImageSources;
import dev.distill.oci.SourceOptions;
import dev.distill.oci.testing.ImageBuilder;
import dev.distill.oci.testing.ImageBuilder.BuiltImage;
import dev.distill.oci.testing.LayerBuilder;
import dev.distill.oci.testing.LayoutWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds images into a temp directory and reads them back as trees. */
final class TreeTesting {
    private TreeTesting() {
    }

    static Path layout(Path tmp, BuiltImage image) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "layout-");
        new LayoutWriter().add(image, "latest").writeDirectory(dir);
        return dir;
    }

    static FileTree tree(Path tmp, TreeOptions options, LayerBuilder... layers) throws IOException {
        ImageBuilder b = new ImageBuilder();
        Compression[] c = Compression.values();
        for (int i = 0; i < layers.length; i++) {
            b.layer(layers[i].build(c[i % c.length]));
        }
        return tree(layout(tmp, b.build()), options);
    }

    static FileTree tree(Path tmp, LayerBuilder... layers) throws IOException {
        return tree(tmp, TreeOptions.defaults(), layers);
    }

    static FileTree tree(Path ref, TreeOptions options) throws IOException {
        try (Image img = ImageSources.open(ref.toString(), SourceOptions.defaults())) {
            return FileTreeBuilder.build(img, options);
        }
    }
}
