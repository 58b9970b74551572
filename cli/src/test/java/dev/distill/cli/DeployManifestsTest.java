package dev.distill.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.distill.attest.policy.Policy;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import tools.jackson.databind.json.JsonMapper;

/**
 * deploy/kubernetes read with fabric8's model of each kind (a misspelt field lands in additionalProperties and
 * fails here), and checked against each other and against the command they run: the args parse as
 * {@code distill admission}, the files they name are mounted from the ConfigMap and Secret that exist, the policy
 * parses, and the webhooks call the Service with a timeout above the server's deadline.
 */
class DeployManifestsTest {
    private static final Path DIR = Path.of("../deploy/kubernetes");
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "v1/Namespace", Namespace.class, "v1/ConfigMap", ConfigMap.class, "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class, "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration", MutatingWebhookConfiguration.class,
            "admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration", ValidatingWebhookConfiguration.class);
    private static final Map<Class<?>, List<HasMetadata>> objects = new LinkedHashMap<>();

    @BeforeAll
    static void read() throws Exception {
        tools.jackson.databind.ObjectMapper k8s = JsonMapper.builder().build();
        ObjectMapper json = new ObjectMapper();
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(files.isEmpty());
        for (Path f : files) {
            try (var docs = new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(f.toFile())) {
                while (docs.hasNext()) {
                    JsonNode doc = docs.next();
                    String type = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
                    Class<? extends HasMetadata> c = KINDS.get(type);
                    assertNotNull(c, f + ": a " + type + " is not expected here");
                    HasMetadata o = k8s.readValue(json.writeValueAsString(doc), c);
                    noUnknownFields(f + ": " + type, o);
                    assertEquals("distill-admission", o.getMetadata().getLabels().get("app.kubernetes.io/name"), f
                            + ": " + type);
                    objects.computeIfAbsent(c, k -> new ArrayList<>()).add(o);
                }
            }
        }
        for (Class<?> c : KINDS.values()) {
            assertEquals(1, objects.getOrDefault(c, List.of()).size(), "one " + c.getSimpleName());
        }
    }

    /** Walks the model's getters: any additionalProperties is a field the kind does not have. */
    private static void noUnknownFields(String where, Object o) throws Exception {
        if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Enum) {
            return;
        }
        if (o instanceof List<?> l) {
            for (Object e : l) {
                noUnknownFields(where, e);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (Object e : m.values()) {
                noUnknownFields(where, e);
            }
            return;
        }
        if (!o.getClass().getPackageName().startsWith("io.fabric8")) {
            return;
        }
        for (var method : o.getClass().getMethods()) {
            if (method.getParameterCount() != 0 || !method.getName().startsWith("get")
                    || method.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v = method.invoke(o);
            if (method.getName().equals("getAdditionalProperties")) {
                assertTrue(((Map<?, ?>) v).isEmpty(), where + ": unknown fields " + v + " in "
                        + o.getClass().getSimpleName());
            } else {
                noUnknownFields(where, v);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T one(Class<T> c) {
        return (T) objects.get(c).get(0);
    }

    private static Deployment deployment() {
        return one(Deployment.class);
    }

    private static Container container() {
        List<Container> cs = deployment().getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, cs.size());
        return cs.get(0);
    }

    /** The container's args as distill admission parses them. */
    private static CommandLine.ParseResult command() {
        String[] args = container().getArgs().toArray(String[]::new);
        assertEquals("admission", args[0]);
        CommandLine cl = new CommandLine(new Main());
        Main.addSubcommands(cl, args);
        return cl.parseArgs(args).subcommand();
    }

    private static String option(String name) {
        Object v = command().matchedOptionValue(name, null);
        assertNotNull(v, name + " is not given");
        return (v instanceof List<?> l ? l.get(0) : v).toString();
    }

    @Test
    void theDeploymentRunsThreeNonRootReadOnlyReplicasWithLimits() {
        Deployment d = deployment();
        String ns = one(Namespace.class).getMetadata().getName();
        assertEquals(ns, d.getMetadata().getNamespace());
        assertEquals(3, d.getSpec().getReplicas());
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertTrue(pod.getSecurityContext().getRunAsUser() > 0);
        Container c = container();
        assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem());
        assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation());
        assertTrue(c.getResources().getLimits().containsKey("memory") && c.getResources().getLimits()
                .containsKey("cpu"));
        assertEquals("/readyz", c.getReadinessProbe().getHttpGet().getPath());
        assertEquals("HTTPS", c.getReadinessProbe().getHttpGet().getScheme());
        assertEquals("/healthz", c.getLivenessProbe().getHttpGet().getPath());
        assertTrue(pod.getTerminationGracePeriodSeconds() > AdmissionCommand.duration(option("--shutdown-grace"),
                "", null).toSeconds(), "the pod outlives the server's own grace");
        PodDisruptionBudget pdb = one(PodDisruptionBudget.class);
        assertEquals(ns, pdb.getMetadata().getNamespace());
        assertEquals(d.getSpec().getSelector(), pdb.getSpec().getSelector());
        assertTrue(pdb.getSpec().getMinAvailable().getIntVal() < d.getSpec().getReplicas());
        assertTrue(d.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(d.getSpec()
                .getSelector().getMatchLabels().entrySet()));
    }

    @Test
    void everyFileTheCommandReadsIsMountedFromWhatTheManifestsDefine() throws Exception {
        Container c = container();
        PodSpec pod = deployment().getSpec().getTemplate().getSpec();
        ConfigMap policy = one(ConfigMap.class);
        Volume policyVolume = volumeOf(pod, c, option("--policy"));
        assertEquals(policy.getMetadata().getName(), policyVolume.getConfigMap().getName());
        String policyKey = Path.of(option("--policy")).getFileName().toString();
        String keyKey = Path.of(option("--key")).getFileName().toString();
        assertEquals(policyVolume, volumeOf(pod, c, option("--key")));
        assertTrue(policy.getData().containsKey(policyKey) && policy.getData().containsKey(keyKey),
                policy.getData().keySet().toString());
        Policy parsed = Policy.parse(policy.getData().get(policyKey), policyKey);
        assertTrue(parsed.hasRules());
        assertTrue(policy.getData().get(policyKey).contains("key: " + keyKey), "the policy's signer is the mounted key");

        Volume tls = volumeOf(pod, c, option("--tls-cert"));
        assertEquals(tls, volumeOf(pod, c, option("--tls-key")));
        assertEquals("distill-admission-tls", tls.getSecret().getSecretName());
        Volume docker = volumeOf(pod, c, option("--docker-config") + "/config.json");
        assertTrue(docker.getSecret().getOptional(), "public registries need no credentials");
        assertEquals(".dockerconfigjson", docker.getSecret().getItems().get(0).getKey());
        assertEquals("config.json", docker.getSecret().getItems().get(0).getPath());
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")),
                "a writable /tmp on a read-only root");
    }

    private static Volume volumeOf(PodSpec pod, Container c, String file) {
        VolumeMount m = c.getVolumeMounts().stream().filter(v -> Path.of(file).getParent().equals(
                Path.of(v.getMountPath()))).findFirst().orElseThrow(() -> new AssertionError(file + " is not mounted"));
        assertTrue(m.getReadOnly(), m.getMountPath());
        return pod.getVolumes().stream().filter(v -> v.getName().equals(m.getName())).findFirst().orElseThrow();
    }

    @Test
    void theWebhooksFailClosedCallTheServiceAndExemptTheirOwnNamespace() {
        Service svc = one(Service.class);
        Deployment d = deployment();
        assertEquals(d.getSpec().getSelector().getMatchLabels(), svc.getSpec().getSelector());
        String port = svc.getSpec().getPorts().get(0).getTargetPort().getStrVal();
        assertTrue(container().getPorts().stream().anyMatch(p -> port.equals(p.getName())
                && p.getContainerPort() == Integer.parseInt(option("--listen").split(":")[1])));
        long deadline = AdmissionCommand.duration(option("--deadline"), "", null).toMillis();
        MutatingWebhook m = one(MutatingWebhookConfiguration.class).getWebhooks().get(0);
        ValidatingWebhook v = one(ValidatingWebhookConfiguration.class).getWebhooks().get(0);
        record Hook(String failurePolicy, int timeout, ServiceReference service, List<String> versions,
                    String sideEffects, List<LabelSelectorRequirement> namespaces, List<RuleWithOperations> rules) {
        }
        Map<String, Hook> hooks = Map.of(
                "/mutate", new Hook(m.getFailurePolicy(), m.getTimeoutSeconds(), m.getClientConfig().getService(),
                        m.getAdmissionReviewVersions(), m.getSideEffects(), m.getNamespaceSelector()
                        .getMatchExpressions(), m.getRules()),
                "/validate", new Hook(v.getFailurePolicy(), v.getTimeoutSeconds(), v.getClientConfig().getService(),
                        v.getAdmissionReviewVersions(), v.getSideEffects(), v.getNamespaceSelector()
                        .getMatchExpressions(), v.getRules()));
        for (Map.Entry<String, Hook> e : hooks.entrySet()) {
            Hook h = e.getValue();
            String what = e.getKey();
            assertEquals("Fail", h.failurePolicy(), what);
            assertTrue(h.timeout() * 1000L > deadline, what + ": the API server waits longer than the deadline");
            assertTrue(h.timeout() <= 30, what + ": the API server's maximum");
            assertEquals(what, h.service().getPath());
            assertEquals(svc.getMetadata().getName(), h.service().getName());
            assertEquals(svc.getMetadata().getNamespace(), h.service().getNamespace());
            assertEquals(svc.getSpec().getPorts().get(0).getPort(), h.service().getPort());
            assertEquals(List.of("v1"), h.versions());
            assertEquals("None", h.sideEffects());
            LabelSelectorRequirement exempt = h.namespaces().get(0);
            assertEquals("kubernetes.io/metadata.name", exempt.getKey());
            assertEquals("NotIn", exempt.getOperator());
            assertTrue(exempt.getValues().contains(d.getMetadata().getNamespace()), what);
            Set<String> resources = new java.util.TreeSet<>();
            h.rules().forEach(r -> resources.addAll(r.getResources()));
            assertTrue(resources.containsAll(Set.of("pods", "deployments", "statefulsets", "daemonsets",
                    "replicasets", "jobs", "cronjobs")), what + ": " + resources);
        }
    }
}
