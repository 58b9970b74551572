package dev.distill.oci.testing;

import dev.distill.oci.testing.ImageBuilder.BuiltImage;
import dev.distill.oci.testing.LayerBuilder.BuiltLayer;
import dev.distill.oci.wire.DockerArchiveManifestTemplate;
import dev.distill.oci.wire.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes images the way {@code docker save} did before Docker 25: {@code <id>/layer.tar} (uncompressed),
 * {@code <config hex>.json}, {@code manifest.json} and {@code repositories}.
 */
public final class DockerArchiveWriter {
    private DockerArchiveWriter() {
    }

    public static Map<String, byte[]> files(BuiltImage image, String repoTag) {
        Map<String, byte[]> files = new TreeMap<>();
        String configName = image.configDigest().hex() + ".json";
        files.put(configName, image.config());
        List<String> layerPaths = new ArrayList<>();
        for (BuiltLayer l : image.layers()) {
            String path = l.diffId().hex() + "/layer.tar";
            files.put(path, l.uncompressed());
            files.put(l.diffId().hex() + "/VERSION", "1.0".getBytes(StandardCharsets.UTF_8));
            layerPaths.add(path);
        }
        files.put("manifest.json", Json.write(List.of(new DockerArchiveManifestTemplate(configName,
                repoTag == null ? null : List.of(repoTag), layerPaths))));
        if (repoTag != null) {
            int colon = repoTag.lastIndexOf(':');
            String top = image.layers().isEmpty() ? "" : image.layers().get(image.layers().size() - 1).diffId().hex();
            files.put("repositories", ("{\"" + repoTag.substring(0, colon) + "\":{\"" + repoTag.substring(colon + 1)
                    + "\":\"" + top + "\"}}").getBytes(StandardCharsets.UTF_8));
        }
        return files;
    }

    public static void write(Path file, BuiltImage image, String repoTag) throws IOException {
        LayoutWriter.writeTar(file, files(image, repoTag));
    }
}
