package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.Repository;
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

/** distill sign and distill verify against Debian's docker-registry on loopback. */
class SignCommandTest {
    @TempDir
    static Path dir;
    static DockerRegistry registry;

    static void skopeo(String from, String to) throws Exception {
        skopeo(dir, from, to);
    }

    /** Copies an image with skopeo, its log in {@code logDir}. */
    static void skopeo(Path logDir, String from, String to) throws Exception {
        Path log = logDir.resolve("skopeo.log");
        Process p = new ProcessBuilder("skopeo", "--insecure-policy", "copy", "--preserve-digests",
                "--dest-tls-verify=false", from, to).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        registry = DockerRegistry.start(dir.resolve("registry"), DockerRegistry.Auth.NONE);
        skopeo("oci:../fixtures/layered:latest", "docker://" + registry.host() + "/app/layered:v1");
        skopeo("oci:../fixtures/distroless-base:latest", "docker://" + registry.host() + "/app/base:v1");
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    @Test
    void signsTheDigestAndVerifiesOnlyWhatWasSigned() throws Exception {
        Map<String, String> env = Map.of("DISTILL_PASSWORD", "pw");
        String a = dir.resolve("a").toString();
        String b = dir.resolve("b").toString();
        assertEquals(0, SbomCommandTest.run(env, "key", "generate", "--output-key-prefix", a).code());
        assertEquals(0, SbomCommandTest.run(env, "key", "generate", "--output-key-prefix", b).code());
        String image = "registry:" + registry.host() + "/app/layered:v1";

        MainTest.Result unsigned = MainTest.run("verify", image, "--key", a + ".pub");
        assertEquals(1, unsigned.code());
        assertTrue(unsigned.err().contains("no signatures for app/layered@sha256:"), unsigned.err());

        MainTest.Result signed = SbomCommandTest.run(env, "sign", image, "--key", a + ".key", "-a", "git-sha=4f2c1e9");
        assertEquals(0, signed.code(), signed.err());
        assertTrue(signed.out().startsWith("Signed " + registry.host() + "/app/layered@sha256:"), signed.out());
        assertEquals(0, SbomCommandTest.run(env, "sign", image, "--key", b + ".key").code(), "a second signature");

        MainTest.Result ok = MainTest.run("verify", image, "--key", a + ".pub");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("annotations: {git-sha=4f2c1e9}"), ok.out());
        assertEquals(0, MainTest.run("verify", image, "--key", b + ".pub").code());
        MainTest.Result json = MainTest.run("verify", image, "--key", a + ".pub", "-o", "json");
        assertEquals(0, json.code(), json.err());
        assertTrue(json.out().contains("\"verified\" : true") && json.out().contains("\"reason\" : \"signature "),
                "one signature verified, the other (by key b) explains why not: " + json.out());

        MainTest.Result onlyB = MainTest.run("verify", image, "--key", dir.resolve("none").toString());
        assertEquals(3, onlyB.code(), "a missing key file is bad input");

        // Moving the tag to another image: the signatures are for the old digest, so nothing verifies.
        var client = new dev.distill.oci.registry.RegistryClient(dev.distill.oci.registry.RegistryOptions.defaults());
        var oldDigest = client.head(Repository.of(registry.host(), "app/layered"), "v1").orElseThrow().digest();
        skopeo("oci:../fixtures/distroless-base:latest", "docker://" + registry.host() + "/app/layered:v1");
        MainTest.Result moved = MainTest.run("verify", image, "--key", a + ".pub");
        assertEquals(1, moved.code());
        assertTrue(moved.err().contains("no signatures for"), moved.err());

        // Copying the old signatures under the new digest's tag does not help: the payload names the old digest.
        var newDigest = client.head(Repository.of(registry.host(), "app/layered"), "v1").orElseThrow().digest();
        var sig = client.manifest(Repository.of(registry.host(), "app/layered"),
                dev.distill.attest.image.ImageSignatures.signatureTag(oldDigest));
        client.putManifest(Repository.of(registry.host(), "app/layered"), dev.distill.attest.image.ImageSignatures
                .signatureTag(newDigest), sig.mediaType(), sig.bytes());
        MainTest.Result replayed = MainTest.run("verify", image, "--key", a + ".pub");
        assertEquals(1, replayed.code());
        assertTrue(replayed.err().contains("is for " + oldDigest + ", not " + newDigest), replayed.err());

        MainTest.Result other = MainTest.run("verify", "registry:" + registry.host() + "/app/base:v1", "--key",
                a + ".pub");
        assertEquals(1, other.code());
    }

    @Test
    void attestsAnSbomAndVerifiesOnlyTheRightTypeAboutTheRightImage() throws Exception {
        Map<String, String> env = Map.of("DISTILL_PASSWORD", "pw");
        String k = dir.resolve("att").toString();
        assertEquals(0, SbomCommandTest.run(env, "key", "generate", "--output-key-prefix", k).code());
        String image = "registry:" + registry.host() + "/app/base:v1";
        Path spdx = dir.resolve("base.spdx.json");
        assertEquals(0, SbomCommandTest.run(env, "sbom", image, "-o", "spdx-json=" + spdx).code());

        assertEquals(1, MainTest.run("verify-attestation", image, "--type", "spdx", "--key", k + ".pub").code());
        MainTest.Result attested = SbomCommandTest.run(env, "attest", image, "--type", "spdx", "--predicate",
                spdx.toString(), "--key", k + ".key");
        assertEquals(0, attested.code(), attested.err());
        Path custom = Files.writeString(dir.resolve("custom.json"), "{\"reviewed\":true}");
        assertEquals(0, SbomCommandTest.run(env, "attest", image, "--type", "https://example.org/review/v1",
                "--predicate", custom.toString(), "--key", k + ".key").code());

        MainTest.Result ok = MainTest.run("verify-attestation", image, "--type", "spdx", "--key", k + ".pub",
                "-o", "json");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("\"spdxVersion\" : \"SPDX-2.3\""), ok.out());

        MainTest.Result wrongType = MainTest.run("verify-attestation", image, "--type", "cyclonedx", "--key",
                k + ".pub");
        assertEquals(1, wrongType.code(), "an SPDX attestation never passes as CycloneDX");
        assertTrue(wrongType.err().contains("has predicate type https://spdx.dev/Document"), wrongType.err());
        String other = dir.resolve("att-other").toString();
        assertEquals(0, SbomCommandTest.run(env, "key", "generate", "--output-key-prefix", other).code());
        assertEquals(1, MainTest.run("verify-attestation", image, "--type", "spdx", "--key", other + ".pub").code(),
                "another key");
        assertEquals(2, MainTest.run("verify-attestation", image, "--type", "nonsense", "--key", k + ".pub").code());
    }

    @Test
    void buildsSlsaProvenanceFromTheGithubActionsEnvironment() throws Exception {
        Map<String, String> ci = Map.of("DISTILL_PASSWORD", "pw", "GITHUB_ACTIONS", "true",
                "GITHUB_REPOSITORY", "acme/app", "GITHUB_SHA", "4f2c1e9d0000000000000000000000000000abcd",
                "GITHUB_REF", "refs/tags/v1.0.0", "GITHUB_WORKFLOW_REF",
                "acme/app/.github/workflows/release.yml@refs/tags/v1.0.0", "GITHUB_RUN_ID", "42",
                "GITHUB_EVENT_NAME", "push", "RUNNER_ENVIRONMENT", "github-hosted");
        String k = dir.resolve("slsa").toString();
        assertEquals(0, SbomCommandTest.run(ci, "key", "generate", "--output-key-prefix", k).code());
        String image = "registry:" + registry.host() + "/app/base:v1";
        MainTest.Result noCi = SbomCommandTest.run(Map.of("DISTILL_PASSWORD", "pw"), "attest", image, "--type",
                "slsaprovenance", "--key", k + ".key");
        assertEquals(2, noCi.code());
        assertTrue(noCi.err().contains("no CI environment"), noCi.err());
        assertEquals(0, SbomCommandTest.run(ci, "attest", image, "--type", "slsaprovenance", "--key", k + ".key")
                .code());
        MainTest.Result json = MainTest.run("verify-attestation", image, "--type", "slsaprovenance", "--key",
                k + ".pub", "-o", "json");
        assertEquals(0, json.code(), json.err());
        assertTrue(json.out().contains("\"path\" : \".github/workflows/release.yml\""), json.out());
        assertTrue(json.out().contains("\"gitCommit\" : \"4f2c1e9d0000000000000000000000000000abcd\""), json.out());
        assertTrue(json.out().contains("https://github.com/acme/app/actions/runs/42/attempts/1"), json.out());

        // The same predicate on its own, for other tools: distill provenance.
        Path written = dir.resolve("provenance.json");
        MainTest.Result prov = SbomCommandTest.run(ci, "provenance", "-o", written.toString());
        assertEquals(0, prov.code(), prov.err());
        assertTrue(Files.readString(written).contains("\"gitCommit\":\"4f2c1e9d0000000000000000000000000000abcd\""),
                Files.readString(written));
        MainTest.Result timed = SbomCommandTest.run(ci, "provenance", "--started-on", "2026-11-29T10:00:00Z",
                "--finished-on", "2026-11-29T10:07:30+00:00");
        assertEquals(0, timed.code(), timed.err());
        assertTrue(timed.out().contains("\"startedOn\":\"2026-11-29T10:00:00Z\",\"finishedOn\":\"2026-11-29T10:07:30Z\""),
                timed.out());
        assertEquals(timed.out(), SbomCommandTest.run(ci, "provenance", "--started-on", "2026-11-29T10:00:00Z",
                "--finished-on", "2026-11-29T10:07:30+00:00").out(), "same environment and times, same bytes");
        assertEquals(2, SbomCommandTest.run(ci, "provenance", "--started-on", "yesterday").code());
        MainTest.Result none = SbomCommandTest.run(Map.of(), "provenance");
        assertEquals(3, none.code());
        assertTrue(none.err().contains("no CI environment to build provenance from"), none.err());
    }

    @Test
    void attestsTheSbomOfExactlyTheDigestItSigns() throws Exception {
        Map<String, String> env = Map.of("DISTILL_PASSWORD", "pw", "SOURCE_DATE_EPOCH", "1700000000");
        String k = dir.resolve("onthefly").toString();
        assertEquals(0, SbomCommandTest.run(env, "key", "generate", "--output-key-prefix", k).code());
        String image = "registry:" + registry.host() + "/app/base:v1";
        MainTest.Result attested = SbomCommandTest.run(env, "attest", image, "--type", "cyclonedx", "--sbom",
                "--key", k + ".key");
        assertEquals(0, attested.code(), attested.err());
        MainTest.Result json = MainTest.run("verify-attestation", image, "--type", "cyclonedx", "--key", k + ".pub",
                "-o", "json");
        assertEquals(0, json.code(), json.err());
        assertTrue(json.out().contains("\"bomFormat\" : \"CycloneDX\"") && json.out().contains("pkg:deb/debian/"),
                json.out());
        assertEquals(2, SbomCommandTest.run(env, "attest", image, "--type", "slsaprovenance", "--sbom", "--key",
                k + ".key").code(), "--sbom makes SBOMs only");
    }

    @Test
    void policiesCombineAttestationsProvenanceSbomRulesAndTheAudit() throws Exception {
        Map<String, String> ci = Map.of("DISTILL_PASSWORD", "pw", "GITHUB_ACTIONS", "true",
                "GITHUB_REPOSITORY", "acme/app", "GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567",
                "GITHUB_REF", "refs/tags/v1", "GITHUB_WORKFLOW_REF",
                        "acme/app/.github/workflows/release.yml@refs/tags/v1",
                "GITHUB_RUN_ID", "7");
        skopeo("oci:../fixtures/distroless-base:latest", "docker://" + registry.host() + "/app/policy:v1");
        String k = dir.resolve("pol").toString();
        String image = "registry:" + registry.host() + "/app/policy:v1";
        assertEquals(0, SbomCommandTest.run(ci, "key", "generate", "--output-key-prefix", k).code());
        Path spdx = dir.resolve("policy.spdx.json");
        assertEquals(0, SbomCommandTest.run(ci, "sbom", image, "-o", "spdx-json=" + spdx).code());
        assertEquals(0, SbomCommandTest.run(ci, "attest", image, "--type", "spdx", "--predicate", spdx.toString(),
                "--key", k + ".key").code());
        assertEquals(0, SbomCommandTest.run(ci, "attest", image, "--type", "slsaprovenance", "--key", k + ".key")
                .code());

        Path good = Files.writeString(dir.resolve("good.yaml"), """
                attestations: [spdx, slsaprovenance]
                slsa:
                  builderId: https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1
                  sourceRepository: https://github.com/acme/app
                sbom:
                  denyLicenses: [AGPL-3.0-only]
                  denyPackages: [pkg:deb/debian/bash]
                distroless:
                  forbid: [shell, package-manager, root]
                """);
        MainTest.Result ok = MainTest.run("verify-attestation", image, "--key", k + ".pub", "--policy",
                good.toString());
        assertEquals(0, ok.code(), ok.out() + ok.err());
        assertTrue(ok.out().contains("ok   distroless"), ok.out());

        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                attestations: [spdx, cyclonedx]
                slsa: {builderId: https://github.com/evil/fork/.github/workflows/release.yml@refs/heads/main}
                sbom: {denyPackages: [pkg:deb/debian/libc6], denyLicenses: [MPL-2.0]}
                distroless: {forbid: [no-entrypoint]}
                """);
        MainTest.Result failed = MainTest.run("verify-attestation", image, "--key", k + ".pub", "--policy",
                bad.toString());
        assertEquals(1, failed.code(), failed.out());
        assertEquals("distill: policy failed: attestation https://cyclonedx.org/bom, slsa builder, denied packages, "
                + "denied licenses, distroless\n", failed.err());
        assertTrue(failed.out().contains("pkg:deb/debian/libc6@"), failed.out());
        assertTrue(failed.out().contains("ca-certificates (MPL-2.0)"), failed.out());

        Path typo = Files.writeString(dir.resolve("typo.yaml"), "attestation: [spdx]\n");
        MainTest.Result t = MainTest.run("verify-attestation", image, "--key", k + ".pub", "--policy", typo.toString());
        assertEquals(3, t.code());
        assertTrue(t.err().contains("unknown rule 'attestation'"), t.err());
    }

    @Test
    void allPlatformsSignsAndVerifiesTheIndexAndEveryPlatform() throws Exception {
        Process p = new ProcessBuilder("skopeo", "--insecure-policy", "copy", "--all", "--preserve-digests",
                "--dest-tls-verify=false", "oci:../fixtures/multi-platform:latest",
                "docker://" + registry.host() + "/app/multi:v1").redirectErrorStream(true)
                .redirectOutput(dir.resolve("skopeo-multi.log").toFile()).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0);
        } finally {
            p.destroyForcibly();
        }
        Map<String, String> env = Map.of("DISTILL_PASSWORD", "pw");
        String k = dir.resolve("multi").toString();
        String image = "registry:" + registry.host() + "/app/multi:v1";
        assertEquals(0, SbomCommandTest.run(env, "key", "generate", "--output-key-prefix", k).code());
        assertEquals(0, SbomCommandTest.run(env, "sign", image, "--key", k + ".key").code());
        assertEquals(0, MainTest.run("verify", image, "--key", k + ".pub").code(), "the index is signed");
        MainTest.Result partial = MainTest.run("verify", image, "--key", k + ".pub", "--all-platforms");
        assertEquals(1, partial.code(), "the platform manifests are not: " + partial.out());
        MainTest.Result signedAll = SbomCommandTest.run(env, "sign", image, "--key", k + ".key", "--all-platforms");
        assertEquals(0, signedAll.code(), signedAll.err());
        assertEquals(3, signedAll.out().lines().count(), "the index and two platforms: " + signedAll.out());
        MainTest.Result all = MainTest.run("verify", image, "--key", k + ".pub", "--all-platforms");
        assertEquals(0, all.code(), all.err());
        assertEquals(3, all.out().lines().filter(l -> l.startsWith("Verified OK")).count(), all.out());
    }

    /**
     * Security finding 3 of #22: the distroless rules on a multi-platform index hold for every platform. Here only
     * the arm64 image carries a set-ID program and runs as root; the policy once passed on the index (it audited
     * linux/amd64 alone).
     */
    @Test
    void distrolessRulesOnAnIndexHoldForEveryPlatform() throws Exception {
        var gzip = dev.distill.oci.Compression.GZIP;
        var amd64 = new dev.distill.oci.testing.ImageBuilder().platform(new dev.distill.oci.Platform("linux", "amd64",
                null)).user("65532").entrypoint("/app").layer(new dev.distill.oci.testing.LayerBuilder()
                .file("app", new byte[] {1}, 0755).build(gzip)).build();
        var arm64 = new dev.distill.oci.testing.ImageBuilder().platform(new dev.distill.oci.Platform("linux", "arm64",
                null)).entrypoint("/app").layer(new dev.distill.oci.testing.LayerBuilder()
                .file("app", new byte[] {2}, 0755).file("usr/bin/su", new byte[] {3}, 04755).build(gzip)).build();
        Path layout = dir.resolve("mixed-platforms");
        var writer = new dev.distill.oci.testing.LayoutWriter();
        writer.addIndex(List.of(amd64, arm64), "v1");
        writer.writeDirectory(layout);
        Process p = new ProcessBuilder("skopeo", "--insecure-policy", "copy", "--all", "--preserve-digests",
                "--dest-tls-verify=false", "oci:" + layout + ":v1", "docker://" + registry.host() + "/app/mixed:v1")
                .redirectErrorStream(true).redirectOutput(dir.resolve("skopeo-mixed.log").toFile()).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, Files.readString(
                    dir.resolve("skopeo-mixed.log")));
        } finally {
            p.destroyForcibly();
        }
        String k = dir.resolve("mixed").toString();
        assertEquals(0, SbomCommandTest.run(Map.of("DISTILL_PASSWORD", "pw"), "key", "generate",
                "--output-key-prefix", k).code());
        Path policy = Files.writeString(dir.resolve("every-platform.yaml"), "distroless:\n  forbid: [setuid, root]\n");
        String image = "registry:" + registry.host() + "/app/mixed:v1";
        MainTest.Result r = MainTest.run("verify-attestation", image, "--key", k + ".pub", "--policy",
                policy.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("ok   linux/amd64: distroless"), r.out());
        assertTrue(r.out().contains("FAIL linux/arm64: distroless") && r.out().contains("setuid /usr/bin/su"),
                r.out());
        MainTest.Result byDigest = MainTest.run("verify-attestation", "registry:" + registry.host() + "/app/mixed@"
                + arm64.manifestDigest(), "--key", k + ".pub", "--policy", policy.toString());
        assertEquals(1, byDigest.code(), byDigest.out());
    }
}
