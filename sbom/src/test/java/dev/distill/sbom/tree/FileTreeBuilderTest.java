package dev.distill.sbom.tree;

import static dev.distill.sbom.tree.TreeTesting.tree;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.ImageException;
import dev.distill.oci.LimitExceededException;
import dev.distill.oci.testing.LayerBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreeBuilderTest {
    @TempDir
    Path tmp;

    private static List<String> paths(FileTree t) {
        return t.entries().stream().map(FileEntry::path).toList();
    }

    @Test
    void whiteoutsAndOpaqueDirectoriesDeleteOnlyLowerLayers() throws IOException {
        LayerBuilder l1 = new LayerBuilder().dir("a").file("a/x", "x").file("a/y", "y").dir("b").file("b/z", "z")
                .dir("b/sub").file("b/sub/deep", "d").file("c", "c").dir("d").file("d/e", "e");
        LayerBuilder l2 = new LayerBuilder().dir("a").whiteout("a/x").dir("b").file("b/new", "written before marker")
                .opaque("b").whiteout("c").whiteout("d");
        try (FileTree t = tree(tmp, l1, l2)) {
            assertEquals(List.of("/a", "/a/y", "/b", "/b/new"), paths(t));
            assertEquals(1, t.entry("/b/new").orElseThrow().layer());
            assertEquals(t.layers().get(1).digest(), t.layerOf(t.entry("/b/new").orElseThrow()).orElseThrow().digest());
            assertEquals(0, t.entry("/a/y").orElseThrow().layer());
        }
    }

    @Test
    void allLayersScopeKeepsWhatUpperLayersHid() throws IOException {
        LayerBuilder l1 = new LayerBuilder().dir("etc").file("etc/motd", "old").file("etc/issue", "old");
        LayerBuilder l2 = new LayerBuilder().dir("etc").whiteout("etc/motd").file("etc/issue", "new");
        try (FileTree t = tree(tmp, TreeOptions.defaults().withScope(Scope.ALL_LAYERS), l1, l2)) {
            assertEquals(List.of("/etc", "/etc/issue"), paths(t));
            assertEquals(List.of("/etc/motd@0", "/etc/issue@0"),
                    t.hiddenEntries().stream().map(e -> e.path() + "@" + e.layer()).toList());
            assertEquals(2, t.find(List.of("/etc/issue")).size());
        }
        try (FileTree t = tree(tmp, l1, l2)) {
            assertTrue(t.hiddenEntries().isEmpty());
        }
    }

    @Test
    void aNonDirectoryReplacesADirectoryAndItsChildren() throws IOException {
        LayerBuilder l1 = new LayerBuilder().dir("opt", 0700).dir("opt/app").file("opt/app/bin", "b").dir("keep")
                .file("keep/f", "f");
        LayerBuilder l2 = new LayerBuilder().dir("opt", 0755).symlink("opt/app", "/usr").dir("keep", 0711);
        try (FileTree t = tree(tmp, l1, l2)) {
            assertEquals(List.of("/keep", "/keep/f", "/opt", "/opt/app"), paths(t));
            assertEquals(0711, t.entry("/keep").orElseThrow().mode());
            assertEquals(0755, t.entry("/opt").orElseThrow().mode());
            assertTrue(t.entry("/opt/app").orElseThrow().isSymlink());
        }
    }

    @Test
    void hardlinksShareTheTargetsMetadataAndContent() throws IOException {
        LayerBuilder l1 = new LayerBuilder().dir("bin").file("bin/busybox", "ELF...", 04755, 0, 0)
                .hardlink("bin/sh", "bin/busybox").hardlink("bin/ls", "./bin/sh");
        TreeOptions capture = TreeOptions.defaults().withCaptureGlobs(List.of("/bin/ls"));
        try (FileTree t = tree(tmp, capture, l1)) {
            FileEntry ls = t.entry("/bin/ls").orElseThrow();
            assertTrue(ls.isFile() && ls.hardlink());
            assertEquals("/bin/busybox", ls.linkTarget());
            assertEquals(04755, ls.mode());
            assertEquals(6, ls.size());
            assertTrue(t.content(ls).isEmpty(), "the target was not captured, so neither is the link");
        }
        TreeOptions both = TreeOptions.defaults().withCaptureGlobs(List.of("/bin/*"));
        try (FileTree t = tree(tmp, both, l1)) {
            assertArrayEquals("ELF...".getBytes(StandardCharsets.UTF_8),
                    t.content(t.entry("/bin/sh").orElseThrow()).orElseThrow().bytes());
        }
    }

    @Test
    void hostileEntryNamesAreRefused() {
        String escape = message(new LayerBuilder().file("../evil", "x"));
        assertTrue(escape.contains("'../evil' escapes the image root"), escape);
        String deep = message(new LayerBuilder().dir("a").file("a/../../evil", "x"));
        assertTrue(deep.contains("escapes the image root"), deep);
        String absolute = message(new LayerBuilder().file("/etc/passwd", "x"));
        assertTrue(absolute.contains("'/etc/passwd' has an absolute name"), absolute);
        String missing = message(new LayerBuilder().hardlink("a", "nowhere"));
        assertTrue(missing.contains("hardlink to 'nowhere', which is missing"), missing);
        String outside = message(new LayerBuilder().hardlink("a", "../../etc/passwd"));
        assertTrue(outside.contains("escapes the image root"), outside);
        String toDir = message(new LayerBuilder().dir("d").hardlink("a", "d"));
        assertTrue(toDir.contains("not a regular file"), toDir);
        assertNothingEscaped();
    }

    private String message(LayerBuilder layer) {
        ImageException e = assertThrows(ImageException.class, () -> tree(tmp, layer).close());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().contains("layer 1 (sha256:"), e.getMessage());
        return e.getMessage();
    }

    private void assertNothingEscaped() {
        assertFalse(Files.exists(tmp.getParent().resolve("evil")));
        assertFalse(Files.exists(tmp.resolve("evil")));
    }

    @Test
    void namesAreNormalised() throws IOException {
        try (FileTree t = tree(tmp, new LayerBuilder().dir("./etc").file("./etc//hosts", "h")
                .file("etc/./sub/../resolv.conf", "r"))) {
            assertEquals(List.of("/etc", "/etc/hosts", "/etc/resolv.conf"), paths(t));
        }
    }

    @Test
    void symlinksResolveInsideTheRoot() throws IOException {
        Path hostSecret = Files.writeString(tmp.resolve("secret"), "host file");
        LayerBuilder l1 = new LayerBuilder().dir("etc").file("etc/target", "t")
                .symlink("etc/up", "../../../../../../" + hostSecret)
                .symlink("etc/abs", "/etc/target").symlink("etc/rel", "./target")
                .symlink("etc/host", hostSecret.toString()).symlink("etc/dotdot", "../../../etc/target");
        try (FileTree t = tree(tmp, l1)) {
            assertEquals("/etc/target", t.resolve("/etc/abs").orElseThrow().path());
            assertEquals("/etc/target", t.resolve("/etc/rel").orElseThrow().path());
            assertEquals("/etc/target", t.resolve("/etc/dotdot").orElseThrow().path());
            assertEquals(hostSecret.toString(), t.realPath("/etc/host"));
            assertTrue(t.resolve("/etc/host").isEmpty(), "an absolute link never reaches the host");
            assertTrue(t.resolve("/etc/up").isEmpty(), "'..' stops at the image root");
            assertEquals(hostSecret.toString(), t.realPath("/etc/up"));
            assertTrue(t.entry("/etc/abs").orElseThrow().isSymlink());
        }
    }

    @Test
    void symlinkLoopsAndLongChainsAreDetected() throws IOException {
        LayerBuilder l1 = new LayerBuilder().symlink("loop-a", "loop-b").symlink("loop-b", "/loop-a")
                .file("end", "e").symlink("self", "self");
        for (int i = 0; i < 45; i++) {
            l1.symlink("chain" + i, i == 0 ? "end" : "chain" + (i - 1));
        }
        try (FileTree t = tree(tmp, l1)) {
            ImageException loop = assertThrows(ImageException.class, () -> t.resolve("/loop-a"));
            assertTrue(loop.getMessage().contains("too many levels of symbolic links resolving '/loop-a'"));
            assertThrows(ImageException.class, () -> t.resolve("/self/x"));
            assertEquals("/end", t.resolve("/chain39").orElseThrow().path());
            assertThrows(ImageException.class, () -> t.resolve("/chain40"));
        }
        try (FileTree t = tree(tmp, TreeOptions.defaults().withLimits(TreeLimits.DEFAULT.withMaxSymlinkHops(100)),
                l1)) {
            assertEquals("/end", t.resolve("/chain44").orElseThrow().path());
        }
    }

    @Test
    void entriesBelowASymlinkedDirectoryLandWhereItPoints() throws IOException {
        Path outside = tmp.resolve("outside");
        LayerBuilder l1 = new LayerBuilder().dir("usr").dir("usr/lib").symlink("lib", "usr/lib")
                .symlink("abs", "/usr/lib").symlink("escape", "../../../../.." + outside);
        LayerBuilder l2 = new LayerBuilder().file("lib/libc.so", "c").file("abs/libm.so", "m")
                .file("escape/pwned", "p").dir("lib/sub").file("lib/sub/x", "x");
        try (FileTree t = tree(tmp, l1, l2)) {
            assertEquals(Stream.of("/abs", "/escape", "/lib", "/usr", "/usr/lib", "/usr/lib/libc.so",
                    "/usr/lib/libm.so", "/usr/lib/sub", "/usr/lib/sub/x", outside + "/pwned").sorted().toList(),
                    paths(t));
        }
        assertFalse(Files.exists(outside), "nothing is ever written to the host");
    }

    @Test
    void limitsStopHostileImages() {
        LayerBuilder many = new LayerBuilder();
        for (int i = 0; i < 10; i++) {
            many.file("f" + i, "x");
        }
        assertLimit(many, TreeLimits.DEFAULT.withMaxEntries(5), "more than 5 entries (raise with --max-entries)");
        assertLimit(new LayerBuilder().file("a".repeat(300), "x"), TreeLimits.DEFAULT.withMaxPathLength(200),
                "over the limit of 200 (raise with --max-path-length)");
        assertLimit(new LayerBuilder().file("big", new byte[5000], 0644), TreeLimits.DEFAULT.withMaxFileSize(4096),
                "over the limit of 4096 (raise with --max-file-size)");
        // 8 MiB of zeros gzip to a few KiB: a small bomb, stopped at 1 MiB.
        assertLimit(new LayerBuilder().file("zeros", new byte[8 << 20], 0644),
                TreeLimits.DEFAULT.withMaxTotalBytes(1 << 20), "raise with --max-total-bytes");
    }

    private void assertLimit(LayerBuilder layer, TreeLimits limits, String expected) {
        LimitExceededException e = assertThrows(LimitExceededException.class,
                () -> tree(tmp, TreeOptions.defaults().withLimits(limits), layer).close());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void capturesOnlyWhatIsAskedAndSpoolsLargeContent() throws IOException {
        byte[] big = new byte[200_000];
        big[123] = 7;
        LayerBuilder l1 = new LayerBuilder().dir("var").file("var/small", "old").file("var/big", big, 0644)
                .file("var/other", "not captured");
        LayerBuilder l2 = new LayerBuilder().dir("var").file("var/small", "new");
        TreeOptions opts = TreeOptions.defaults().withCaptureGlobs(List.of("/var/{small,big}"))
                .withSpoolThreshold(64 << 10);
        Path spoolDir = Path.of(System.getProperty("java.io.tmpdir"));
        FileTree t = tree(tmp, opts, l1, l2);
        try (t) {
            assertEquals("new", new String(t.content(t.entry("/var/small").orElseThrow()).orElseThrow().bytes(),
                    StandardCharsets.UTF_8));
            FileContent bigContent = t.content(t.entry("/var/big").orElseThrow()).orElseThrow();
            assertArrayEquals(big, bigContent.bytes());
            assertEquals(1, spooled(spoolDir));
            assertTrue(t.content(t.entry("/var/other").orElseThrow()).isEmpty());
        }
        assertEquals(0, spooled(spoolDir), "spooled contents are deleted on close");
    }

    private static long spooled(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("distill-content-")).count();
        }
    }

    @Test
    void summarisesEachLayer() throws IOException {
        try (FileTree t = tree(tmp, new LayerBuilder().dir("a").file("a/b", "b"),
                new LayerBuilder().whiteout("a"))) {
            assertEquals(2, t.layers().size());
            assertEquals(2, t.layers().get(0).entries());
            assertEquals(1, t.layers().get(1).entries());
            assertTrue(t.layers().get(0).uncompressedSize() >= 2048);
            assertTrue(t.entries().isEmpty());
        }
    }

    @Test
    void readsARootFilesystemDirectoryWithoutFollowingLinks() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("rootfs"));
        Files.createDirectories(root.resolve("etc"));
        Files.writeString(root.resolve("etc/os-release"), "ID=test\n");
        Files.createLink(root.resolve("etc/os-release.hardlink"), root.resolve("etc/os-release"));
        Files.createSymbolicLink(root.resolve("etc/host-passwd"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(root.resolve("host"), Path.of("/"));
        TreeOptions opts = TreeOptions.defaults().withCaptureGlobs(List.of("/etc/*"));
        try (var img = dev.distill.oci.ImageSources.open("dir:" + root, dev.distill.oci.SourceOptions.defaults());
             FileTree t = FileTreeBuilder.build(img, opts)) {
            assertEquals(List.of("/etc", "/etc/host-passwd", "/etc/os-release", "/etc/os-release.hardlink", "/host"),
                    paths(t));
            FileEntry hl = t.entry("/etc/os-release.hardlink").orElseThrow();
            assertTrue(hl.hardlink());
            assertEquals("/etc/os-release", hl.linkTarget());
            assertTrue(t.resolve("/etc/host-passwd").isEmpty(), "the host's /etc/passwd is not in the image");
            assertTrue(t.content(t.entry("/etc/host-passwd").orElseThrow()).isEmpty());
            assertEquals("ID=test\n", new String(t.content(t.entry("/etc/os-release").orElseThrow()).orElseThrow()
                    .bytes(), StandardCharsets.UTF_8));
            assertTrue(t.layers().isEmpty());
        }
    }

    @Test
    void digestsEveryFileAndKeepsEarlierVersionsOfCapturedOnes() throws IOException {
        LayerBuilder l1 = new LayerBuilder().dir("db").file("db/status", "v1").file("bin", "binary")
                .hardlink("bin2", "bin");
        LayerBuilder l2 = new LayerBuilder().dir("db").file("db/status", "v2");
        LayerBuilder l3 = new LayerBuilder().dir("db").file("db/status", "v3");
        TreeOptions opts = TreeOptions.defaults().withDigestFiles(true).withCaptureGlobs(List.of("/db/status"));
        try (FileTree t = tree(tmp, opts, l1, l2, l3)) {
            String binDigest = dev.distill.oci.Digest.sha256("binary".getBytes(StandardCharsets.UTF_8)).hex();
            assertEquals(binDigest, t.entry("/bin").orElseThrow().sha256());
            assertEquals(binDigest, t.entry("/bin2").orElseThrow().sha256());
            List<FileEntry> versions = t.versions("/db/status");
            assertEquals(List.of(0, 1, 2), versions.stream().map(FileEntry::layer).toList());
            assertEquals("v1", new String(t.content(versions.get(0)).orElseThrow().bytes(), StandardCharsets.UTF_8));
            assertTrue(t.hiddenEntries().isEmpty(), "history is not the all-layers scope");
            assertEquals(1, t.find(List.of("/db/*")).size());
        }
        try (FileTree t = tree(tmp, TreeOptions.defaults(), l1)) {
            assertEquals(null, t.entry("/bin").orElseThrow().sha256(), "no digest unless asked");
        }
    }
}
