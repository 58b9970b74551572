package dev.distill.sbom.catalog.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.Compression;
import dev.distill.oci.testing.ImageBuilder;
import dev.distill.oci.testing.LayerBuilder;
import dev.distill.oci.testing.LayoutWriter;
import dev.distill.sbom.SbomTesting;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Sbom;
import dev.distill.sbom.model.Unknown;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LanguageCatalogersTest {
    @TempDir
    Path tmp;

    private static Package find(Sbom s, String type, String name) {
        return s.packages().stream().filter(p -> p.type().equals(type) && p.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(type + "/" + name + " not found"));
    }

    /**
     * The expected packages come from the artifacts' own metadata: Debian's control files, the jars'
     * pom.properties (commons-lang3 3.12.0 and jackson-core 2.14.1 from Debian; surefire-shared-utils 3.5.4 from
     * Maven Central, which shades commons-codec 1.19.0, commons-compress 1.28.0, commons-io 2.20.0, commons-lang3
     * 3.18.0 and maven-shared-utils 3.3.4; the application's own lang-app 1.0.0), the egg-info PKG-INFO files
     * (requests 2.28.1, urllib3 1.26.12), the package.json files (semver 7.3.5, @types/semver 7.3.9) and the Go
     * binary's build info (go1.19.8, example.org/distill/hello, github.com/google/uuid v1.3.0) and the Rust
     * binary's cargo-auditable section (hello-rust 0.1.0 and its local crate greeting 0.2.0).
     */
    @Test
    void findsEveryEcosystemInTheLangAppsFixture() throws IOException {
        Sbom sbom = SbomTesting.sbom(SbomTesting.fixture("lang-apps"));
        Set<String> found = sbom.packages().stream().map(p -> p.type() + " " + p.name() + " " + p.version())
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> expected = new TreeSet<>(List.of(
                "deb base-files 12.4+deb12u15", "deb libcommons-lang3-java 3.12.0-2+deb12u1",
                "deb libjackson2-core-java 2.14.1-2~deb12u1", "deb node-semver 7.3.5+~7.3.9-2",
                "deb python3-requests 2.28.1+dfsg-1", "deb python3-urllib3 1.26.12-1+deb12u4",
                "maven commons-lang3 3.12.0", "maven jackson-core 2.14.1", "maven lang-app 1.0.0",
                "maven surefire-shared-utils 3.5.4", "maven commons-codec 1.19.0", "maven commons-compress 1.28.0",
                "maven commons-io 2.20.0", "maven commons-lang3 3.18.0", "maven maven-shared-utils 3.3.4",
                "pypi requests 2.28.1", "pypi urllib3 1.26.12",
                "npm semver 7.3.5", "npm @types/semver 7.3.9",
                "golang stdlib go1.19.8", "golang example.org/distill/hello (devel)",
                "golang github.com/google/uuid v1.3.0",
                "cargo hello-rust 0.1.0", "cargo greeting 0.2.0"));
        assertEquals(expected, found);

        Package lang3 = sbom.packages().stream().filter(p -> p.purl() != null
                && p.purl().equals("pkg:maven/org.apache.commons/commons-lang3@3.12.0")).findFirst().orElseThrow();
        assertEquals(List.of("/app/lang-app-1.0.0.jar!/BOOT-INF/lib/commons-lang3-3.12.0.jar",
                "/usr/share/java/commons-lang3.jar"), lang3.files().stream().map(f -> f.path()).toList(),
                "one package, found in two places");
        assertEquals(lang3.files().get(0).sha1(), lang3.files().get(1).sha1(), "the same jar, the same digest");
        assertEquals("pkg:npm/%40types/semver@7.3.9", find(sbom, "npm", "@types/semver").purl());
        assertEquals("pkg:pypi/requests@2.28.1", find(sbom, "pypi", "requests").purl());
        assertEquals("pkg:golang/github.com/google/uuid@v1.3.0", find(sbom, "golang", "github.com/google/uuid").purl());
        assertEquals("pkg:golang/stdlib@go1.19.8", find(sbom, "golang", "stdlib").purl());
        assertEquals("/usr/local/bin/hello", find(sbom, "golang", "stdlib").dbPath());

        List<Relationship> r = sbom.relationships();
        assertTrue(r.contains(new Relationship(find(sbom, "deb", "python3-requests").id(), Relationship.Type.CONTAINS,
                find(sbom, "pypi", "requests").id())), "Debian's package owns the Python distribution");
        assertTrue(r.contains(new Relationship(find(sbom, "deb", "libcommons-lang3-java").id(),
                Relationship.Type.CONTAINS, lang3.id())));
        assertTrue(r.contains(new Relationship(find(sbom, "maven", "lang-app").id(), Relationship.Type.CONTAINS,
                find(sbom, "maven", "surefire-shared-utils").id())), "the fat jar contains its libraries");
        assertTrue(r.contains(new Relationship(find(sbom, "maven", "surefire-shared-utils").id(),
                Relationship.Type.CONTAINS, find(sbom, "maven", "commons-io").id())), "shaded artifacts");
        assertTrue(r.contains(new Relationship(find(sbom, "golang", "example.org/distill/hello").id(),
                Relationship.Type.DEPENDS_ON, find(sbom, "golang", "github.com/google/uuid").id())));
        assertTrue(r.contains(new Relationship(find(sbom, "cargo", "hello-rust").id(), Relationship.Type.DEPENDS_ON,
                find(sbom, "cargo", "greeting").id())));
        assertEquals(null, find(sbom, "cargo", "greeting").purl(), "local crates have no registry identity");
        assertTrue(sbom.unknowns().isEmpty(), sbom.unknowns().toString());
    }

    @Test
    void cratesFromCratesIoGetCargoPurls() throws Exception {
        String json = "{\"packages\":[{\"name\":\"itoa\",\"version\":\"1.0.9\",\"source\":\"crates.io\"},"
                + "{\"name\":\"serde\",\"version\":\"1.0.188\",\"source\":\"crates.io\",\"kind\":\"build\"},"
                + "{\"name\":\"app\",\"version\":\"0.3.0\",\"source\":\"local\",\"dependencies\":[0,1],\"root\":true}]}";
        java.util.zip.Deflater d = new java.util.zip.Deflater(7);
        d.setInput(json.getBytes(StandardCharsets.UTF_8));
        d.finish();
        byte[] compressed = new byte[4096];
        int n = d.deflate(compressed);
        ByteArrayOutputStream elf = new ByteArrayOutputStream();
        elf.writeBytes(new byte[] {0x7f, 'E', 'L', 'F'});
        elf.writeBytes(new byte[100_000]); // the section sits deep in the file and spans a scan window
        elf.write(compressed, 0, n);
        elf.writeBytes(new byte[70_000]);
        Path dir = tmp.resolve("rust");
        new LayoutWriter().add(new ImageBuilder().layer(new LayerBuilder().dir("bin")
                .file("bin/app", elf.toByteArray(), 0755).build(Compression.ZSTD)).build(), "latest")
                .writeDirectory(dir);
        Sbom sbom = SbomTesting.sbom(dir.toString());
        assertEquals("pkg:cargo/itoa@1.0.9", find(sbom, "cargo", "itoa").purl());
        assertEquals("build", find(sbom, "cargo", "serde").properties().get("cargo:kind"));
        assertEquals(2, sbom.relationships().size());
    }

    @Test
    void readsPackageLockFilesAndMergesThemWithInstalledPackages() throws Exception {
        String lock = "{\"name\":\"web\",\"lockfileVersion\":3,\"packages\":{\"\":{\"name\":\"web\"},"
                + "\"node_modules/express\":{\"version\":\"4.18.2\",\"license\":\"MIT\",\"dependencies\":"
                + "{\"ms\":\"2.0.0\"}},\"node_modules/ms\":{\"version\":\"2.0.0\",\"license\":\"MIT\"},"
                + "\"node_modules/@babel/core\":{\"version\":\"7.22.0\",\"dev\":true},"
                + "\"node_modules/express/node_modules/debug\":{\"version\":\"2.6.9\"},"
                + "\"node_modules/@scope-only/\":{\"version\":\"1.0.0\"}}}";
        LayerBuilder l = new LayerBuilder().dir("srv").file("srv/package-lock.json", lock)
                .dir("srv/node_modules").dir("srv/node_modules/ms")
                .file("srv/node_modules/ms/package.json", "{\"name\":\"ms\",\"version\":\"2.0.0\"}");
        Path dir = tmp.resolve("lock");
        new LayoutWriter().add(new ImageBuilder().layer(l.build(Compression.GZIP)).build(), "latest")
                .writeDirectory(dir);
        Sbom sbom = SbomTesting.sbom(dir.toString());
        assertEquals(List.of("debug 2.6.9", "express 4.18.2", "ms 2.0.0"), sbom.packages().stream()
                .map(p -> p.name() + " " + p.version()).sorted().toList(), "dev dependencies left out, ms once");
        // a key that names only a scope is no package: reported, and the lockfile's others are kept (it threw)
        assertHas(sbom, "/srv/package-lock.json", "'@scope-only/', which is not a package name");
        assertTrue(sbom.relationships().contains(new Relationship(find(sbom, "npm", "express").id(),
                Relationship.Type.DEPENDS_ON, find(sbom, "npm", "ms").id())));
    }

    private static byte[] zip(String... namesAndContents) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                z.putNextEntry(new ZipEntry(namesAndContents[i]));
                z.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static byte[] nest(int depth) throws IOException {
        byte[] inner = zip("META-INF/maven/g/deep/pom.properties", "groupId=g\nartifactId=deep\nversion=1\n");
        for (int i = 0; i < depth; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ZipOutputStream z = new ZipOutputStream(out)) {
                z.putNextEntry(new ZipEntry("lib/level" + i + ".jar"));
                z.write(inner);
                z.closeEntry();
            }
            inner = out.toByteArray();
        }
        return inner;
    }

    /** A Go build info header claiming a module string far longer than the file. */
    private static byte[] lyingGoBinary() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0x7f, 'E', 'L', 'F'});
        b.writeBytes(new byte[60]);
        b.writeBytes(new byte[] {(byte) 0xff, ' ', 'G', 'o', ' ', 'b', 'u', 'i', 'l', 'd', 'i', 'n', 'f', ':'});
        b.write(8);
        b.write(2);
        b.writeBytes(new byte[16]);
        b.write(8);
        b.writeBytes("go1.22.1".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f}); // ~32 MiB of module info
        b.writeBytes("mod\tx\n".getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    @Test
    void hostileArtifactsBecomeUnknownsAndTheRestIsReported() throws Exception {
        byte[] bomb = zipOfZeros(64 << 20);
        byte[] escaping = zip("../../etc/cron.d/x", "evil", "META-INF/maven/g/a/pom.properties",
                "groupId=g\nartifactId=a\nversion=1\n");
        byte[] badUtf8 = "Metadata-Version: 2.1\nName: caf\u00e9\nVersion: 1.0\n".getBytes(StandardCharsets.ISO_8859_1);
        LayerBuilder l = new LayerBuilder().dir("app")
                .file("app/bomb.jar", bomb, 0644)
                .file("app/escape.jar", escaping, 0644)
                .file("app/deep.jar", nest(6), 0644)
                .file("app/ok.jar", zip("META-INF/maven/dev.x/ok/pom.properties",
                        "groupId=dev.x\nartifactId=ok\nversion=2.0\n"), 0644)
                .file("app/truncated.jar", java.util.Arrays.copyOf(escaping, 40), 0644)
                .file("app/go-liar", lyingGoBinary(), 0755)
                .dir("app/site").dir("app/site/bad-1.0.dist-info").file("app/site/bad-1.0.dist-info/METADATA",
                        badUtf8, 0644)
                .dir("app/node_modules").dir("app/node_modules/broken")
                .file("app/node_modules/broken/package.json", "{ not json".getBytes(StandardCharsets.UTF_8), 0644)
                .dir("app/node_modules/left-pad").dir("app/node_modules/left-pad/test")
                .file("app/node_modules/left-pad/package.json", "{\"name\":\"left-pad\",\"version\":\"1.3.0\","
                        + "\"license\":\"WTFPL\"}")
                .file("app/node_modules/left-pad/test/package.json", "{\"name\":\"fixture\",\"version\":\"0.0.1\"}");
        Path dir = tmp.resolve("img");
        new LayoutWriter().add(new ImageBuilder().layer(l.build(Compression.GZIP)).build(), "latest")
                .writeDirectory(dir);
        Sbom sbom = SbomTesting.sbom(dir.toString());
        assertEquals(List.of("left-pad 1.3.0", "ok 2.0"), sbom.packages().stream()
                .map(p -> p.name() + " " + p.version()).sorted().toList());
        List<String> unknowns = sbom.unknowns().stream().map(Unknown::toString).toList();
        assertEquals(7, unknowns.size(), unknowns.toString());
        assertHas(sbom, "/app/bomb.jar", "zip bomb");
        assertHas(sbom, "/app/escape.jar", "points outside the archive");
        assertHas(sbom, "/app/deep.jar", "nested deeper than 4 levels");
        assertHas(sbom, "/app/truncated.jar", "not a readable Java archive");
        assertHas(sbom, "/app/go-liar", "truncated or longer than allowed");
        assertHas(sbom, "/app/site/bad-1.0.dist-info/METADATA", "not valid UTF-8");
        assertHas(sbom, "/app/node_modules/broken/package.json", "not valid JSON");
    }

    private static byte[] zipOfZeros(int size) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("zeros.bin"));
            byte[] chunk = new byte[1 << 20];
            for (int i = 0; i < size / chunk.length; i++) {
                z.write(chunk);
            }
            z.closeEntry();
        }
        return out.toByteArray();
    }

    private static void assertHas(Sbom sbom, String path, String text) {
        assertTrue(sbom.unknowns().stream().anyMatch(u -> u.path().equals(path) && u.message().contains(text)),
                path + " should be unknown with '" + text + "': " + sbom.unknowns());
    }
}
