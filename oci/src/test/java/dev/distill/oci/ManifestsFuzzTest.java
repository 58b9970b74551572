package dev.distill.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.distill.oci.layout.OciLayoutReader;
import dev.distill.oci.testing.Fixtures;
import dev.distill.oci.testing.MemoryStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Any bytes read as an OCI layout's {@code index.json}, an image index, an image manifest or an image config
 * become an image or fail with one {@link ImageException}: never another exception, never a loop. The store also
 * holds the multi-platform fixture's blobs, so that a mutated manifest that keeps a real config digest gets as far
 * as assembling the image. Seeds are that fixture's index, manifests and configs. A normal build replays the
 * seeds; {@code bench/fuzz oci:ManifestsFuzzTest} fuzzes it.
 */
class ManifestsFuzzTest {
    private static final MemoryStore FIXTURE = load(Fixtures.path("multi-platform"));
    private static final SourceOptions EXPLICIT = new SourceOptions(new Platform("linux", "arm64", "v8"), true);

    @FuzzTest(maxDuration = "60s")
    void resolvesOrSaysWhy(byte[] json) throws IOException {
        MemoryStore store = FIXTURE.copy();
        Digest digest = store.putBlob(json);
        for (String mediaType : List.of(MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST)) {
            Descriptor d = new Descriptor(mediaType, digest, json.length, null, null);
            for (SourceOptions options : List.of(SourceOptions.defaults(), EXPLICIT)) {
                try {
                    check(Manifests.resolve(store, d, "fuzz", SourceKind.OCI_LAYOUT, List.of(), options));
                } catch (ImageException e) {
                    assertNotNull(e.getMessage());
                }
            }
        }
        Descriptor config = new Descriptor(MediaTypes.OCI_CONFIG, digest, json.length, null, null);
        try {
            check(Manifests.assemble("fuzz", SourceKind.OCI_LAYOUT, store, null, null, config, json, List.of(),
                    List.of(), List.of(), EXPLICIT));
        } catch (ImageException e) {
            assertNotNull(e.getMessage());
        }
        MemoryStore layout = store.copy().put("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes())
                .put("index.json", json);
        for (String selector : new String[] {null, ":latest", "@" + digest}) {
            try {
                check(OciLayoutReader.read(layout, selector, "fuzz", SourceKind.OCI_LAYOUT, SourceOptions.defaults()));
            } catch (ImageException e) {
                assertNotNull(e.getMessage());
            }
        }
    }

    private static void check(Image image) {
        assertNotNull(image.config());
        assertEquals(image.config().diffIds().size(), image.layers().size());
        assertTrue(image.layers().stream().allMatch(l -> l.diffId() != null));
    }

    private static MemoryStore load(Path layout) {
        MemoryStore store = new MemoryStore("memory:fuzz");
        try (Stream<Path> blobs = Files.list(layout.resolve("blobs/sha256"))) {
            for (Path b : blobs.toList()) {
                store.putBlob(Files.readAllBytes(b));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return store;
    }
}
