package dev.distill.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.distill.oci.Digest;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkloadsTest {
    private static final Digest D = Digest.parse("sha256:" + "ab".repeat(32));

    @Test
    void everyContainerKindOfAPodAndOfADeploymentTemplateIsFoundWithItsPointer() {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                .addNewContainer().withName("app").withImage("r.example/app:1").endContainer()
                .addNewInitContainer().withName("init").withImage("r.example/init:1").endInitContainer()
                .addNewEphemeralContainer().withName("dbg").withImage("r.example/dbg:1").endEphemeralContainer()
                .endSpec().build();
        Object asMap = Reviewer.JSON.convertValue(pod, Map.class);
        assertEquals(List.of(new Workloads.ImageSlot("/spec/containers/0/image", "app", "r.example/app:1"),
                new Workloads.ImageSlot("/spec/initContainers/0/image", "init", "r.example/init:1"),
                new Workloads.ImageSlot("/spec/ephemeralContainers/0/image", "dbg", "r.example/dbg:1")),
                Workloads.images("Pod", asMap, Reviewer.JSON));

        Deployment dep = new DeploymentBuilder().withNewSpec().withNewTemplate().withNewSpec()
                .addNewContainer().withName("a").withImage("a:1").endContainer()
                .addNewContainer().withName("b").withImage("b").endContainer()
                .endSpec().endTemplate().endSpec().build();
        assertEquals(List.of("/spec/template/spec/containers/0/image", "/spec/template/spec/containers/1/image"),
                Workloads.images("Deployment", Reviewer.JSON.convertValue(dep, Map.class), Reviewer.JSON).stream()
                        .map(Workloads.ImageSlot::pointer).toList());
        assertFalse(Workloads.known("ConfigMap"));
        assertThrows(IllegalArgumentException.class, () -> Workloads.images("ConfigMap", Map.of(), Reviewer.JSON));
    }

    @Test
    void aPinnedReferenceKeepsTheNameAsWrittenAndDropsTheTag() {
        assertEquals("localhost:5000/app@" + D, Reviewer.pinned("localhost:5000/app:v1", D));
        assertEquals("localhost:5000/app@" + D, Reviewer.pinned("localhost:5000/app", D));
        assertEquals("nginx@" + D, Reviewer.pinned("nginx:1.25", D));
    }

    @Test
    void aBodyThatIsNotAReviewWithAUidIsABadReview() {
        assertThrows(Reviewer.BadReview.class, () -> Reviewer.request("not json".getBytes(StandardCharsets.UTF_8)));
        assertThrows(Reviewer.BadReview.class, () -> Reviewer.request(
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{}}"
                        .getBytes(StandardCharsets.UTF_8)));
    }
}
