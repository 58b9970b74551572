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

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isRegularFile(IMAGE), IMAGE + " is built by mvn -Pimage package");
        registry = DockerRegistry.start(dir.resolve("registry"), DockerRegistry.Auth.NONE);
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    /** A runtime dependency of distill: its purl, and whether its jar names its Maven coordinates itself. */
    record Dependency(String purl, String version, boolean hasPomProperties) {
    }

    /**
     * distill's runtime dependencies, from the jars of this (failsafe) class path in the local Maven repository;
     * whether each jar carries META-INF/maven/.../pom.properties is read with java.util.jar, not with distill.
     */
    static List<Dependency> runtimeDependencies() throws Exception {
        List<Dependency> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Matcher m = M2_JAR.matcher(entry.replace(File.separatorChar, '/'));
            if (m.matches() && !TEST_ONLY.matcher(m.group(1)).matches()) {
                boolean pom;
                try (JarFile jar = new JarFile(entry)) {
                    pom = jar.stream().anyMatch(e -> e.getName().startsWith("META-INF/maven/")
                            && e.getName().endsWith("/pom.properties"));
                }
                out.add(new Dependency("pkg:maven/" + m.group(1).replace('/', '.') + "/" + m.group(2) + "@"
                        + m.group(3), m.group(3), pom));
            }
        }
        return out;
    }

    @Test
    void distillDescribesAuditsSignsAndVerifiesItsOwnImage() throws Exception {
        String archive = "oci-archive:" + IMAGE;
        Path sbom = dir.resolve("distill.cdx.json");
        MainTest.Result made = MainTest.run("sbom", archive, "-o", "cyclonedx-json=" + sbom);
        assertEquals(0, made.code(), made.err());
        JsonNode bom = new ObjectMapper().readTree(sbom.toFile());
        Set<String> purls = new TreeSet<>();
        Set<String> unnamedVersions = new TreeSet<>();
        for (JsonNode c : bom.path("components")) {
            purls.add(c.path("purl").asText().replaceFirst("\\?.*", ""));
            if (c.path("purl").isMissingNode()) {
                unnamedVersions.add(c.path("version").asText());
            }
        }
        List<Dependency> dependencies = runtimeDependencies();
        assertTrue(dependencies.size() > 40, "distill's dependencies: " + dependencies);
        // A jar that names its coordinates (pom.properties) must be in the SBOM under exactly its purl; one that
        // does not (BouncyCastle, picocli, gRPC, protobuf... are built without it) is listed by its manifest's name
        // and version, without a purl: the Java cataloger does not guess a group.
        List<String> missing = dependencies.stream().filter(Dependency::hasPomProperties).map(Dependency::purl)
                .filter(p -> !purls.contains(p)).toList();
        assertEquals(List.of(), missing, "every Maven dependency of distill that names itself is in the SBOM");
        List<String> unlisted = dependencies.stream().filter(d -> !d.hasPomProperties())
                .filter(d -> !purls.contains(d.purl()) && !unnamedVersions.contains(d.version()))
                .map(Dependency::purl).toList();
        assertEquals(List.of(), unlisted, "the others are listed by version at least");
        long withPurl = dependencies.stream().filter(d -> purls.contains(d.purl())).count();
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
                + dependencies.size() + " runtime dependencies under their pkg:maven purl, audit " + score.group(0));

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
