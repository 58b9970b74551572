package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.oci.testing.DockerRegistry;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * distill's own image ({@code mvn -Pimage}: Jib on the distroless base of image/base.sh), examined by distill:
 * its SBOM lists distill's Maven dependencies and the base's Debian packages, its audit passes the distroless gate,
 * and pushed to Debian's docker-registry it is signed, its SBOM attested, and both verified.
 */
class DistillImageIT {
    @TempDir
    static Path dir;
    static DockerRegistry registry;
    static final Path IMAGE = Path.of(System.getProperty("distill.image", "target/distill-image.tar"));
    static final Pattern M2_JAR = Pattern.compile(".*/repository/(.+)/([^/]+)/([^/]+)/\\2-\\3\\.jar");
    /** What the tests, not distill, put on this class path. */
    static final Pattern TEST_ONLY = Pattern.compile("org/junit.*|org/opentest4j|org/apiguardian|com/code-intelligence");
    /** cli's test-scoped dependencies (cli/pom.xml), by artifact: they are on this classpath, not in the image. */
    static final Set<String> TEST_ONLY_ARTIFACTS = Set.of("kubernetes-model-policy", "parsson", "jakarta.json-api");

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isRegularFile(IMAGE), IMAGE + " is built by mvn -Pimage package");
        registry = DockerRegistry.start(dir.resolve("registry"), DockerRegistry.Auth.NONE);
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    /**
     * A runtime dependency of distill: its purl, its coordinates, whether its jar names its Maven coordinates itself
     * (pom.properties, or the manifest's Implementation-Vendor-Id) and the pom.xml files it carries.
     */
    record Dependency(String purl, String group, String artifact, String version, boolean namesItself,
                      List<String> pomXmls) {
    }

    /**
     * distill's runtime dependencies, from the jars of this (failsafe) class path in the local Maven repository;
     * what each jar carries is read with java.util.jar, not with distill.
     */
    static List<Dependency> runtimeDependencies() throws Exception {
        List<Dependency> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Matcher m = M2_JAR.matcher(entry.replace(File.separatorChar, '/'));
            if (m.matches() && !TEST_ONLY.matcher(m.group(1)).matches() && !TEST_ONLY_ARTIFACTS.contains(m.group(2))) {
                boolean names;
                List<String> poms = new ArrayList<>();
                try (JarFile jar = new JarFile(entry)) {
                    names = jar.stream().anyMatch(e -> e.getName().startsWith("META-INF/maven/")
                            && e.getName().endsWith("/pom.properties"))
                            || jar.getManifest() != null
                            && jar.getManifest().getMainAttributes().getValue("Implementation-Vendor-Id") != null;
                    for (var e : jar.stream().filter(e -> e.getName().startsWith("META-INF/maven/")
                            && e.getName().endsWith("/pom.xml")).toList()) {
                        try (var in = jar.getInputStream(e)) {
                            poms.add(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                        }
                    }
                }
                String group = m.group(1).replace('/', '.');
                out.add(new Dependency("pkg:maven/" + group + "/" + m.group(2) + "@" + m.group(3), group, m.group(2),
                        m.group(3), names, poms));
            }
        }
        return out;
    }

    /** The groups that the pom.xml files of all the jars declare for {@code artifact} (a plain-text reading). */
    static Set<String> declaredGroups(List<Dependency> all, String artifact) {
        Pattern declared = Pattern.compile("<groupId>\\s*([^<$\\s]+)\\s*</groupId>\\s*<artifactId>\\s*"
                + Pattern.quote(artifact) + "\\s*</artifactId>");
        Set<String> groups = new TreeSet<>();
        for (Dependency d : all) {
            for (String pom : d.pomXmls()) {
                Matcher m = declared.matcher(pom.replaceFirst("(?s).*?<dependencies>", "<dependencies>")
                        .replaceAll("(?s)<exclusions>.*?</exclusions>", ""));
                while (m.find()) {
                    groups.add(m.group(1));
                }
            }
        }
        return groups;
    }

    @Test
    void distillDescribesAuditsSignsAndVerifiesItsOwnImage() throws Exception {
        String archive = "oci-archive:" + IMAGE;
        Path sbom = dir.resolve("distill.cdx.json");
        MainTest.Result made = MainTest.run("sbom", archive, "-o", "cyclonedx-json=" + sbom);
        assertEquals(0, made.code(), made.err());
        JsonNode bom = new ObjectMapper().readTree(sbom.toFile());
        Set<String> purls = new TreeSet<>();
        Set<String> unnamed = new TreeSet<>();
        for (JsonNode c : bom.path("components")) {
            purls.add(c.path("purl").asText().replaceFirst("\\?.*", ""));
            if (c.path("purl").isMissingNode()) {
                unnamed.add(c.path("name").asText() + "@" + c.path("version").asText());
            }
        }
        List<Dependency> dependencies = runtimeDependencies();
        assertTrue(dependencies.size() > 40, "distill's dependencies: " + dependencies);
        // A jar that names its coordinates (pom.properties, Implementation-Vendor-Id), or whose group another jar's
        // pom.xml declares (and no other group), must be in the SBOM under exactly its purl.
        List<Dependency> evident = dependencies.stream().filter(d -> d.namesItself()
                || declaredGroups(dependencies, d.artifact()).equals(Set.of(d.group()))).toList();
        List<String> missing = evident.stream().map(Dependency::purl).filter(p -> !purls.contains(p)).toList();
        assertEquals(List.of(), missing, "every dependency of distill with evidence of its group has its purl");
        // The others are under their purl too where the POMs of distill's own modules (not on this class path as
        // jars) declare them (BouncyCastle's bcprov and bcpkix), else (bcutil, most of gRPC, picocli...: nothing in
        // the image names their group) listed by artifact and version, without a purl: no group is guessed.
        List<String> unlisted = dependencies.stream().filter(d -> !purls.contains(d.purl()))
                .filter(d -> !unnamed.contains(d.artifact() + "@" + d.version()))
                .map(Dependency::purl).toList();
        assertEquals(List.of(), unlisted, "the others are listed by artifact and version without a purl");
        // No dependency is listed under a group it does not have.
        for (Dependency d : dependencies) {
            List<String> wrong = purls.stream().filter(p -> p.startsWith("pkg:maven/") && p.endsWith("/" + d.artifact()
                    + "@" + d.version()) && !p.equals(d.purl())).toList();
            assertEquals(List.of(), wrong, d.purl());
        }
        long withPurl = dependencies.stream().filter(d -> purls.contains(d.purl())).count();
        assertTrue(withPurl >= evident.size(), withPurl + " < " + evident.size());
        for (String own : List.of("distill-oci", "distill-sbom", "distill-attest")) {
            assertTrue(purls.contains("pkg:maven/dev.distill/" + own + "@" + Main.version()), own + " in " + purls);
        }
        for (String deb : List.of("libc6", "libgcc-s1", "libstdc%2B%2B6", "zlib1g", "ca-certificates",
                "openjdk-17-jre-headless")) {
            assertTrue(purls.stream().anyMatch(p -> p.startsWith("pkg:deb/debian/" + deb + "@")), deb + " in " + purls);
        }
        assertEquals(6, purls.stream().filter(p -> p.startsWith("pkg:deb/")).count(), "the base has nothing else: "
                + purls);

        MainTest.Result audit = MainTest.run("audit", archive, "--fail-on", "shell,package-manager,root");
        assertEquals(0, audit.code(), audit.out() + audit.err());
        Matcher score = Pattern.compile("Score:\\s+(\\d+)/100").matcher(audit.out());
        assertTrue(score.find() && Integer.parseInt(score.group(1)) >= 90, audit.out());
        System.err.println("DistillImageIT: " + Files.size(IMAGE) + " bytes, " + bom.path("components").size()
                + " components (" + purls.stream().filter(p -> p.startsWith("pkg:maven/")).count() + " maven, "
                + purls.stream().filter(p -> p.startsWith("pkg:deb/")).count() + " deb), " + withPurl + " of "
                + dependencies.size() + " runtime dependencies under their pkg:maven purl (without: " + dependencies
                .stream().filter(d -> !purls.contains(d.purl())).map(Dependency::artifact).toList() + "), audit "
                + score.group(0) + "; " + audit.out().lines().filter(l -> l.startsWith("low ")).toList());

        String ref = registry.host() + "/distill/distill:" + Main.version();
        SignCommandTest.skopeo(dir, archive, "docker://" + ref);
        Map<String, String> env = Map.of("DISTILL_PASSWORD", "image-pw");
        String key = dir.resolve("release").toString();
        assertEquals(0, SbomCommandTest.run(env, "key", "generate", "--output-key-prefix", key).code());
        MainTest.Result signed = SbomCommandTest.run(env, "sign", ref, "--key", key + ".key");
        assertEquals(0, signed.code(), signed.err());
        MainTest.Result attested = SbomCommandTest.run(env, "attest", ref, "--type", "cyclonedx", "--predicate",
                sbom.toString(), "--key", key + ".key");
        assertEquals(0, attested.code(), attested.err());
        MainTest.Result verified = MainTest.run("verify", ref, "--key", key + ".pub");
        assertEquals(0, verified.code(), verified.err());
        MainTest.Result verifiedSbom = MainTest.run("verify-attestation", ref, "--type", "cyclonedx", "--key",
                key + ".pub", "-o", "json");
        assertEquals(0, verifiedSbom.code(), verifiedSbom.err());
        assertTrue(verifiedSbom.out().contains("openjdk-17-jre-headless"), "the attested SBOM is the image's");
    }

    /**
     * The image runs: its own JVM starts distill as the nonroot user, in a chroot of the unpacked image with /proc
     * mounted (the JVM finds its libraries through $ORIGIN). Needs root, for chroot and the mount namespace; without
     * it the test is reported as skipped, not passed.
     */
    @Test
    void theImageRunsDistillAsNonroot() throws Exception {
        Assumptions.assumeTrue(new com.sun.security.auth.module.UnixSystem().getUid() == 0,
                "chroot and unshare need root");
        Path layout = dir.resolve("layout");
        SignCommandTest.skopeo(dir, "oci-archive:" + IMAGE, "oci:" + layout + ":latest");
        Path bundle = dir.resolve("unpacked");
        run(List.of("umoci", "unpack", "--image", layout + ":latest", bundle.toString()));
        Path root = bundle.resolve("rootfs");
        Files.createDirectories(root.resolve("proc"));
        String out = run(List.of("unshare", "--mount", "--pid", "--fork", "--mount-proc=" + root.resolve("proc"),
                "chroot", "--userspec=65532:65532", root.toString(), "/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
                "-cp", "@/app/jib-classpath-file", "dev.distill.cli.Main", "--version"));
        assertEquals("distill " + Main.version() + "\n", out);
    }

    private static String run(List<String> command) throws Exception {
        Path log = Files.createTempFile(dir, "run", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command));
            assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
        return Files.readString(log);
    }
}
