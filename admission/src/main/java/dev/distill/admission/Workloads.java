package dev.distill.admission;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import tools.jackson.databind.ObjectMapper;

/**
 * The images of a Kubernetes object: every container, init container and ephemeral container of a Pod or of the
 * pod template of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob, each with the JSON pointer
 * of its {@code image} field (for the mutating endpoint's patch). The object is read into fabric8's model of its
 * kind; a kind not listed here is refused by the caller, never passed through unchecked.
 */
final class Workloads {
    /** One {@code image} field: where it is in the object, the container's name, and the reference written. */
    record ImageSlot(String pointer, String container, String image) {
    }

    /** A kind and how to reach its pod spec, with the pointer prefix of that spec. */
    private record Kind(Class<?> type, Function<Object, PodSpec> spec, String prefix) {
    }

    private static final Map<String, Kind> KINDS = Map.of(
            "Pod", new Kind(Pod.class, o -> ((Pod) o).getSpec(), "/spec"),
            "Deployment", template(Deployment.class, o -> ((Deployment) o).getSpec() == null ? null
                    : ((Deployment) o).getSpec().getTemplate()),
            "StatefulSet", template(StatefulSet.class, o -> ((StatefulSet) o).getSpec() == null ? null
                    : ((StatefulSet) o).getSpec().getTemplate()),
            "DaemonSet", template(DaemonSet.class, o -> ((DaemonSet) o).getSpec() == null ? null
                    : ((DaemonSet) o).getSpec().getTemplate()),
            "ReplicaSet", template(ReplicaSet.class, o -> ((ReplicaSet) o).getSpec() == null ? null
                    : ((ReplicaSet) o).getSpec().getTemplate()),
            "Job", template(Job.class, o -> ((Job) o).getSpec() == null ? null : ((Job) o).getSpec().getTemplate()),
            "CronJob", new Kind(CronJob.class, o -> {
                CronJob c = (CronJob) o;
                if (c.getSpec() == null || c.getSpec().getJobTemplate() == null
                        || c.getSpec().getJobTemplate().getSpec() == null) {
                    return null;
                }
                PodTemplateSpec t = c.getSpec().getJobTemplate().getSpec().getTemplate();
                return t == null ? null : t.getSpec();
            }, "/spec/jobTemplate/spec/template/spec"));

    private Workloads() {
    }

    private static Kind template(Class<?> type, Function<Object, PodTemplateSpec> template) {
        return new Kind(type, o -> {
            PodTemplateSpec t = template.apply(o);
            return t == null ? null : t.getSpec();
        }, "/spec/template/spec");
    }

    /** Whether objects of this kind are understood. */
    static boolean known(String kind) {
        return KINDS.containsKey(kind);
    }

    /** The kinds understood, sorted. */
    static List<String> kinds() {
        return KINDS.keySet().stream().sorted().toList();
    }

    /**
     * The image slots of an object of a known kind, in the order of the spec (containers, init containers,
     * ephemeral containers); empty when the object has no pod spec.
     */
    static List<ImageSlot> images(String kind, Object object, ObjectMapper mapper) {
        Kind k = KINDS.get(kind);
        if (k == null) {
            throw new IllegalArgumentException("not a workload kind: " + kind);
        }
        PodSpec spec = k.spec().apply(mapper.convertValue(object, k.type()));
        List<ImageSlot> out = new ArrayList<>();
        if (spec == null) {
            return out;
        }
        add(out, k.prefix() + "/containers", Optional.ofNullable(spec.getContainers()).orElse(List.of()).stream()
                .map(c -> new String[] {c.getName(), c.getImage()}).toList());
        add(out, k.prefix() + "/initContainers", Optional.ofNullable(spec.getInitContainers()).orElse(List.of())
                .stream().map((Container c) -> new String[] {c.getName(), c.getImage()}).toList());
        add(out, k.prefix() + "/ephemeralContainers", Optional.ofNullable(spec.getEphemeralContainers())
                .orElse(List.of()).stream().map((EphemeralContainer c) -> new String[] {c.getName(), c.getImage()})
                .toList());
        return out;
    }

    private static void add(List<ImageSlot> out, String listPointer, List<String[]> containers) {
        for (int i = 0; i < containers.size(); i++) {
            out.add(new ImageSlot(listPointer + "/" + i + "/image", containers.get(i)[0], containers.get(i)[1]));
        }
    }
}
