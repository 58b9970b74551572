package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.oci.Compression;
import dev.distill.oci.Platform;
import dev.distill.oci.testing.DockerRegistry;
import dev.distill.oci.testing.ImageBuilder;
import dev.distill.oci.testing.LayerBuilder;
import dev.distill.oci.testing.LayoutWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * attest --all-platforms / --platform and verify-attestation per platform (#17 point 4), on Debian's
 * docker-registry with a two-platform index whose platforms have different Debian packages.
 */
class AllPlatformsAttestTest {
    @TempDir
    static Path dir;
    static DockerRegistry registry;
    static ImageBuilder.BuiltImage amd64;
    static ImageBuilder.BuiltImage arm64;
    static String key;
    static final Map<String, String> ENV = Map.of("DISTILL_PASSWORD", "pw");

    /** A Debian layer: os-release and a dpkg status database naming one package. */
    private static LayerBuilder.BuiltLayer debianLayer(String pkg, String arch) throws Exception {
        String status = "Package: " + pkg + "\nStatus: install ok installed\nArchitecture: " + arch
                + "\nVersion: 1.0-1\nMaintainer: Debian <debian@example.org>\nDescription: " + pkg + "\n\n";
        return new LayerBuilder()
                .file("etc/os-release", "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n"
                        .getBytes(StandardCharsets.UTF_8), 0644)
                .file("var/lib/dpkg/status", status.getBytes(StandardCharsets.UTF_8), 0644)
                .build(Compression.GZIP);
    }

    @BeforeAll
    static void start() throws Exception {
        registry = DockerRegistry.start(dir.resolve("registry"), DockerRegistry.Auth.NONE);
        amd64 = new ImageBuilder().platform(new Platform("linux", "amd64", null))
                .layer(debianLayer("libonly-amd64", "amd64")).build();
        arm64 = new ImageBuilder().platform(new Platform("linux", "arm64", null))
                .layer(debianLayer("libonly-arm64", "arm64")).build();
        Path layout = dir.resolve("two-platforms");
        LayoutWriter writer = new LayoutWriter();
        writer.addIndex(List.of(amd64, arm64), "v1");
        writer.writeDirectory(layout);
        for (String repo : List.of("multi", "half", "refused")) {
            Path log = dir.resolve("skopeo-" + repo + ".log");
            Process p = new ProcessBuilder("skopeo", "--insecure-policy", "copy", "--all", "--preserve-digests",
                    "--dest-tls-verify=false", "oci:" + layout + ":v1", "docker://" + registry.host() + "/app/"
                    + repo + ":v1").redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, Files.readString(log));
            } finally {
                p.destroyForcibly();
            }
        }
        key = dir.resolve("k").toString();
        assertEquals(0, SbomCommandTest.run(ENV, "key", "generate", "--output-key-prefix", key).code());
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    private static String image(String repo) {
        return "registry:" + registry.host() + "/app/" + repo + ":v1";
    }

    /** The names of the SPDX packages in the verified predicates of the report, by platform. */
    private static Map<String, List<String>> packagesByPlatform(String json) throws Exception {
        Map<String, List<String>> out = new HashMap<>();
        for (JsonNode d : new ObjectMapper().readTree(json).get("digests")) {
            List<String> names = new ArrayList<>();
            for (JsonNode a : d.get("attestations")) {
                assertTrue(a.get("verified").asBoolean(), a.toString());
                a.get("predicate").get("packages").forEach(p -> names.add(p.get("name").asText()));
            }
            out.put(d.get("platform").asText() + " " + d.get("digest").asText(), names);
        }
        return out;
    }

    @Test
    void eachPlatformGetsTheSbomOfItsOwnFilesystemAndVerifiesOnItsOwn() throws Exception {
        MainTest.Result attested = SbomCommandTest.run(ENV, "attest", image("multi"), "--type", "spdx", "--sbom",
                "--key", key + ".key", "--all-platforms");
        assertEquals(0, attested.code(), attested.err());
        assertEquals(List.of("Attested https://spdx.dev/Document about " + registry.host() + "/app/multi@"
                        + amd64.manifestDigest() + " (linux/amd64)",
                "Attested https://spdx.dev/Document about " + registry.host() + "/app/multi@"
                        + arm64.manifestDigest() + " (linux/arm64)"), attested.out().lines().toList());

        MainTest.Result all = MainTest.run("verify-attestation", image("multi"), "--type", "spdx", "--key",
                key + ".pub", "--all-platforms", "-o", "json");
        assertEquals(0, all.code(), all.out() + all.err());
        Map<String, List<String>> packages = packagesByPlatform(all.out());
        assertEquals(2, packages.size(), all.out());
        List<String> onAmd64 = packages.get("linux/amd64 " + amd64.manifestDigest());
        List<String> onArm64 = packages.get("linux/arm64 " + arm64.manifestDigest());
        assertTrue(onAmd64.contains("libonly-amd64") && !onAmd64.contains("libonly-arm64"), onAmd64.toString());
        assertTrue(onArm64.contains("libonly-arm64") && !onArm64.contains("libonly-amd64"), onArm64.toString());

        MainTest.Result text = MainTest.run("verify-attestation", image("multi"), "--type", "spdx", "--key",
                key + ".pub", "--all-platforms");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("@" + arm64.manifestDigest() + " (linux/arm64)"), text.out());

        MainTest.Result one = MainTest.run("verify-attestation", image("multi"), "--type", "spdx", "--key",
                key + ".pub", "--platform", "linux/arm64");
        assertEquals(0, one.code(), one.err());
        assertEquals(1, one.out().lines().count(), one.out());
        assertTrue(one.out().contains("@" + arm64.manifestDigest() + " (linux/arm64)"), one.out());

        MainTest.Result noIndex = MainTest.run("verify-attestation", image("multi"), "--type", "spdx", "--key",
                key + ".pub", "--all-platforms", "--include-index");
        assertEquals(1, noIndex.code(), noIndex.out());
        assertTrue(noIndex.err().startsWith("distill: verification failed: index: no attestations for app/multi@sha256:"),
                noIndex.err());
        MainTest.Result s390x = MainTest.run("verify-attestation", image("multi"), "--type", "spdx", "--key",
                key + ".pub", "--platform", "linux/s390x");
        assertEquals(3, s390x.code(), s390x.err());
        assertTrue(s390x.err().contains("has no linux/s390x manifest (it has linux/amd64, linux/arm64)"),
                s390x.err());
    }

    @Test
    void aPlatformWithoutAttestationFailsNamingThatPlatform() throws Exception {
        MainTest.Result attested = SbomCommandTest.run(ENV, "attest", image("half"), "--type", "spdx", "--sbom",
                "--key", key + ".key", "--platform", "linux/amd64");
        assertEquals(0, attested.code(), attested.err());
        assertTrue(attested.out().contains("@" + amd64.manifestDigest() + " (linux/amd64)"), attested.out());

        MainTest.Result all = MainTest.run("verify-attestation", image("half"), "--type", "spdx", "--key",
                key + ".pub", "--all-platforms");
        assertEquals(1, all.code(), all.out());
        assertTrue(all.out().contains("@" + amd64.manifestDigest() + " (linux/amd64)"), all.out());
        assertEquals(1, all.err().lines().count(), all.err());
        assertTrue(all.err().startsWith("distill: verification failed: linux/arm64: no attestations for app/half@"
                + arm64.manifestDigest()), all.err());

        MainTest.Result json = MainTest.run("verify-attestation", image("half"), "--type", "spdx", "--key",
                key + ".pub", "--all-platforms", "-o", "json");
        assertEquals(1, json.code(), json.out());
        JsonNode report = new ObjectMapper().readTree(json.out());
        assertTrue(!report.get("verified").asBoolean());
        assertEquals("linux/arm64", report.get("digests").get(1).get("platform").asText(), json.out());
        assertEquals(0, report.get("digests").get(1).get("attestations").size(), json.out());
        assertTrue(report.get("failures").get(0).asText().startsWith("linux/arm64: "), json.out());

        Path policy = Files.writeString(dir.resolve("spdx.yaml"), "attestations: [spdx]\n");
        MainTest.Result judged = MainTest.run("verify-attestation", image("half"), "--key", key + ".pub",
                "--all-platforms", "--policy", policy.toString());
        assertEquals(1, judged.code(), judged.out() + judged.err());
        assertTrue(judged.out().contains("ok   linux/amd64: attestation"), judged.out());
        assertTrue(judged.out().contains("FAIL linux/arm64: attestation"), judged.out());
        assertTrue(judged.err().contains("linux/arm64: policy failed"), judged.err());

        MainTest.Result single = MainTest.run("verify-attestation", "registry:" + registry.host() + "/app/half@"
                + amd64.manifestDigest(), "--type", "spdx", "--key", key + ".pub", "--platform", "linux/amd64");
        assertEquals(3, single.code(), single.err());
        assertTrue(single.err().contains("is a single image, not a multi-platform index: drop --platform"),
                single.err());
    }

    @Test
    void anSbomOfAnIndexIsRefusedWithAHint() throws Exception {
        MainTest.Result refused = SbomCommandTest.run(ENV, "attest", image("refused"), "--type", "spdx", "--sbom",
                "--key", key + ".key");
        assertEquals(2, refused.code(), refused.out() + refused.err());
        assertTrue(refused.err().lines().findFirst().orElse("").contains("is a multi-platform index, and --sbom "
                + "describes one platform's filesystem: pass --all-platforms"), refused.err());
        MainTest.Result nothing = MainTest.run("verify-attestation", image("refused"), "--type", "spdx", "--key",
                key + ".pub", "--all-platforms");
        assertEquals(1, nothing.code(), "nothing was attested: " + nothing.out());

        MainTest.Result indexSbom = SbomCommandTest.run(ENV, "attest", image("refused"), "--type", "spdx", "--sbom",
                "--key", key + ".key", "--all-platforms", "--include-index");
        assertEquals(2, indexSbom.code(), indexSbom.err());
    }
}
