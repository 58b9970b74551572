package dev.distill.oci.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.Digest;
import dev.distill.oci.ImageException;
import dev.distill.oci.Repository;
import dev.distill.oci.testing.DockerRegistry;
import dev.distill.oci.testing.FaultProxy;
import dev.distill.oci.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The byte-for-byte copier against Debian's docker-registry on loopback: two repositories of one registry (blobs
 * mounted), two registries on two ports (blobs uploaded), a second run that sends nothing, a dry run that writes
 * nothing, and faults through the fault proxy that leave no tag behind.
 */
@Timeout(300)
class ImageCopyTest {
    @TempDir
    static Path dir;
    static DockerRegistry staging;
    static DockerRegistry production;
    static Digest multi;

    static RegistryOptions fast() {
        return RegistryOptions.defaults().withCredentials(CredentialStore.none())
                .withRetries(2, Duration.ofMillis(20), Duration.ofMillis(200)).withTimeout(Duration.ofSeconds(10));
    }

    @BeforeAll
    static void start() throws Exception {
        staging = DockerRegistry.start(dir.resolve("staging"), DockerRegistry.Auth.NONE);
        production = DockerRegistry.start(dir.resolve("production"), DockerRegistry.Auth.NONE);
        Path log = dir.resolve("skopeo.log");
        Process p = new ProcessBuilder("skopeo", "--insecure-policy", "copy", "--all", "--preserve-digests",
                "--dest-tls-verify=false", "oci:" + Fixtures.path("multi-platform") + ":latest",
                "docker://" + staging.host() + "/stage/multi:v1").redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
        multi = new RegistryClient(fast()).resolve(dev.distill.oci.ImageReference.parse(staging.host()
                + "/stage/multi:v1"));
    }

    @AfterAll
    static void stop() throws Exception {
        staging.close();
        production.close();
    }

    /** Every manifest the index stands for, and their bytes, are the same at the destination. */
    private static void sameEverywhere(RegistryClient client, ImageCopy.Result r, String registry, String repository)
            throws IOException {
        for (Digest d : r.manifests()) {
            assertArrayEquals(client.manifest(Repository.of(staging.host(), "stage/multi"), d.toString()).bytes(),
                    client.manifest(Repository.of(registry, repository), d.toString()).bytes(), "manifest " + d);
        }
    }

    @Test
    void copiesEveryPlatformByMountWithinARegistryAndAgainIsANoop() throws Exception {
        RegistryClient client = new RegistryClient(fast());
        ImageCopy copy = new ImageCopy(client);
        ImageCopy.Target to = new ImageCopy.Target(Repository.of(staging.host(), "prod/multi"), "v1");
        ImageCopy.Result first = copy.copy(Repository.of(staging.host(), "stage/multi"), multi, to, false);
        // An index of two platform manifests (skopeo pushed the fixture's inner index).
        assertEquals(3, first.manifests().size(), first.toString());
        assertEquals(3, first.manifestsPushed());
        assertTrue(first.blobsMounted() >= 4, first.toString());
        assertEquals(0, first.blobsUploaded(), first.toString());
        assertTrue(first.tagged() && first.replaced() == null);
        assertEquals(multi, client.head(Repository.of(staging.host(), "prod/multi"), "v1").orElseThrow().digest(),
                "the tag names the same digest: the bytes were not rewritten");
        sameEverywhere(client, first, staging.host(), "prod/multi");

        ImageCopy.Result again = copy.copy(Repository.of(staging.host(), "stage/multi"), multi, to, false);
        assertTrue(again.noop(), again.toString());
        assertEquals(3, again.manifestsPresent());
        assertEquals(first.blobsMounted(), again.blobsPresent());
    }

    @Test
    void uploadsBetweenRegistriesAndADryRunWritesNothing() throws Exception {
        RegistryClient client = new RegistryClient(fast());
        ImageCopy copy = new ImageCopy(client);
        ImageCopy.Target to = new ImageCopy.Target(Repository.of(production.host(), "app/multi"), "1.0");
        ImageCopy.Result plan = copy.copy(Repository.of(staging.host(), "stage/multi"), multi, to, true);
        assertTrue(plan.dryRun() && plan.tagged() && plan.blobsUploaded() >= 4, plan.toString());
        assertFalse(client.head(Repository.of(production.host(), "app/multi"), "1.0").isPresent(),
                "a dry run writes nothing");
        assertFalse(client.head(Repository.of(production.host(), "app/multi"), multi.toString()).isPresent());

        ImageCopy.Result done = copy.copy(Repository.of(staging.host(), "stage/multi"), multi, to, false);
        assertEquals(plan.blobsUploaded(), done.blobsUploaded(), "the plan said what the copy did");
        assertEquals(plan.bytesUploaded(), done.bytesUploaded());
        assertEquals(0, done.blobsMounted(), "no mount between registries");
        assertEquals(multi, client.head(Repository.of(production.host(), "app/multi"), "1.0").orElseThrow().digest());
        sameEverywhere(client, done, production.host(), "app/multi");
        assertTrue(copy.copy(Repository.of(staging.host(), "stage/multi"), multi, to, false).noop());
        assertTrue(copy.copy(Repository.of(staging.host(), "stage/multi"), multi, to, true).noop(),
                "nothing left to plan");
    }

    @Test
    void aRefusedMountFallsBackToAnUpload() throws Exception {
        RegistryClient client = new RegistryClient(fast());
        try (FaultProxy proxy = FaultProxy.start(staging.host())) {
            // Every mount request reaches the registry without its mount query: it opens an upload instead.
            proxy.inject("POST", "/blobs/uploads/", FaultProxy.Kind.DROP_QUERY, 1000);
            ImageCopy.Result r = new ImageCopy(client).copy(Repository.of(proxy.host(), "stage/multi"), multi,
                    new ImageCopy.Target(Repository.of(proxy.host(), "refused/multi"), "v1"), false);
            assertEquals(0, r.blobsMounted(), r.toString());
            assertTrue(r.blobsUploaded() >= 4 && r.bytesUploaded() > 0, r.toString());
        }
        assertEquals(multi, client.head(Repository.of(staging.host(), "refused/multi"), "v1").orElseThrow().digest());
    }

    @Test
    void aFaultMidCopyLeavesNoTagAndACorruptBlobIsNeverPushed() throws Exception {
        RegistryClient client = new RegistryClient(fast());
        try (FaultProxy proxy = FaultProxy.start(production.host())) {
            // Every manifest PUT by digest fails: the copy stops at the first platform manifest, before the tag.
            proxy.inject("PUT", "/manifests/sha256:", FaultProxy.Kind.STATUS_500, 1000);
            ImageCopy.Target to = new ImageCopy.Target(Repository.of(proxy.host(), "faulty/multi"), "v1");
            RegistryException e = assertThrows(RegistryException.class,
                    () -> new ImageCopy(client).copy(Repository.of(staging.host(), "stage/multi"), multi, to, false));
            assertTrue(e.getMessage().contains("/manifests/sha256:") && e.getMessage().contains("HTTP 500"),
                    e.getMessage());
            assertFalse(client.head(Repository.of(production.host(), "faulty/multi"), "v1").isPresent());
            assertFalse(client.head(Repository.of(production.host(), "faulty/multi"), multi.toString()).isPresent());
        }
        try (FaultProxy source = FaultProxy.start(staging.host())) {
            source.inject("GET", "/blobs/sha256:", FaultProxy.Kind.CORRUPT_BODY, 1000);
            ImageCopy.Target to = new ImageCopy.Target(Repository.of(production.host(), "corrupt/multi"), "v1");
            IOException e = assertThrows(IOException.class,
                    () -> new ImageCopy(client).copy(Repository.of(source.host(), "stage/multi"), multi, to, false));
            assertTrue(causes(e).stream().anyMatch(c -> c instanceof ImageException
                    || String.valueOf(c.getMessage()).contains("digest")), causes(e).toString());
            assertFalse(client.head(Repository.of(production.host(), "corrupt/multi"), "v1").isPresent());
            assertFalse(client.head(Repository.of(production.host(), "corrupt/multi"), multi.toString()).isPresent());
        }
    }

    private static List<Throwable> causes(Throwable t) {
        List<Throwable> out = new java.util.ArrayList<>();
        for (Throwable c = t; c != null && out.size() < 10; c = c.getCause()) {
            out.add(c);
        }
        return out;
    }
}
