package dev.distill.sbom.catalog.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.Compression;
import dev.distill.oci.testing.ImageBuilder;
import dev.distill.oci.testing.LayerBuilder;
import dev.distill.oci.testing.LayoutWriter;
import dev.distill.sbom.SbomTesting;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Sbom;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jars without pom.properties, built here as their publishers build them (gRPC's "Implementation-Title: jar",
 * BouncyCastle's bare bundle names, a module name that is not the group): the cataloger names each by its file,
 * confirmed by its manifest, and gives it a group only from evidence that names one, saying which.
 */
class JarIdentityTest {
    @TempDir
    static Path tmp;
    static Sbom sbom;

    @BeforeAll
    static void catalog() throws Exception {
        String appPom = pom("dev.x", "app", "1.0", dep("io.grpc", "grpc-stub", "${grpc.version}"),
                dep("org.bouncycastle", "bcprov-jdk18on", "1.87"), dep("a.one", "conflicted", "2.0"),
                dep("org.example", "bare", "3.0"), dep("org.example", "exact", "4.2"),
                dep("${other.group}", "grpc-core", "1.71.0"), dep("org.lib", "titled", "5.0"));
        String libPom = pom("dev.x", "lib", "1.0", dep("b.two", "conflicted", "2.0"),
                dep("${project.groupId}", "sibling", "${project.version}"));
        LayerBuilder l = new LayerBuilder().dir("app").dir("app/libs")
                .file("app/libs/app-1.0.jar", jar(Map.of(), Map.of(
                        "META-INF/maven/dev.x/app/pom.properties", "groupId=dev.x\nartifactId=app\nversion=1.0\n",
                        "META-INF/maven/dev.x/app/pom.xml", appPom)), 0644)
                .file("app/libs/lib-1.0.jar", jar(Map.of(), Map.of(
                        "META-INF/maven/dev.x/lib/pom.properties", "groupId=dev.x\nartifactId=lib\nversion=1.0\n",
                        "META-INF/maven/dev.x/lib/pom.xml", libPom)), 0644)
                .file("app/libs/grpc-stub-1.71.0.jar", jar(Map.of("Implementation-Title", "jar",
                        "Implementation-Version", "1.71.0", "Automatic-Module-Name", "io.grpc.stub"), Map.of()), 0644)
                .file("app/libs/grpc-core-1.71.0.jar", jar(Map.of("Implementation-Title", "jar",
                        "Implementation-Version", "1.71.0", "Automatic-Module-Name", "io.grpc.internal"), Map.of()),
                        0644)
                .file("app/libs/bcprov-jdk18on-1.87.jar", jar(Map.of("Bundle-SymbolicName", "bcprov",
                        "Bundle-Version", "1.87"), Map.of()), 0644)
                .file("app/libs/conflicted-2.0.jar", jar(Map.of("Implementation-Version", "2.0"), Map.of()), 0644)
                .file("app/libs/bare-3.1.jar", jar(Map.of(), Map.of()), 0644)
                .file("app/libs/exact-4.2.jar", jar(Map.of(), Map.of()), 0644)
                .file("app/libs/sibling-1.0.jar", jar(Map.of("Specification-Version", "1.0"), Map.of()), 0644)
                .file("app/libs/vendored-1.0.jar", jar(Map.of("Implementation-Vendor-Id", "org.vendor",
                        "Implementation-Version", "1.0"), Map.of()), 0644)
                .file("app/libs/titled.jar", jar(Map.of("Implementation-Title", "titled",
                        "Implementation-Version", "5.0"), Map.of()), 0644);
        Path dir = tmp.resolve("img");
        new LayoutWriter().add(new ImageBuilder().layer(l.build(Compression.GZIP)).build(), "latest")
                .writeDirectory(dir);
        sbom = SbomTesting.sbom(dir.toString());
    }

    private static Package pkg(String name) {
        return sbom.packages().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " not in " + sbom.packages()));
    }

    @Test
    void aGroupDeclaredByAnotherJarsPomNamesTheJar() {
        Package stub = pkg("grpc-stub");
        assertEquals("1.71.0", stub.version(), "the file's name and version, not the manifest's title 'jar'");
        assertEquals("pkg:maven/io.grpc/grpc-stub@1.71.0", stub.purl());
        assertEquals("file name, version confirmed by MANIFEST.MF Implementation-Version",
                stub.properties().get("java:metadataSource"));
        assertEquals("declared in the pom.xml of dev.x:app", stub.properties().get("java:groupIdSource"));
        assertEquals("medium", stub.properties().get("java:confidence"));

        Package bc = pkg("bcprov-jdk18on");
        assertEquals("pkg:maven/org.bouncycastle/bcprov-jdk18on@1.87", bc.purl());
        assertEquals("file name, version confirmed by MANIFEST.MF Bundle-Version",
                bc.properties().get("java:metadataSource"));

        assertEquals("pkg:maven/dev.x/sibling@1.0", pkg("sibling").purl(), "${project.groupId} is the POM's own");
        assertEquals("pkg:maven/dev.x/app@1.0", pkg("app").purl());
        assertEquals("high", pkg("app").properties().get("java:confidence"));
    }

    @Test
    void noGroupIsInventedWhereNothingNamesOne() {
        Package core = pkg("grpc-core");
        assertNull(core.purl(), "its module name io.grpc.internal is a package, not its group");
        assertEquals("1.71.0", core.version());
        assertEquals("low", core.properties().get("java:confidence"));
        assertNull(core.properties().get("maven:groupId"));
        assertNull(core.properties().get("java:groupIdSource"));

        assertNull(pkg("conflicted").purl(), "two POMs declare it under two groups");
        assertNull(pkg("bare").purl(), "a bare file name needs its version declared too (3.0 is not 3.1)");
        assertEquals("file name", pkg("bare").properties().get("java:metadataSource"));
        assertEquals("pkg:maven/org.example/exact@4.2", pkg("exact").purl(), "file name and declared version agree");
        assertNull(pkg("titled").purl(), "a manifest title is not an artifact id: a declaration of 'titled' is no "
                + "evidence for it");
        assertEquals("MANIFEST.MF", pkg("titled").properties().get("java:metadataSource"));
    }

    @Test
    void implementationVendorIdIsTheGroup() {
        Package v = pkg("vendored");
        assertEquals("pkg:maven/org.vendor/vendored@1.0", v.purl());
        assertEquals("MANIFEST.MF Implementation-Vendor-Id", v.properties().get("java:groupIdSource"));
    }

    @Test
    void pomsAreReadSafely() throws IOException {
        PomFile p = PomFile.parse(pom("g", "a", "1", dep("${project.groupId}", "b", "${project.version}"),
                dep("x", "c", "${c.version}"), dep("${unknown}", "d", "1")).getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(new PomFile.Declared("g", "b", "1"), new PomFile.Declared("x", "c", null)),
                p.dependencies());
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<project><groupId>&e;</groupId></project>";
        IOException refused = assertThrows(IOException.class,
                () -> PomFile.parse(xxe.getBytes(StandardCharsets.UTF_8)));
        assertTrue(refused.getMessage().startsWith("not a readable pom.xml"), refused.getMessage());
    }

    private static String dep(String group, String artifact, String version) {
        return "<dependency><groupId>" + group + "</groupId><artifactId>" + artifact + "</artifactId><version>"
                + version + "</version></dependency>";
    }

    private static String pom(String group, String artifact, String version, String... deps) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<project xmlns=\"http://maven.apache.org/POM/4.0.0\">"
                + "<modelVersion>4.0.0</modelVersion><groupId>" + group + "</groupId><artifactId>" + artifact
                + "</artifactId><version>" + version + "</version><dependencies>" + String.join("", deps)
                + "</dependencies></project>";
    }

    /** A jar with these main manifest attributes and entries (a class file, so that it is not empty). */
    private static byte[] jar(Map<String, String> attributes, Map<String, String> entries) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.forEach((k, v) -> mf.getMainAttributes().putValue(k, v));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream z = new JarOutputStream(out, mf)) {
            Map<String, String> all = new LinkedHashMap<>(entries);
            all.put("x/Y.class", "not really a class");
            for (Map.Entry<String, String> e : all.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return out.toByteArray();
    }
}
