package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.oci.Repository;
import dev.distill.oci.testing.DockerRegistry;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code distill admission} end to end: images pushed to Debian's docker-registry on loopback and signed and
 * attested with {@code distill sign} / {@code distill attest}, the webhook run as its own process (the real
 * command, stopped with SIGTERM) over TLS with a certificate openssl makes, and AdmissionReviews built with
 * fabric8's model POSTed to it.
 */
class AdmissionCommandTest {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Map<String, String> PW = Map.of("DISTILL_PASSWORD", "pw");

    @TempDir
    static Path dir;
    static DockerRegistry registry;
    static Webhook webhook;
    static HttpClient http;

    /** The command in a JVM of its own, its standard output in a file. */
    record Webhook(Process process, Path out, Path err, int port) implements AutoCloseable {
        static Webhook start(Path dir, String name, Map<String, String> env, String... args) throws Exception {
            Path out = dir.resolve(name + ".out");
            Path err = dir.resolve(name + ".err");
            ProcessBuilder pb = new ProcessBuilder(CliProcess.command(List.of("-Xmx256m"), args))
                    .directory(dir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            Pattern started = Pattern.compile("\"event\":\"started\",\"listen\":\"[^\"]*:(\\d+)\"");
            try {
                for (int i = 0; i < 600; i++) {
                    Matcher m = started.matcher(Files.readString(out));
                    if (m.find()) {
                        return new Webhook(p, out, err, Integer.parseInt(m.group(1)));
                    }
                    if (!p.isAlive()) {
                        break;
                    }
                    Thread.sleep(100);
                }
            } catch (Exception e) {
                p.destroyForcibly();
                throw e;
            }
            p.destroyForcibly();
            throw new AssertionError("distill admission did not start: " + Files.readString(out)
                    + Files.readString(err));
        }

        String base() {
            return "https://127.0.0.1:" + port;
        }

        /** SIGTERM, and the exit code once it has stopped. */
        int stop() throws Exception {
            process.destroy();
            try {
                assertTrue(process.waitFor(30, TimeUnit.SECONDS), "distill admission did not stop on SIGTERM");
                return process.exitValue();
            } finally {
                process.destroyForcibly();
            }
        }

        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                stop();
            }
        }
    }

    static String image(String repo) {
        return registry.host() + "/" + repo + ":v1";
    }

    @BeforeAll
    static void start() throws Exception {
        registry = DockerRegistry.start(dir.resolve("registry"), DockerRegistry.Auth.NONE);
        for (String repo : List.of("app/signed", "app/unsigned", "app/other-signer", "trial/unsigned",
                "elsewhere/uncovered")) {
            SignCommandTest.skopeo(dir, "oci:../fixtures/layered:latest", "docker://" + image(repo));
        }
        SignCommandTest.skopeo(dir, "oci:../fixtures/distroless-base:latest", "docker://" + image("app/base"));
        String a = dir.resolve("a").toString();
        String b = dir.resolve("b").toString();
        assertEquals(0, SbomCommandTest.run(PW, "key", "generate", "--output-key-prefix", a).code());
        assertEquals(0, SbomCommandTest.run(PW, "key", "generate", "--output-key-prefix", b).code());
        SignCommandTest.skopeo(dir, "oci:../fixtures/layered:latest", "docker://" + image("app/concurrent"));
        SignCommandTest.skopeo(dir, "oci:../fixtures/layered:latest", "docker://" + image("app/moving"));
        for (String repo : List.of("app/signed", "app/base", "app/concurrent", "app/moving")) {
            MainTest.Result s = SbomCommandTest.run(PW, "sign", "registry:" + image(repo), "--key", a + ".key");
            assertEquals(0, s.code(), s.err());
            MainTest.Result at = SbomCommandTest.run(PW, "attest", "registry:" + image(repo), "--type", "spdx",
                    "--sbom", "--key", a + ".key");
            assertEquals(0, at.code(), at.err());
        }
        assertEquals(0, SbomCommandTest.run(PW, "sign", "registry:" + image("app/other-signer"), "--key",
                b + ".key").code());
        assertEquals(0, SbomCommandTest.run(PW, "attest", "registry:" + image("app/other-signer"), "--type", "spdx",
                "--sbom", "--key", b + ".key").code());

        // Every app/ image must be signed by key a and carry an SPDX SBOM attested with it; trial/ images are
        // judged in warn mode.
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "images:\n"
                + "  - glob: " + registry.host() + "/app/**\n"
                + "    signers:\n      - key: " + a + ".pub\n"
                + "    attestations: [spdx]\n"
                + "  - glob: " + registry.host() + "/trial/**\n"
                + "    mode: warn\n"
                + "    signers:\n      - key: " + a + ".pub\n");
        Path[] tls = tls(dir);
        http = HttpClient.newBuilder().sslContext(trusting(tls[0])).connectTimeout(Duration.ofSeconds(5)).build();
        webhook = Webhook.start(dir, "webhook", Map.of(), "admission", "--policy", policy.toString(), "--tls-cert",
                tls[0].toString(), "--tls-key", tls[1].toString(), "--key", a + ".pub", "--listen", "127.0.0.1:0",
                "--deadline", "8s");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (webhook != null) {
                webhook.close();
            }
        } finally {
            registry.close();
        }
    }

    /** A certificate for 127.0.0.1 and its key, made by openssl now: {cert, key}. */
    static Path[] tls(Path dir) throws Exception {
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        MainTest.Result r = CliProcess.exec(dir, Map.of(), List.of("openssl", "req", "-x509", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out",
                cert.toString(), "-days", "1", "-subj", "/CN=distill-admission-test", "-addext",
                "subjectAltName=IP:127.0.0.1"));
        assertEquals(0, r.code(), r.err());
        return new Path[] {cert, key};
    }

    static SSLContext trusting(Path cert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("webhook", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    static AdmissionReview review(String uid, String kind, String group, String version, KubernetesResource object) {
        return new AdmissionReviewBuilder().withApiVersion("admission.k8s.io/v1").withKind("AdmissionReview")
                .withNewRequest().withUid(uid).withOperation("CREATE").withNamespace("default")
                .withNewKind(group, kind, version).withObject(object).endRequest().build();
    }

    static AdmissionReview pod(String uid, String... images) {
        PodBuilder p = new PodBuilder().withNewMetadata().withName("p-" + uid).endMetadata();
        var spec = p.withNewSpec();
        for (int i = 0; i < images.length; i++) {
            spec = spec.addNewContainer().withName("c" + i).withImage(images[i]).endContainer();
        }
        return review(uid, "Pod", "", "v1", spec.endSpec().build());
    }

    static AdmissionResponse post(Webhook w, String endpoint, AdmissionReview review) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(w.base() + endpoint))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(review))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        AdmissionResponse resp = JSON.readValue(r.body(), AdmissionReview.class).getResponse();
        assertEquals(review.getRequest().getUid(), resp.getUid(), "the answer is about the request sent");
        return resp;
    }

    static String digest(String repo) throws Exception {
        var client = new dev.distill.oci.registry.RegistryClient(dev.distill.oci.registry.RegistryOptions.defaults());
        return client.head(Repository.of(registry.host(), repo), "v1").orElseThrow().digest().toString();
    }

    @Test
    void admitsTheSignedImageAndDeniesUnsignedAndWrongSigner() throws Exception {
        AdmissionResponse ok = post(webhook, "/validate", pod("signed", image("app/signed")));
        assertTrue(ok.getAllowed(), String.valueOf(ok.getStatus()));
        assertTrue(ok.getWarnings() == null || ok.getWarnings().isEmpty(), String.valueOf(ok.getWarnings()));

        AdmissionResponse unsigned = post(webhook, "/validate", pod("unsigned", image("app/unsigned")));
        assertFalse(unsigned.getAllowed());
        String why = unsigned.getStatus().getMessage();
        assertEquals(403, unsigned.getStatus().getCode());
        assertTrue(why.startsWith("distill: denied: image " + image("app/unsigned") + " (" + digest("app/unsigned")
                + "): rule '"), why);
        assertTrue(why.contains("signer key " + dir.resolve("a") + ".pub") && why.contains("attestation "), why);

        AdmissionResponse other = post(webhook, "/validate", pod("other", image("app/other-signer")));
        assertFalse(other.getAllowed());
        String otherWhy = other.getStatus().getMessage();
        assertTrue(otherWhy.contains("image " + image("app/other-signer")) && otherWhy.contains("signer key "),
                otherWhy);
        assertTrue(otherWhy.contains("attestation https://spdx.dev/Document"), "its SBOM is attested by key b: "
                + otherWhy);

        AdmissionResponse nowhere = post(webhook, "/validate", pod("nowhere", image("elsewhere/uncovered")));
        assertFalse(nowhere.getAllowed(), "an image no policy section covers is denied");
        assertTrue(nowhere.getStatus().getMessage().contains("no policy and no section of one applies to "
                + registry.host() + "/elsewhere/uncovered"), nowhere.getStatus().getMessage());
    }

    @Test
    void warnModeAdmitsWithWarnings() throws Exception {
        AdmissionResponse r = post(webhook, "/validate", pod("trial", image("trial/unsigned")));
        assertTrue(r.getAllowed(), String.valueOf(r.getStatus()));
        assertNull(r.getStatus(), "nothing denied");
        assertNotNull(r.getWarnings());
        assertFalse(r.getWarnings().isEmpty());
        assertTrue(r.getWarnings().get(0).startsWith("distill: image " + image("trial/unsigned") + " ("
                + digest("trial/unsigned") + "): rule '"), r.getWarnings().toString());
        assertTrue(r.getWarnings().get(0).contains("(warn mode)"), r.getWarnings().toString());
    }

    @Test
    void aDeploymentOfSeveralContainersIsJudgedImageByImageAndMutatePinsEveryOne() throws Exception {
        Deployment allSigned = deployment("web", image("app/signed"), image("app/signed"), image("app/base"),
                image("app/signed"));
        AdmissionResponse ok = post(webhook, "/validate", review("dep-ok", "Deployment", "apps", "v1", allSigned));
        assertTrue(ok.getAllowed(), String.valueOf(ok.getStatus()));

        Deployment oneUnsigned = deployment("mixed", image("app/signed"), image("app/signed"), image("app/unsigned"),
                image("app/base"));
        AdmissionResponse denied = post(webhook, "/validate", review("dep-bad", "Deployment", "apps", "v1",
                oneUnsigned));
        assertFalse(denied.getAllowed());
        String why = denied.getStatus().getMessage();
        assertTrue(why.contains("image " + image("app/unsigned")), why);
        assertFalse(why.contains("image " + image("app/signed")) || why.contains("image " + image("app/base")),
                "only the unsigned image is named: " + why);
        AdmissionResponse noPatch = post(webhook, "/mutate", review("dep-bad-m", "Deployment", "apps", "v1",
                oneUnsigned));
        assertFalse(noPatch.getAllowed());
        assertNull(noPatch.getPatch(), "a denied object is not patched");

        AdmissionResponse m = post(webhook, "/mutate", review("dep-m", "Deployment", "apps", "v1", allSigned));
        assertTrue(m.getAllowed(), String.valueOf(m.getStatus()));
        assertEquals("JSONPatch", m.getPatchType());
        JsonArray patch = Json.createReader(new StringReader(new String(Base64.getDecoder().decode(m.getPatch()),
                StandardCharsets.UTF_8))).readArray();
        JsonObject before = Json.createReader(new StringReader(JSON.writeValueAsString(allSigned))).readObject();
        JsonObject after = Json.createPatch(patch).apply(before);
        Deployment pinned = JSON.readValue(after.toString(), Deployment.class);
        var spec = pinned.getSpec().getTemplate().getSpec();
        String signed = registry.host() + "/app/signed@" + digest("app/signed");
        String base = registry.host() + "/app/base@" + digest("app/base");
        assertEquals(List.of(signed), spec.getInitContainers().stream().map(c -> c.getImage()).toList());
        assertEquals(List.of(signed, base, signed), spec.getContainers().stream().map(c -> c.getImage()).toList());
        assertEquals(allSigned.getMetadata(), pinned.getMetadata(), "nothing but the images changed");

        String metrics = http.send(HttpRequest.newBuilder(URI.create(webhook.base() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher hits = Pattern.compile("distill_admission_cache_hits_total (\\d+)").matcher(metrics);
        assertTrue(hits.find(), metrics);
        assertTrue(Integer.parseInt(hits.group(1)) >= 2, "the second review of the same images is answered from "
                + "the cache: " + metrics);
    }

    @Test
    void eachImageIsDecidedOncePerRequestAndConcurrentRequestsShareOneVerification() throws Exception {
        Map<String, Long> before = counters();
        String img = image("app/concurrent");
        List<java.util.concurrent.CompletableFuture<AdmissionResponse>> answers = new ArrayList<>();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            for (int i = 0; i < 8; i++) {
                AdmissionReview r = pod("conc-" + i, img, img, img);
                answers.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return post(webhook, "/validate", r);
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                }, pool));
            }
            for (var a : answers) {
                assertTrue(a.get(60, TimeUnit.SECONDS).getAllowed());
            }
        } finally {
            pool.shutdownNow();
        }
        Map<String, Long> after = counters();
        assertEquals(1, after.get("misses") - before.get("misses"), "one verification for 8 requests: " + after);
        assertEquals(1, after.get("verifications") - before.get("verifications"), after.toString());
        assertEquals(7, after.get("hits") - before.get("hits"), "one decision per request, not one per container "
                + "(3 name the image): " + after);
    }

    private static Map<String, Long> counters() throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(webhook.base() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Long> out = new java.util.HashMap<>();
        for (String[] c : List.of(new String[] {"hits", "distill_admission_cache_hits_total"},
                new String[] {"misses", "distill_admission_cache_misses_total"},
                new String[] {"verifications", "distill_admission_verification_seconds_count"})) {
            Matcher m = Pattern.compile("(?m)^" + c[1] + " (\\d+(\\.\\d+)?)").matcher(metrics);
            assertTrue(m.find(), c[1] + " in " + metrics);
            out.put(c[0], (long) Double.parseDouble(m.group(1)));
        }
        return out;
    }

    @Test
    void aMovedTagIsJudgedByTheDigestItHadUntilTheTagTtlEndsAndAtOnceWithTagTtlZero() throws Exception {
        String img = image("app/moving");
        String signed = digest("app/moving");
        AdmissionResponse first = post(webhook, "/mutate", pod("move-1", img));
        assertTrue(first.getAllowed(), String.valueOf(first.getStatus()));
        assertEquals(registry.host() + "/app/moving@" + signed, pinnedImage(first));

        // The tag now names an image nobody signed in this repository.
        SignCommandTest.skopeo(dir, "oci:../fixtures/distroless-base:latest", "docker://" + img);
        String moved = digest("app/moving");
        assertFalse(moved.equals(signed));
        AdmissionResponse within = post(webhook, "/mutate", pod("move-2", img));
        assertTrue(within.getAllowed(), "within --tag-ttl (30 s) the tag's resolution is reused: "
                + within.getStatus());
        assertEquals(registry.host() + "/app/moving@" + signed, pinnedImage(within), "and /mutate pins the digest "
                + "that was verified, not what the tag names now");

        Path[] tls = tls(Files.createDirectories(dir.resolve("tag-ttl0")));
        try (Webhook w = Webhook.start(dir, "tag-ttl0", Map.of(), "admission", "--policy",
                dir.resolve("policy.yaml").toString(), "--tls-cert", tls[0].toString(), "--tls-key",
                tls[1].toString(), "--key", dir.resolve("a") + ".pub", "--listen", "127.0.0.1:0", "--tag-ttl", "0")) {
            HttpResponse<String> r = HttpClient.newBuilder().sslContext(trusting(tls[0])).build().send(
                    HttpRequest.newBuilder(URI.create(w.base() + "/validate")).POST(HttpRequest.BodyPublishers
                            .ofString(JSON.writeValueAsString(pod("move-3", img)))).build(),
                    HttpResponse.BodyHandlers.ofString());
            AdmissionResponse now = JSON.readValue(r.body(), AdmissionReview.class).getResponse();
            assertFalse(now.getAllowed(), "with --tag-ttl 0 the tag is resolved on every review");
            assertTrue(now.getStatus().getMessage().startsWith("distill: denied: image " + img + " (" + moved + ")"),
                    now.getStatus().getMessage());
        }
    }

    /**
     * The key files a decision depends on (a policy's signer key, and --key for attestations) are reloaded like the
     * policy: a replaced key judges the next review and no decision made with the old key is used again; a file
     * that is not a key keeps the key loaded (an image not decided before is still judged with it) and is logged.
     */
    @Test
    void aReplacedKeyFileIsReloadedAndDecisionsMadeWithTheOldKeyAreNotUsed() throws Exception {
        Path keys = Files.createDirectories(dir.resolve("reload"));
        Path a = Path.of(dir.resolve("a") + ".pub");
        Path b = Path.of(dir.resolve("b") + ".pub");
        Path signerKey = Files.copy(a, keys.resolve("signer.pub"));
        Path attestKey = Files.copy(a, keys.resolve("attest.pub"));
        Path policy = Files.writeString(keys.resolve("policy.yaml"), "images:\n"
                + "  - glob: " + registry.host() + "/app/**\n"
                + "    signers:\n      - key: signer.pub\n"
                + "    attestations: [spdx]\n");
        Path[] tls = tls(keys);
        HttpClient client = HttpClient.newBuilder().sslContext(trusting(tls[0])).build();
        try (Webhook w = Webhook.start(keys, "reload", Map.of(), "admission", "--policy", policy.toString(),
                "--tls-cert", tls[0].toString(), "--tls-key", tls[1].toString(), "--key", attestKey.toString(),
                "--listen", "127.0.0.1:0", "--reload-interval", "200ms")) {
            assertTrue(review(client, w, "reload-1", image("app/signed")).getAllowed(), "signed with key a");

            Files.writeString(signerKey, "not a key\n");
            awaitLog(w, "\"event\":\"policy-reload-failed\"");
            assertTrue(Files.readString(w.out()).contains(signerKey.toString()), Files.readString(w.out()));
            AdmissionResponse kept = review(client, w, "reload-2", image("app/base"));
            assertTrue(kept.getAllowed(), "decided now, with the key loaded before: " + kept.getStatus());

            Files.copy(b, signerKey, StandardCopyOption.REPLACE_EXISTING);
            String signerDenial = awaitDenial(client, w, "reload-3", image("app/signed"));
            assertTrue(signerDenial.contains("signer key " + signerKey), signerDenial);
            assertFalse(signerDenial.contains("attestation https://spdx.dev/Document"), signerDenial);
            awaitLog(w, "\"event\":\"policy-reloaded\",\"policyHash\":\"sha256:[0-9a-f]{64}\",\"changed\":"
                    + "\\[\"" + Pattern.quote(signerKey.toString()) + "\"\\]");

            // The signer is key a again, but attestations must now be signed with key b.
            Files.copy(a, signerKey, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(b, attestKey, StandardCopyOption.REPLACE_EXISTING);
            String attestDenial = "";
            for (int i = 0; i < 100 && !attestDenial.contains("attestation https://spdx.dev/Document"); i++) {
                attestDenial = awaitDenial(client, w, "reload-4-" + i, image("app/signed"));
                Thread.sleep(100);
            }
            assertTrue(attestDenial.contains("attestation https://spdx.dev/Document")
                    && !attestDenial.contains("signer key "), attestDenial);

            String metrics = client.send(HttpRequest.newBuilder(URI.create(w.base() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher ok = Pattern.compile("(?m)^distill_admission_reloads_total\\{(?=[^}]*result=\"ok\")"
                    + "(?=[^}]*what=\"policy\")[^}]*} (\\d+)").matcher(metrics);
            assertTrue(ok.find() && Double.parseDouble(ok.group(1)) >= 2, metrics);
            assertTrue(Pattern.compile("(?m)^distill_admission_reloads_total\\{(?=[^}]*result=\"failed\")"
                    + "(?=[^}]*what=\"policy\")").matcher(metrics).find(), metrics);
        }
    }

    private static AdmissionResponse review(HttpClient client, Webhook w, String uid, String image)
            throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(w.base() + "/validate"))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                        pod(uid, image)))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readValue(r.body(), AdmissionReview.class).getResponse();
    }

    /** Reviews the image until it is denied (at most 10 s: the reload interval is 200 ms); the denial's message. */
    private static String awaitDenial(HttpClient client, Webhook w, String uid, String image) throws Exception {
        for (int i = 0; i < 100; i++) {
            AdmissionResponse r = review(client, w, uid + "-" + i, image);
            if (!r.getAllowed()) {
                return r.getStatus().getMessage();
            }
            Thread.sleep(100);
        }
        throw new AssertionError(image + " still admitted 10 s after its key changed: " + Files.readString(w.out()));
    }

    private static void awaitLog(Webhook w, String regex) throws Exception {
        Pattern p = Pattern.compile(regex);
        for (int i = 0; i < 100; i++) {
            if (p.matcher(Files.readString(w.out())).find()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no log line matching " + regex + " within 10 s: " + Files.readString(w.out()));
    }

    /** The one image a /mutate answer's patch writes. */
    private static String pinnedImage(AdmissionResponse r) {
        JsonArray patch = Json.createReader(new StringReader(new String(Base64.getDecoder().decode(r.getPatch()),
                StandardCharsets.UTF_8))).readArray();
        assertEquals(1, patch.size(), patch.toString());
        return patch.getJsonObject(0).getString("value");
    }

    static Deployment deployment(String name, String init, String... images) {
        var spec = new DeploymentBuilder().withNewMetadata().withName(name).withNamespace("default").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata().withNewSpec()
                .addNewInitContainer().withName("init").withImage(init).endInitContainer();
        for (int i = 0; i < images.length; i++) {
            spec = spec.addNewContainer().withName("c" + i).withImage(images[i]).endContainer();
        }
        return spec.endSpec().endTemplate().endSpec().build();
    }

    @Test
    void stopsGracefullyOnSigterm() throws Exception {
        Path[] tls = tls(Files.createDirectories(dir.resolve("sigterm")));
        try (Webhook w = Webhook.start(dir, "sigterm", Map.of(), "admission", "--policy",
                dir.resolve("policy.yaml").toString(), "--tls-cert", tls[0].toString(), "--tls-key",
                tls[1].toString(), "--key", dir.resolve("a") + ".pub", "--listen", "127.0.0.1:0")) {
            HttpResponse<String> ready = HttpClient.newBuilder().sslContext(trusting(tls[0])).build().send(
                    HttpRequest.newBuilder(URI.create(w.base() + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode());
            long t0 = System.nanoTime();
            int code = w.stop();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(143, code, "the JVM's exit on SIGTERM");
            List<String> lines = Files.readAllLines(w.out());
            assertTrue(lines.get(lines.size() - 2).contains("\"event\":\"stopping\"")
                    && lines.get(lines.size() - 1).contains("\"event\":\"stopped\""), String.join("\n", lines));
            assertTrue(ms < 10_000, "idle, it stops without waiting out the 15 s grace: " + ms + " ms");
        }
    }

    @Test
    void readsRegistryCredentialsFromAMountedDockerConfig() throws Exception {
        Path auth = Files.createDirectories(dir.resolve("auth"));
        byte[] salt = new byte[16];
        new java.security.SecureRandom().nextBytes(salt);
        Path htpasswd = Files.writeString(auth.resolve("htpasswd"), "puller:" + OpenBSDBCrypt.generate("2y",
                "s3cret".toCharArray(), salt, 5) + "\n");
        try (DockerRegistry locked = DockerRegistry.start(auth.resolve("registry"),
                DockerRegistry.Auth.htpasswd(htpasswd))) {
            Path log = auth.resolve("skopeo.log");
            Process p = new ProcessBuilder("skopeo", "--insecure-policy", "copy", "--dest-tls-verify=false",
                    "--dest-creds", "puller:s3cret", "oci:../fixtures/layered:latest",
                    "docker://" + locked.host() + "/app/locked:v1").redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            try {
                assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, Files.readString(log));
            } finally {
                p.destroyForcibly();
            }
            Path docker = Files.createDirectories(auth.resolve("docker"));
            Files.writeString(docker.resolve("config.json"), "{\"auths\":{\"" + locked.host() + "\":{\"auth\":\""
                    + Base64.getEncoder().encodeToString("puller:s3cret".getBytes(StandardCharsets.US_ASCII))
                    + "\"}}}");
            Path policy = Files.writeString(auth.resolve("policy.yaml"), "signers:\n  - key: " + dir.resolve("a")
                    + ".pub\n");
            Path[] tls = tls(auth);
            HttpClient client = HttpClient.newBuilder().sslContext(trusting(tls[0])).build();
            List<String> answers = new ArrayList<>();
            for (boolean withConfig : List.of(false, true)) {
                List<String> args = new ArrayList<>(List.of("admission", "--policy", policy.toString(), "--tls-cert",
                        tls[0].toString(), "--tls-key", tls[1].toString(), "--key", dir.resolve("a") + ".pub",
                        "--listen", "127.0.0.1:0", "--timeout", "5"));
                if (withConfig) {
                    args.addAll(List.of("--docker-config", docker.toString()));
                }
                // HOME without a docker config of its own, so only the option can supply credentials.
                try (Webhook w = Webhook.start(auth, "creds-" + withConfig, Map.of("HOME", auth.toString()),
                        args.toArray(String[]::new))) {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(w.base() + "/validate"))
                            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(pod("c" + withConfig,
                                    locked.host() + "/app/locked:v1")))).build(), HttpResponse.BodyHandlers.ofString());
                    AdmissionResponse resp = JSON.readValue(r.body(), AdmissionReview.class).getResponse();
                    assertFalse(resp.getAllowed(), "the image is not signed either way");
                    answers.add(resp.getStatus().getMessage());
                }
            }
            assertTrue(answers.get(0).contains("the registry could not be read"), answers.get(0));
            assertTrue(answers.get(1).contains("rule 'signer key ") && !answers.get(1).contains("could not be read"),
                    "with the credentials the image is read and judged: " + answers.get(1));
        }
    }

    @Test
    void usageAndBadInputExitCodes() throws Exception {
        Path[] tls = tls(Files.createDirectories(dir.resolve("usage")));
        Path key = Path.of(dir.resolve("a") + ".pub");
        MainTest.Result noKey = MainTest.run("admission", "--policy", "p.yaml", "--tls-cert", tls[0].toString());
        assertEquals(2, noKey.code());
        assertTrue(noKey.err().contains("--tls-key"), noKey.err());
        Path bad = Files.writeString(dir.resolve("usage/bad.yaml"), "attestations: [\n");
        MainTest.Result badPolicy = MainTest.run("admission", "--policy", bad.toString(), "--tls-cert",
                tls[0].toString(), "--tls-key", tls[1].toString(), "--key", key.toString(), "--listen", "127.0.0.1:0");
        assertEquals(3, badPolicy.code(), badPolicy.err());
        assertTrue(badPolicy.err().startsWith("distill: error: ") && badPolicy.err().contains(bad.toString()),
                badPolicy.err());
        assertEquals(1, badPolicy.err().lines().count(), badPolicy.err());
        MainTest.Result missing = MainTest.run("admission", "--policy", "nope.yaml", "--tls-cert",
                tls[0].toString(), "--tls-key", tls[1].toString(), "--key", key.toString(), "--listen", "127.0.0.1:0");
        assertEquals(3, missing.code());
        assertEquals("distill: error: policy nope.yaml: no such file\n", missing.err());
        MainTest.Result badTls = MainTest.run("admission", "--policy", dir.resolve("policy.yaml").toString(),
                "--tls-cert", tls[1].toString(), "--tls-key", tls[1].toString(), "--key", key.toString(),
                "--listen", "127.0.0.1:0");
        assertEquals(3, badTls.code(), badTls.err());
        assertTrue(badTls.err().contains(tls[1].toString()), badTls.err());
        MainTest.Result taken = MainTest.run("admission", "--policy", dir.resolve("policy.yaml").toString(),
                "--tls-cert", tls[0].toString(), "--tls-key", tls[1].toString(), "--key", key.toString(),
                "--listen", registry.host());
        assertEquals(3, taken.code(), taken.err());
        assertEquals("distill: error: cannot listen on 127.0.0.1:" + registry.port() + ": address already in use\n",
                taken.err());
        MainTest.Result deadline = MainTest.run("admission", "--policy", bad.toString(), "--tls-cert",
                tls[0].toString(), "--tls-key", tls[1].toString(), "--key", key.toString(), "--deadline", "soon");
        assertEquals(2, deadline.code());
        assertTrue(deadline.err().contains("--deadline is a duration"), deadline.err());
        MainTest.Result signer = MainTest.run("admission", "--policy", bad.toString(), "--tls-cert",
                tls[0].toString(), "--tls-key", tls[1].toString());
        assertEquals(2, signer.code(), "who signs attestations must be given");
    }
}
