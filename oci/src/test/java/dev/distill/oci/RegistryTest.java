package dev.distill.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.registry.Artifact;
import dev.distill.oci.registry.CredentialStore;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.registry.RegistryException;
import dev.distill.oci.registry.RegistryOptions;
import dev.distill.oci.testing.DockerRegistry;
import dev.distill.oci.testing.FaultProxy;
import dev.distill.oci.testing.Fixtures;
import dev.distill.oci.testing.ImageBuilder.BuiltImage;
import dev.distill.oci.testing.Pusher;
import dev.distill.oci.testing.RandomImages;
import dev.distill.oci.wire.DescriptorTemplate;
import dev.distill.oci.wire.Json;
import dev.distill.oci.wire.ManifestTemplate;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry client against Debian's docker-registry on loopback. */
class RegistryTest {
    @TempDir
    static Path dir;
    static DockerRegistry registry;

    static RegistryOptions fast() {
        return RegistryOptions.defaults().withCredentials(CredentialStore.none())
                .withRetries(4, Duration.ofMillis(20), Duration.ofSeconds(2)).withTimeout(Duration.ofSeconds(10));
    }

    @BeforeAll
    static void start() throws Exception {
        registry = DockerRegistry.start(dir.resolve("plain"), DockerRegistry.Auth.NONE);
    }

    @AfterAll
    static void stop() throws Exception {
        registry.close();
    }

    static Image open(String ref, RegistryOptions options) throws IOException {
        return ImageSources.open(ref, SourceOptions.defaults().withRegistry(options));
    }

    static byte[] drain(Image img) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Layer l : img.layers()) {
            try (Layer.LayerStream s = l.open(Long.MAX_VALUE, "")) {
                s.transferTo(all);
                s.finish();
            }
        }
        return all.toByteArray();
    }

    static void skopeo(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("skopeo", "--insecure-policy"));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "skopeo", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "skopeo finished");
            assertEquals(0, p.exitValue(), Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void readsWhatSkopeoPushedWithTheSameDigestsAndBytes() throws Exception {
        skopeo("copy", "--preserve-digests", "--dest-tls-verify=false", "oci:" + Fixtures.path("layered") + ":latest",
                "docker://" + registry.host() + "/fixtures/layered:latest");
        try (Image local = ImageSources.open(Fixtures.path("layered").toString(), SourceOptions.defaults());
             Image remote = open("registry:" + registry.host() + "/fixtures/layered:latest", fast());
             Image detected = open(registry.host() + "/fixtures/layered", fast())) {
            assertEquals(SourceKind.REGISTRY, remote.kind());
            assertEquals(local.manifestDigest(), remote.manifestDigest());
            assertEquals(local.manifestDigest(), detected.manifestDigest());
            assertEquals(local.configDescriptor().digest(), remote.configDescriptor().digest());
            assertArrayEquals(drain(local), drain(remote));
        }
    }

    @Test
    void choosesAPlatformFromAPushedIndex() throws Exception {
        skopeo("copy", "--all", "--preserve-digests", "--dest-tls-verify=false",
                "oci:" + Fixtures.path("multi-platform") + ":latest",
                "docker://" + registry.host() + "/fixtures/multi:latest");
        try (Image arm = ImageSources.open(registry.host() + "/fixtures/multi:latest",
                new SourceOptions(Platform.parse("linux/arm64"), true, fast()))) {
            assertEquals(Platform.parse("linux/arm64/v8"), arm.platform());
            drain(arm);
        }
        ImageException e = assertThrows(ImageException.class, () -> ImageSources.open(
                registry.host() + "/fixtures/multi:latest", new SourceOptions(Platform.parse("linux/ppc64le"), true,
                        fast())));
        assertTrue(e.getMessage().contains("available: linux/amd64, linux/arm64/v8"), e.getMessage());
    }

    @Test
    void pushesMonolithicallyAndInChunksAndResolvesTags() throws Exception {
        RegistryClient client = new RegistryClient(fast());
        BuiltImage a = RandomImages.generate(7, 3);
        BuiltImage b = RandomImages.generate(8, 2);
        Pusher.push(client, registry.host(), "pushed/a", "v1", a, 0);
        Pusher.push(client, registry.host(), "pushed/b", "v1", b, 100);
        assertEquals(a.manifestDigest(), client.head(Repository.of(registry.host(), "pushed/a"),
                "v1").orElseThrow().digest());
        assertTrue(client.head(Repository.of(registry.host(), "pushed/a"), "nope").isEmpty());
        try (Image img = open(registry.host() + "/pushed/b:v1", fast())) {
            assertEquals(b.manifestDigest(), img.manifestDigest());
            drain(img);
        }
        // a cross-repository mount: the blob appears in c without being uploaded again
        Digest layer = a.layers().get(0).digest();
        client.pushBlob(Repository.of(registry.host(), "pushed/c"), layer, a.layers().get(0).blob().length,
                () -> { throw new AssertionError("a mount uploads nothing"); }, "pushed/a", 0);
        assertTrue(client.hasBlob(Repository.of(registry.host(), "pushed/c"), layer));
        RegistryException missing = assertThrows(RegistryException.class,
                () -> open(registry.host() + "/pushed/a:missing", fast()));
        assertTrue(missing.getMessage().contains("no manifest pushed/a:missing (HTTP 404)"), missing.getMessage());
        assertEquals(404, missing.status());
    }

    @Test
    void referrersFallBackToTheTagSchema() throws Exception {
        RegistryClient client = new RegistryClient(fast());
        Repository repo = Repository.of(registry.host(), "ref/app");
        BuiltImage subject = RandomImages.generate(11, 1);
        Pusher.push(client, registry.host(), "ref/app", "v1", subject, 0);
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        Digest emptyDigest = Digest.sha256(empty);
        client.pushBlob(repo, emptyDigest, empty.length, () -> new ByteArrayInputStream(empty), null, 0);
        assertEquals(RegistryClient.ReferrersSupport.TAG_SCHEMA, client.referrersSupport(repo, subject.manifestDigest()),
                "distribution 2.8 has no referrers API");
        for (String type : List.of("application/vnd.dev.sigstore.bundle.v0.3+json", "application/spdx+json")) {
            ManifestTemplate m = new ManifestTemplate(2, MediaTypes.OCI_MANIFEST, type,
                    new DescriptorTemplate("application/vnd.oci.empty.v1+json", emptyDigest.toString(), empty.length),
                    List.of(), new DescriptorTemplate(MediaTypes.OCI_MANIFEST, subject.manifestDigest().toString(),
                            subject.manifest().length), Map.of("distill.test", type));
            client.pushReferrer(repo, subject.manifestDigest(), MediaTypes.OCI_MANIFEST, type, Json.write(m),
                    Map.of("distill.test", type));
        }
        List<Descriptor> referrers = client.referrers(repo, subject.manifestDigest());
        assertEquals(List.of("application/vnd.dev.sigstore.bundle.v0.3+json", "application/spdx+json"),
                referrers.stream().map(Descriptor::artifactType).toList());
        assertTrue(client.head(repo, RegistryClient.referrersTag(subject.manifestDigest())).isPresent());
    }

    @Test
    void pushesArtifactsUnderATagOrAsReferrersOfTheirSubject() throws Exception {
        RegistryClient client = new RegistryClient(fast());
        Repository repo = Repository.of(registry.host(), "artifact/app");
        BuiltImage image = RandomImages.generate(12, 1);
        Pusher.push(client, registry.host(), "artifact/app", "v1", image, 0);
        Descriptor subject = client.head(repo, "v1").orElseThrow();
        byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] first = "first".getBytes(StandardCharsets.UTF_8);
        byte[] second = "second".getBytes(StandardCharsets.UTF_8);
        Map<String, String> ordered = new LinkedHashMap<>();
        ordered.put("z.last.key", "1");
        ordered.put("a.first.key", "2");

        // Under a tag: new blobs are pushed, a blob already there is described as it was, annotations keep order.
        Artifact.Blob one = Artifact.Blob.of("application/vnd.test.one", first, ordered);
        Digest tagged = client.pushArtifact(repo, "sha256-test.sig", new Artifact(null,
                Artifact.Blob.of(MediaTypes.OCI_CONFIG, config, null), List.of(one), null, null));
        Digest appended = client.pushArtifact(repo, "sha256-test.sig", new Artifact(null,
                Artifact.Blob.of(MediaTypes.OCI_CONFIG, config, null),
                List.of(Artifact.Blob.present(one.descriptor()), Artifact.Blob.of("application/vnd.test.two", second,
                        null)), null, null));
        RegistryClient.Manifest m = client.manifest(repo, "sha256-test.sig");
        assertEquals(appended, m.digest());
        assertNotEquals(tagged, appended, "the tag moved to the manifest with both layers");
        String json = new String(m.bytes(), StandardCharsets.UTF_8);
        assertTrue(json.indexOf("z.last.key") < json.indexOf("a.first.key"), json);
        ManifestTemplate read = Json.read(m.bytes(), ManifestTemplate.class, "pushed artifact");
        assertEquals(List.of(Digest.sha256(first).toString(), Digest.sha256(second).toString()),
                read.layers().stream().map(DescriptorTemplate::digest).toList());
        assertTrue(client.hasBlob(repo, Digest.sha256(second)));
        assertNull(read.subject());

        // With a subject: by digest, and listed among the subject's referrers with its type and annotations.
        Digest referrer = client.pushArtifact(repo, null, new Artifact("application/vnd.test.artifact",
                Artifact.Blob.of("application/vnd.oci.empty.v1+json", config, null),
                List.of(Artifact.Blob.of("application/vnd.test.one", first, null)), subject, Map.of("k", "v")));
        List<Descriptor> listed = client.referrers(repo, subject.digest());
        assertEquals(List.of(referrer), listed.stream().map(Descriptor::digest).toList());
        assertEquals("application/vnd.test.artifact", listed.get(0).artifactType());
        assertEquals(Map.of("k", "v"), listed.get(0).annotations());
        ManifestTemplate r = Json.read(client.manifest(repo, referrer.toString()).bytes(), ManifestTemplate.class,
                "referrer");
        assertEquals(subject.digest().toString(), r.subject().digest());

        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> client.pushArtifact(repo,
                "v2", new Artifact("t", Artifact.Blob.of(MediaTypes.OCI_CONFIG, config, null), List.of(), subject,
                        null)));
        assertTrue(both.getMessage().contains("exactly one"), both.getMessage());
        assertTrue(client.head(repo, "v2").isEmpty(), "nothing pushed under the tag");
    }

    @Test
    void retriesServerErrorsAndThrottlingThenSucceeds() throws Exception {
        skopeo("copy", "--preserve-digests", "--dest-tls-verify=false", "oci:" + Fixtures.path("layered") + ":latest",
                "docker://" + registry.host() + "/faults/layered:latest");
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            proxy.inject("GET", "/manifests/", FaultProxy.Kind.STATUS_503, 2)
                    .inject("GET", "/blobs/", FaultProxy.Kind.STATUS_500, 1)
                    .inject("GET", "/blobs/", FaultProxy.Kind.TOO_MANY_REQUESTS, 1)
                    .inject("GET", "/blobs/", FaultProxy.Kind.CUT_BODY, 2);
            long start = System.nanoTime();
            try (Image img = open(proxy.host() + "/faults/layered:latest", fast())) {
                try (Image local = ImageSources.open(Fixtures.path("layered").toString(), SourceOptions.defaults())) {
                    assertEquals(local.manifestDigest(), img.manifestDigest());
                    assertArrayEquals(drain(local), drain(img));
                }
            }
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(900),
                    "the 429's Retry-After of one second was honoured");
        }
    }

    @Test
    void aBodyThatStallsIsCutAndResumed() throws Exception {
        skopeo("copy", "--preserve-digests", "--dest-tls-verify=false", "oci:" + Fixtures.path("layered") + ":latest",
                "docker://" + registry.host() + "/faults/stall:latest");
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            proxy.inject("GET", "/blobs/sha256:", FaultProxy.Kind.STALL_BODY, 1);
            long start = System.nanoTime();
            try (Image img = open(proxy.host() + "/faults/stall:latest", fast().withTimeout(Duration.ofSeconds(1)));
                 Image local = ImageSources.open(Fixtures.path("layered").toString(), SourceOptions.defaults())) {
                assertArrayEquals(drain(local), drain(img));
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertTrue(seconds < 15, "the stall was cut after the timeout, not waited out: " + seconds + " s");
        }
    }

    @Test
    void givesUpClearlyAndNeverAcceptsAWrongDigest() throws Exception {
        skopeo("copy", "--preserve-digests", "--dest-tls-verify=false", "oci:" + Fixtures.path("layered") + ":latest",
                "docker://" + registry.host() + "/faults/bad:latest");
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            proxy.inject("GET", "/manifests/", FaultProxy.Kind.STATUS_500, 100);
            RegistryException e = assertThrows(RegistryException.class,
                    () -> open(proxy.host() + "/faults/bad:latest", fast()));
            assertTrue(e.getMessage().contains("registry " + proxy.host() + ", repository faults/bad")
                    && e.getMessage().contains("HTTP 500 4 times"), e.getMessage());
        }
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            proxy.inject("GET", "/blobs/", FaultProxy.Kind.CORRUPT_BODY, 100);
            ImageException e = assertThrows(ImageException.class, () -> {
                try (Image img = open(proxy.host() + "/faults/bad:latest", fast())) {
                    drain(img);
                }
            });
            assertTrue(e.getMessage().contains("has digest") || e.getMessage().contains("corrupt"), e.getMessage());
        }
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            proxy.inject("GET", "/manifests/", FaultProxy.Kind.CORRUPT_BODY, 100);
            ImageException e = assertThrows(ImageException.class,
                    () -> open(proxy.host() + "/faults/bad@" + ImageSources.open(Fixtures.path("layered").toString(),
                            SourceOptions.defaults()).manifestDigest(), fast()));
            assertTrue(e.getMessage().contains("has digest"), e.getMessage());
        }
        try (FaultProxy proxy = FaultProxy.start(registry.host())) {
            proxy.inject("HEAD", "/manifests/", FaultProxy.Kind.BAD_DIGEST_HEADER, 100);
            ImageException e = assertThrows(ImageException.class,
                    () -> new RegistryClient(fast()).head(Repository.of(proxy.host(), "faults/bad"), "latest"));
            assertTrue(e.getMessage().contains("malformed Docker-Content-Digest"), e.getMessage());
        }
    }

    @Test
    void plainHttpOnlyForLoopbackOrChosenHosts() throws IOException {
        RegistryClient client = new RegistryClient(fast().withInsecureHosts(Set.of("registry.internal:5000")));
        assertTrue(client.toString() != null);
        ImageException e = assertThrows(ImageException.class, () -> ImageSources.open(
                "registry:localhost:" + DockerRegistry.freePort() + "/nothing:here",
                SourceOptions.defaults().withRegistry(fast().withRetries(1, Duration.ZERO, Duration.ZERO))));
        assertTrue(e.getMessage().endsWith("connection refused"), e.getMessage());
    }

}
