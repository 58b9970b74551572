package dev.distill.oci.testing;

import dev.distill.oci.Digest;
import dev.distill.oci.MediaTypes;
import dev.distill.oci.Platform;
import dev.distill.oci.testing.ImageBuilder.BuiltImage;
import dev.distill.oci.testing.LayerBuilder.BuiltLayer;
import dev.distill.oci.wire.DescriptorTemplate;
import dev.distill.oci.wire.IndexTemplate;
import dev.distill.oci.wire.Json;
import dev.distill.oci.wire.PlatformTemplate;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Writes images as an OCI image layout, as a directory or as a tar of one (oci-archive). */
public final class LayoutWriter {
    private final Map<String, byte[]> blobs = new TreeMap<>();
    private final List<DescriptorTemplate> entries = new ArrayList<>();

    /** Adds an image; {@code tag} may be null. */
    public LayoutWriter add(BuiltImage image, String tag) {
        addBlobs(image);
        entries.add(new DescriptorTemplate(MediaTypes.OCI_MANIFEST, image.manifestDigest().toString(),
                (long) image.manifest().length, null, tag == null ? null : Map.of(REF_NAME, tag), null, null));
        return this;
    }

    /** Adds an image index over several platform images, tagged {@code tag}. Returns the index digest. */
    public Digest addIndex(List<BuiltImage> images, String tag) {
        List<DescriptorTemplate> manifests = new ArrayList<>();
        for (BuiltImage image : images) {
            addBlobs(image);
            manifests.add(new DescriptorTemplate(MediaTypes.OCI_MANIFEST, image.manifestDigest().toString(),
                    (long) image.manifest().length, null, null, platform(image.platform()), null));
        }
        byte[] index = Json.write(new IndexTemplate(2, MediaTypes.OCI_INDEX, manifests, null));
        Digest digest = Digest.sha256(index);
        blobs.put(digest.toString(), index);
        entries.add(new DescriptorTemplate(MediaTypes.OCI_INDEX, digest.toString(), (long) index.length, null,
                tag == null ? null : Map.of(REF_NAME, tag), null, null));
        return digest;
    }

    private static final String REF_NAME = "org.opencontainers.image.ref.name";

    private static PlatformTemplate platform(Platform p) {
        return new PlatformTemplate(p.architecture(), p.os(), null, null, p.variant());
    }

    private void addBlobs(BuiltImage image) {
        blobs.put(image.configDigest().toString(), image.config());
        blobs.put(image.manifestDigest().toString(), image.manifest());
        for (BuiltLayer l : image.layers()) {
            blobs.put(l.digest().toString(), l.blob());
        }
    }

    /** The files of the layout, by relative path, in a stable order. */
    public Map<String, byte[]> files() {
        Map<String, byte[]> files = new TreeMap<>();
        files.put("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        files.put("index.json", Json.write(new IndexTemplate(2, MediaTypes.OCI_INDEX, entries, null)));
        for (Map.Entry<String, byte[]> b : blobs.entrySet()) {
            Digest d = Digest.parse(b.getKey());
            files.put("blobs/" + d.algorithm() + "/" + d.hex(), b.getValue());
        }
        return files;
    }

    public void writeDirectory(Path dir) throws IOException {
        for (Map.Entry<String, byte[]> f : files().entrySet()) {
            Path p = dir.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
        }
    }

    public void writeArchive(Path file) throws IOException {
        writeTar(file, files());
    }

    /** Writes {@code files} as a tar with fixed metadata (directories implied by the names are written too). */
    public static void writeTar(Path file, Map<String, byte[]> files) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(file);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(out, "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            java.util.Set<String> dirs = new java.util.HashSet<>();
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                String name = f.getKey();
                for (int i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
                    String d = name.substring(0, i + 1);
                    if (dirs.add(d)) {
                        TarArchiveEntry e = new TarArchiveEntry(d);
                        e.setModTime(LayerBuilder.EPOCH_SECONDS * 1000);
                        e.setMode(040755);
                        tar.putArchiveEntry(e);
                        tar.closeArchiveEntry();
                    }
                }
                TarArchiveEntry e = new TarArchiveEntry(name);
                e.setModTime(LayerBuilder.EPOCH_SECONDS * 1000);
                e.setMode(0100644);
                e.setSize(f.getValue().length);
                tar.putArchiveEntry(e);
                tar.write(f.getValue());
                tar.closeArchiveEntry();
            }
        }
    }
}
