package dev.distill.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import dev.distill.oci.wire.Json;
import dev.distill.oci.wire.ManifestTemplate;
import dev.distill.oci.wire.DescriptorTemplate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
        skopeo("copy", "--all", "--preserve-digests", "--dest-tls-verify=false", "oci:" + Fixtures.path("multi-platform") + ":latest",
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
        assertEquals(a.manifestDigest(), client.head(registry.host(), "pushed/a", "v1").orElseThrow().digest());
        assertTrue(client.head(registry.host(), "pushed/a", "nope").isEmpty());
        try (Image img = open(registry.host() + "/pushed/b:v1", fast())) {
            assertEquals(b.manifestDigest(), img.manifestDigest());
            drain(img);
        }
        // a cross-repository mount: the blob appears in c without being uploaded again
        Digest layer = a.layers().get(0).digest();
        client.pushBlob(registry.host(), "pushed/c", layer, a.layers().get(0).blob().length,
                () -> { throw new AssertionError("a mount uploads nothing"); }, "pushed/a", 0);
        assertTrue(client.hasBlob(registry.host(), "pushed/c", layer));
        RegistryException missing = assertThrows(RegistryException.class,
                () -> open(registry.host() + "/pushed/a:missing", fast()));
        assertTrue(missing.getMessage().contains("no manifest pushed/a:missing (HTTP 404)"), missing.getMessage());
        assertEquals(404, missing.status());
    }

    @Test
    void referrersFallBackToTheTagSchema() throws Exception {
        RegistryClient client = new RegistryClient(fast());
        BuiltImage subject = RandomImages.generate(11, 1);
        Pusher.push(client, registry.host(), "ref/app", "v1", subject, 0);
        byte[] empty = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Digest emptyDigest = Digest.sha256(empty);
        client.pushBlob(registry.host(), "ref/app", emptyDigest, empty.length,
                () -> new java.io.ByteArrayInputStream(empty), null, 0);
        assertEquals(RegistryClient.ReferrersSupport.TAG_SCHEMA,
                client.probeReferrers(registry.host(), "ref/app", subject.manifestDigest()),
                "distribution 2.8 has no referrers API");
        for (String type : List.of("application/vnd.dev.sigstore.bundle.v0.3+json", "application/spdx+json")) {
            ManifestTemplate m = new ManifestTemplate(2, MediaTypes.OCI_MANIFEST, type,
                    new DescriptorTemplate("application/vnd.oci.empty.v1+json", emptyDigest.toString(), empty.length),
                    List.of(), new DescriptorTemplate(MediaTypes.OCI_MANIFEST, subject.manifestDigest().toString(),
                            subject.manifest().length), Map.of("distill.test", type));
            client.pushReferrer(registry.host(), "ref/app", subject.manifestDigest(), MediaTypes.OCI_MANIFEST, type,
                    Json.write(m), Map.of("distill.test", type));
        }
        List<Descriptor> referrers = client.referrers(registry.host(), "ref/app", subject.manifestDigest());
        assertEquals(List.of("application/vnd.dev.sigstore.bundle.v0.3+json", "application/spdx+json"),
                referrers.stream().map(Descriptor::artifactType).toList());
        assertTrue(client.head(registry.host(), "ref/app", RegistryClient.referrersTag(subject.manifestDigest()))
                .isPresent());
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
                    () -> new RegistryClient(fast()).head(proxy.host(), "faults/bad", "latest"));
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
