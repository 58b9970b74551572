package dev.distill.sbom.tree;

import static dev.distill.oci.testing.RawTar.concat;
import static dev.distill.oci.testing.RawTar.pax;
import static dev.distill.oci.testing.RawTar.record;
import static dev.distill.sbom.tree.TreeTesting.tree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.Compression;
import dev.distill.oci.Digest;
import dev.distill.oci.Image;
import dev.distill.oci.ImageException;
import dev.distill.oci.ImageSources;
import dev.distill.oci.LimitExceededException;
import dev.distill.oci.MediaTypes;
import dev.distill.oci.SourceOptions;
import dev.distill.oci.testing.ImageBuilder;
import dev.distill.oci.testing.LayerBuilder;
import dev.distill.oci.testing.LayerBuilder.BuiltLayer;
import dev.distill.oci.testing.LayoutWriter;
import dev.distill.sbom.SbomGenerator;
import dev.distill.sbom.SbomOptions;
import dev.distill.sbom.SbomTesting;
import dev.distill.sbom.model.Sbom;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Symlink mazes generated here rather than downloaded: chains of 1,000 hops, rings of 1,000 links, loops that
 * entries are placed through, and a target a megabyte long. Each ends in a clear {@link ImageException} or a
 * correct tree, within a bounded time and heap, and nothing is written outside the test's temp dir. The image
 * level cases (layer counts, huge manifests, nested JSON, index chains, zstd windows) are oci's
 * {@code HostileImagesTest}; the short loops and the 45-hop chain are in {@link FileTreeBuilderTest}.
 *
 * <p>Meant to pass with a small heap as well as in the normal build; to check the bound, run it alone as
 * {@code mvn -o test -pl sbom -Dtest=HostileTreesTest -Ddistill.testHeap=-Xmx256m}; {@code ./run-tests} does so for
 * every {@code Hostile*Test} after the normal build.
 */
class HostileTreesTest {
    @TempDir
    Path tmp;

    private static void assertLoop(ImageException e) {
        assertTrue(e.getMessage().contains("too many levels of symbolic links"), e.getMessage());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aChainOfAThousandHopsStopsAtTheLimitOrResolvesUnderALargerOne() throws IOException {
        LayerBuilder chain = new LayerBuilder().dir("end").file("end/file", "e");
        for (int i = 0; i < 1000; i++) {
            chain.symlink("l" + i, i == 0 ? "end" : "/l" + (i - 1));
        }
        try (FileTree t = tree(tmp, chain)) {
            for (int i = 0; i < 1000; i++) {
                String p = "/l" + i + "/file";
                if (i < 40) {
                    assertEquals("/end/file", t.resolve(p).orElseThrow().path());
                } else {
                    assertLoop(assertThrows(ImageException.class, () -> t.resolve(p)));
                }
            }
        }
        try (FileTree t = tree(tmp, TreeOptions.defaults().withLimits(TreeLimits.DEFAULT.withMaxSymlinkHops(1001)),
                chain)) {
            assertEquals("/end/file", t.resolve("/l999/file").orElseThrow().path());
        }
        // An entry placed below the chain's far end is refused, naming the layer and the loop.
        LayerBuilder below = new LayerBuilder().file("l999/planted", "p");
        ImageException e = assertThrows(ImageException.class, () -> tree(tmp, chain, below).close());
        assertLoop(e);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void ringsAndSelfLoopsAreDetectedEverywhere() throws IOException {
        LayerBuilder ring = new LayerBuilder().symlink("self", "self").symlink("dir", "dir/sub")
                .symlink("up", "../up/x");
        for (int i = 0; i < 1000; i++) {
            ring.symlink("r" + i, "r" + ((i + 1) % 1000));
        }
        try (FileTree t = tree(tmp, ring)) {
            for (int i = 0; i < 1000; i++) {
                String p = "/r" + i;
                assertLoop(assertThrows(ImageException.class, () -> t.resolve(p)));
            }
            for (String p : new String[] {"/self", "/self/x", "/dir/x", "/up"}) {
                assertLoop(assertThrows(ImageException.class, () -> t.resolve(p)));
            }
            assertEquals(1003, t.entries().stream().filter(FileEntry::isSymlink).count());
        }
        for (String planted : new String[] {"self/x", "dir/x", "r500/x"}) {
            ImageException e = assertThrows(ImageException.class,
                    () -> tree(tmp, ring, new LayerBuilder().file(planted, "p")).close());
            assertLoop(e);
        }
    }

    /**
     * Linux refuses symlink targets of PATH_MAX (4096) bytes or more. A target of a megabyte (half a million
     * {@code a/} elements, carried in a PAX {@code linkpath} record) made resolving quadratic in its length: it is
     * refused like a path over the limit, naming the link. (Before, one resolve of it took 20 s.)
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aMegabyteLongSymlinkTargetIsRefused() throws IOException {
        Path dir = layoutOf(tmp.resolve("long-link"), paxSymlinkLayer("long", "a/".repeat(500_000) + "x"));
        LimitExceededException e = assertThrows(LimitExceededException.class,
                () -> tree(dir, TreeOptions.defaults()).close());
        assertTrue(e.getMessage().contains("symlink '/long' has a target of 1000001 characters, over the limit of "
                + "4096 (raise with --max-path-length)"), e.getMessage());
    }

    /**
     * A tar of one symlink whose target is in a PAX header, written by hand: commons-compress's writer takes
     * minutes to squeeze a megabyte-long name into the 100-byte ustar field first.
     */
    private static byte[] paxSymlinkLayer(String name, String target) {
        return concat(record("PaxHeaders/" + name, 'x', pax("linkpath", target)), record(name, '2', "", "see-pax"),
                new byte[1024]);
    }

    /** An image of one uncompressed layer, as an OCI layout under {@code dir}. */
    private static Path layoutOf(Path dir, byte[] tar) throws IOException {
        BuiltLayer layer = new BuiltLayer(tar, Digest.sha256(tar), Digest.sha256(tar), MediaTypes.OCI_LAYER, tar);
        new LayoutWriter().add(new ImageBuilder().layer(layer).build(), "latest").writeDirectory(dir);
        return dir;
    }

    /** A layer of one sparse file (GNU's pax format 0.1): four bytes of data, then holes up to {@code size}. */
    private static byte[] sparseLayer(long size) {
        String map = pax("GNU.sparse.size", Long.toString(size)) + pax("GNU.sparse.map", "0,4")
                + pax("GNU.sparse.name", "big");
        return concat(record("PaxHeaders/big", 'x', map), record("GNUSparseFile.0/big", '0', "data"),
                new byte[1024]);
    }

    /**
     * A sparse file's holes are read, and hashed, as zeros: three blocks of tar can declare a file of gigabytes. Its
     * size counts against {@code --max-total-bytes} like decompressed bytes. (Before, nothing but the 16 GiB
     * {@code --max-file-size} bounded it.) A small one reads as its data and zeros.
     */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aSparseFilesHolesCountAgainstTheTotalBytes() throws IOException {
        Path dir = layoutOf(tmp.resolve("sparse-big"), sparseLayer(8L << 30));
        TreeOptions options = TreeOptions.defaults().withLimits(TreeLimits.DEFAULT.withMaxTotalBytes(1L << 30));
        LimitExceededException e = assertThrows(LimitExceededException.class, () -> tree(dir, options).close());
        assertTrue(e.getMessage().contains("(raise with --max-total-bytes)"), e.getMessage());

        Path small = layoutOf(tmp.resolve("sparse-small"), sparseLayer(1 << 20));
        try (FileTree t = tree(small, options.withDigestFiles(true))) {
            FileEntry big = t.entry("/big").orElseThrow();
            assertEquals(1 << 20, big.size());
            byte[] content = new byte[1 << 20];
            System.arraycopy("data".getBytes(StandardCharsets.US_ASCII), 0, content, 0, 4);
            assertEquals(Digest.sha256(content).hex(), big.sha256());
        }
    }

    /**
     * A whole SBOM over a root filesystem shaped like Debian's worst (node-* documentation links pointing at each
     * other, absolute alternatives, a ring where the os-release file should be): it completes, and the links never
     * reach the host.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anSbomOverLinkMazesCompletes() throws IOException {
        LayerBuilder l = new LayerBuilder().dir("etc").symlink("etc/os-release", "../usr/lib/os-release")
                .dir("usr").dir("usr/lib").symlink("usr/lib/os-release", "/etc/os-release")
                .dir("usr/share").dir("usr/share/doc").dir("etc/alternatives")
                .symlink("etc/alternatives/java", "/etc/alternatives/java")
                .dir("usr/lib/node_modules");
        for (int i = 0; i < 200; i++) {
            l.dir("usr/share/doc/node-" + i).symlink("usr/share/doc/node-" + i + "/dep", "../node-" + ((i + 1) % 200))
                    .symlink("usr/lib/node_modules/m" + i, "m" + ((i + 1) % 200));
        }
        Path dir = tmp.resolve("maze");
        new LayoutWriter().add(new ImageBuilder().layer(l.build(Compression.GZIP)).build(), "latest")
                .writeDirectory(dir);
        try (Image img = ImageSources.open(dir.toString(), SourceOptions.defaults())) {
            Sbom sbom = SbomGenerator.generate(img, SbomOptions.defaults(SbomTesting.TOOL)
                    .withClock(SbomTesting.CLOCK));
            assertTrue(sbom.packages().isEmpty(), sbom.packages().toString());
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(1, s.count(), "only the layout was written");
        }
    }
}
