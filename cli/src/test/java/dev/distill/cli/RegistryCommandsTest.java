package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.testing.DockerRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** inspect and sbom on an image in a real registry give what they give on the same image in a layout. */
class RegistryCommandsTest {
    @TempDir
    static Path dir;
    static DockerRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        registry = DockerRegistry.start(dir.resolve("registry"), DockerRegistry.Auth.NONE);
        Process p = new ProcessBuilder("skopeo", "--insecure-policy", "copy", "--preserve-digests",
                "--dest-tls-verify=false", "oci:../fixtures/distroless-base:latest",
                "docker://" + registry.host() + "/fixtures/distroless-base:latest")
                .redirectErrorStream(true).redirectOutput(dir.resolve("skopeo.log").toFile()).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, Files.readString(dir.resolve("skopeo.log")));
        } finally {
            p.destroyForcibly();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    @Test
    void inspectAndSbomMatchTheLayout() throws Exception {
        String remote = "registry:" + registry.host() + "/fixtures/distroless-base:latest";
        MainTest.Result local = MainTest.run("inspect", "../fixtures/distroless-base", "-o", "json");
        MainTest.Result fromRegistry = MainTest.run("inspect", remote, "-o", "json");
        assertEquals(0, fromRegistry.code(), fromRegistry.err());
        assertEquals(field(local.out(), "manifestDigest"), field(fromRegistry.out(), "manifestDigest"));
        assertEquals(field(local.out(), "files"), field(fromRegistry.out(), "files"));

        MainTest.Result localSbom = SbomCommandTest.run(Map.of(), "sbom", "../fixtures/distroless-base");
        MainTest.Result remoteSbom = SbomCommandTest.run(Map.of(), "sbom", remote);
        assertEquals(0, remoteSbom.code(), remoteSbom.err());
        assertEquals(localSbom.out(), remoteSbom.out(), "the same packages, versions, licenses and layers");

        Path a = dir.resolve("local.spdx.json");
        Path b = dir.resolve("remote.spdx.json");
        assertEquals(0, SbomCommandTest.run(Map.of(), "sbom", "../fixtures/distroless-base", "-o", "spdx-json=" + a)
                .code());
        assertEquals(0, SbomCommandTest.run(Map.of(), "sbom", remote, "-o", "spdx-json=" + b).code());
        List<String> la = Files.readAllLines(a).stream().filter(l -> !l.contains("pkg:oci/")).toList();
        List<String> lb = Files.readAllLines(b).stream().filter(l -> !l.contains("pkg:oci/")).toList();
        assertEquals(la, lb, "only the image's purl (which names the repository) differs");
    }

    @Test
    void unreachableRegistriesAreBadInput() throws Exception {
        MainTest.Result r = MainTest.run("inspect", "registry:127.0.0.1:" + DockerRegistry.freePort() + "/x:y");
        assertEquals(3, r.code());
        assertTrue(r.err().startsWith("distill: error: registry 127.0.0.1:"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    private static String field(String json, String name) {
        for (String line : json.lines().toList()) {
            if (line.strip().startsWith("\"" + name + "\"")) {
                return line.strip();
            }
        }
        throw new AssertionError(name + " not in " + json);
    }
}
