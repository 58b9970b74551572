package dev.distill.sbom.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.distill.oci.testing.Fixtures;
import dev.distill.oci.testing.LayoutWriter;
import dev.distill.oci.testing.RandomImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our tree must be the filesystem real unpackers produce: each image is converted to gzip layers by skopeo
 * (Debian's umoci 0.4.7 cannot read zstd) and unpacked by umoci, and every entry's path, type, mode, owner, size
 * and symlink target is compared with ours. Needs Debian's skopeo and umoci (installed by ./run-tests).
 */
class UnpackerAgreementTest {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    @TempDir
    Path tmp;

    @BeforeAll
    static void toolsArePresent() {
        for (String tool : List.of("skopeo", "umoci")) {
            if (!Files.isExecutable(Path.of("/usr/bin", tool))) {
                fail(tool + " is not installed; run ./run-tests, which installs Debian's skopeo and umoci");
            }
        }
    }

    @Test
    void layeredFixtureMatchesUmoci() throws Exception {
        Path layout = Fixtures.path("layered");
        Map<String, String> ours = describe(TreeTesting.tree(layout, TreeOptions.defaults()));
        Map<String, String> theirs = unpackWithUmoci(layout);
        assertSame(theirs, ours, "fixtures/layered");
        // The fixture really exercises what it is meant to.
        assertTrue(ours.containsKey("/usr/lib/distill/through-symlink"));
        assertTrue(!ours.containsKey("/etc/motd") && !ours.containsKey("/etc/update-motd.d"));
        assertTrue(ours.containsKey("/usr/share/doc/netbase/README.distill")
                && !ours.containsKey("/usr/share/doc/netbase/copyright"));
    }

    @Test
    void randomImagesMatchUmoci() throws Exception {
        for (long seed = 1; seed <= 12; seed++) {
            Path layout = tmp.resolve("random-" + seed);
            new LayoutWriter().add(RandomImages.generate(seed, 4), "latest").writeDirectory(layout);
            Map<String, String> ours = describe(TreeTesting.tree(layout, TreeOptions.defaults()));
            assertSame(unpackWithUmoci(layout), ours, "random image, seed " + seed);
        }
    }

    private Map<String, String> unpackWithUmoci(Path layout) throws Exception {
        Path gz = Files.createTempDirectory(tmp, "gz-");
        Path bundle = tmp.resolve("bundle-" + gz.getFileName());
        run("skopeo", "copy", "--quiet", "--dest-compress", "--dest-compress-format", "gzip",
                "oci:" + layout + ":latest", "oci:" + gz + ":latest");
        List<String> unpack = new ArrayList<>(List.of("umoci", "unpack"));
        if (!ROOT) {
            unpack.add("--rootless");
        }
        unpack.addAll(List.of("--image", gz + ":latest", bundle.toString()));
        run(unpack.toArray(String[]::new));
        return describe(TreeTesting.tree(Path.of("dir:" + bundle.resolve("rootfs")), TreeOptions.defaults()));
    }

    private void run(String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile(tmp, "cmd-", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                fail(String.join(" ", command) + " did not finish in 60 s");
            }
            if (p.exitValue() != 0) {
                fail(String.join(" ", command) + " failed: " + Files.readString(log));
            }
        } finally {
            p.destroyForcibly();
        }
    }

    private static Map<String, String> describe(FileTree tree) {
        Map<String, String> out = new TreeMap<>();
        try (tree) {
            for (FileEntry e : tree.entries()) {
                if (e.path().equals("/")) {
                    continue;
                }
                out.put(e.path(), e.type() + " " + Integer.toOctalString(e.mode())
                        + (ROOT ? " " + e.uid() + ":" + e.gid() : "")
                        + (e.isFile() ? " size=" + e.size() : "")
                        + (e.isSymlink() ? " -> " + e.linkTarget() : ""));
            }
        }
        return out;
    }

    private static void assertSame(Map<String, String> expected, Map<String, String> actual, String what) {
        List<String> diffs = new ArrayList<>();
        for (String path : new java.util.TreeSet<>(union(expected, actual))) {
            if (!java.util.Objects.equals(expected.get(path), actual.get(path))) {
                diffs.add(path + ": umoci " + expected.get(path) + " / distill " + actual.get(path));
            }
        }
        assertEquals(List.of(), diffs.subList(0, Math.min(20, diffs.size())), what + " differs from umoci");
        assertTrue(actual.size() > 3, what + " is not trivially empty");
    }

    private static List<String> union(Map<String, String> a, Map<String, String> b) {
        List<String> all = new ArrayList<>(a.keySet());
        all.addAll(b.keySet());
        return all;
    }
}
