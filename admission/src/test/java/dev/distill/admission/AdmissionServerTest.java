package dev.distill.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server over real TLS on loopback: operations endpoints, bad bodies, and a registry that is down. */
class AdmissionServerTest {
    @TempDir
    Path dir;

    @Test
    void answersOverTlsAndFailsClosedWhenTheRegistryIsDown() throws Exception {
        TestTls tls = TestTls.make(dir);
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "attestations: [spdx]\n");
        List<String> log = new CopyOnWriteArrayList<>();
        AdmissionConfig config = AdmissionConfig.builder(List.of(policy), tls.cert(), tls.key(),
                Signers.key(TestTls.publicKey(dir)))
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).maxBodyBytes(4096)
                .deadline(Duration.ofSeconds(5)).log(log::add).build();

        HttpClient http = HttpClient.newBuilder().sslContext(tls.client()).connectTimeout(Duration.ofSeconds(5))
                .build();

        try (AdmissionServer s = AdmissionServer.start(config)) {
            String base = "https://127.0.0.1:" + s.address().getPort();
            assertEquals(200, get(http, base + "/healthz").statusCode());
            assertEquals(200, get(http, base + "/readyz").statusCode());
            assertEquals(400, post(http, base + "/validate", "{not json").statusCode());
            HttpResponse<String> big = post(http, base + "/validate", "x".repeat(5000));
            assertEquals(413, big.statusCode(), big.body());

            AdmissionReview review = new AdmissionReviewBuilder().withApiVersion("admission.k8s.io/v1")
                    .withKind("AdmissionReview").withNewRequest().withUid("u-1").withOperation("CREATE")
                    .withNamespace("default").withNewKind("", "Pod", "v1")
                    .withObject(new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                            .addNewContainer().withName("app").withImage("127.0.0.1:1/app:v1").endContainer()
                            .endSpec().build())
                    .endRequest().build();
            HttpResponse<String> denied = post(http, base + "/validate", Reviewer.JSON.writeValueAsString(review));
            assertEquals(200, denied.statusCode(), denied.body());
            AdmissionReview answer = Reviewer.JSON.readValue(denied.body(), AdmissionReview.class);
            assertEquals("u-1", answer.getResponse().getUid());
            assertFalse(answer.getResponse().getAllowed(), denied.body());
            String message = answer.getResponse().getStatus().getMessage();
            assertTrue(message.contains("image 127.0.0.1:1/app:v1: the registry could not be read"), message);

            String metrics = get(http, base + "/metrics").body();
            assertTrue(metrics.contains("distill_admission_decisions_total{endpoint=\"validate\",result=\"denied\"} 1"),
                    metrics);
            assertTrue(metrics.contains("distill_admission_registry_errors_total 1"), metrics);
            assertTrue(log.stream().anyMatch(l -> l.contains("\"event\":\"decision\"") && l.contains("\"uid\":\"u-1\"")
                    && l.contains("\"allowed\":false")), String.join("\n", log));

            Files.writeString(policy, "attestations: [\n");
            s.reload();
            assertTrue(log.stream().anyMatch(l -> l.contains("policy-reload-failed")), String.join("\n", log));
            assertEquals(200, get(http, base + "/readyz").statusCode(), "a bad policy keeps the old one");
        }
        assertTrue(log.get(log.size() - 1).contains("\"event\":\"stopped\""), String.join("\n", log));
    }

    @Test
    void aGoodPolicyReloadJudgesTheNextReviewAndNeverAnswersFromTheOldPolicysDecisions() throws Exception {
        TestTls tls = TestTls.make(dir);
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "images:\n  - glob: 127.0.0.1:1/app/**\n"
                + "    attestations: [spdx]\n");
        List<String> log = new CopyOnWriteArrayList<>();
        AdmissionConfig config = AdmissionConfig.builder(List.of(policy), tls.cert(), tls.key(),
                Signers.key(TestTls.publicKey(dir)))
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).deadline(Duration.ofSeconds(5))
                .log(log::add).build();
        HttpClient http = HttpClient.newBuilder().sslContext(tls.client()).connectTimeout(Duration.ofSeconds(5))
                .build();
        String image = "127.0.0.1:1/other/app@sha256:" + "0".repeat(64);
        try (AdmissionServer s = AdmissionServer.start(config)) {
            String base = "https://127.0.0.1:" + s.address().getPort();
            String before = denial(http, base, "r-1", image);
            assertTrue(before.contains("no policy and no section of one applies to 127.0.0.1:1/other/app"), before);

            // The new policy covers the image: it is verified now (and its registry is down), not answered from
            // the decision cached under the old policy.
            Files.writeString(policy, "images:\n  - glob: 127.0.0.1:1/**\n    attestations: [spdx]\n");
            s.reload();
            assertTrue(log.stream().anyMatch(l -> l.contains("\"event\":\"policy-reloaded\"")), String.join("\n", log));
            String after = denial(http, base, "r-2", image);
            assertTrue(after.contains("image " + image + ": the registry could not be read"), after);
            String metrics = get(http, base + "/metrics").body();
            assertTrue(metrics.contains("distill_admission_reloads_total{result=\"ok\",what=\"policy\"} 1")
                    || metrics.contains("distill_admission_reloads_total{what=\"policy\",result=\"ok\"} 1"), metrics);
        }
    }

    /** POSTs a review of a Pod of one image and returns the denial's message (it must be denied). */
    private static String denial(HttpClient http, String base, String uid, String image) throws Exception {
        AdmissionReview review = new AdmissionReviewBuilder().withApiVersion("admission.k8s.io/v1")
                .withKind("AdmissionReview").withNewRequest().withUid(uid).withOperation("CREATE")
                .withNamespace("default").withNewKind("", "Pod", "v1")
                .withObject(new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                        .addNewContainer().withName("app").withImage(image).endContainer().endSpec().build())
                .endRequest().build();
        HttpResponse<String> r = post(http, base + "/validate", Reviewer.JSON.writeValueAsString(review));
        assertEquals(200, r.statusCode(), r.body());
        AdmissionReview answer = Reviewer.JSON.readValue(r.body(), AdmissionReview.class);
        assertEquals(uid, answer.getResponse().getUid());
        assertFalse(answer.getResponse().getAllowed(), r.body());
        return answer.getResponse().getStatus().getMessage();
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(HttpClient http, String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
