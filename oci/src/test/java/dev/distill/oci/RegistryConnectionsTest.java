package dev.distill.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distill.oci.registry.CredentialStore;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.registry.RegistryOptions;
import dev.distill.oci.testing.DockerRegistry;
import dev.distill.oci.testing.FaultProxy;
import dev.distill.oci.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HEADs reuse the client's connection: the JDK client closes a connection whose response body is closed before
 * its end arrived, so a HEAD answer closed at once made a new connection for many of the HEADs that followed (27
 * for these 300; 566 for 5,500 HEADs of a tag against docker-registry); the admission webhook resolves a tag with
 * one HEAD per review.
 */
class RegistryConnectionsTest {
    @TempDir
    Path dir;

    @Test
    void headsOfManifestsAndBlobsKeepOneConnection() throws Exception {
        try (DockerRegistry registry = DockerRegistry.start(dir.resolve("registry"), DockerRegistry.Auth.NONE)) {
            Path log = dir.resolve("skopeo.log");
            Process p = new ProcessBuilder("skopeo", "--insecure-policy", "copy", "--dest-tls-verify=false",
                    "oci:" + Fixtures.path("layered") + ":latest", "docker://" + registry.host() + "/keep/app:v1")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, Files.readString(log));
            } finally {
                p.destroyForcibly();
            }
            try (FaultProxy proxy = FaultProxy.start(registry.host())) {
                RegistryClient client = new RegistryClient(RegistryOptions.defaults()
                        .withCredentials(CredentialStore.none()));
                ImageReference tag = ImageReference.parse(proxy.host() + "/keep/app:v1");
                Digest digest = client.resolve(tag);
                Digest config = Digest.parse(new ObjectMapper().readTree(client.manifest(Repository.of(proxy.host(), "keep/app"),
                        digest.toString()).bytes()).path("config").path("digest").asText());
                int before = proxy.connections();
                for (int i = 0; i < 150; i++) {
                    assertEquals(digest, client.resolve(tag));
                    assertTrue(client.hasBlob(Repository.of(proxy.host(), "keep/app"), config));
                }
                assertEquals(300, proxy.requests() - 2);
                assertTrue(proxy.connections() - before <= 1, "300 HEADs one after another opened "
                        + (proxy.connections() - before) + " more connections");
            }
        }
    }
}
